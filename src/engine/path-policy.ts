// The one path-grant policy. Which paths the engine may read or write: in the desktop app only
// those the user chose (a dialog, a drop, the command line). Main keeps one policy (it grants,
// forwards each grant to the engine and re-sends all of them to a restarted engine); the desktop
// engine keeps another (it checks). Unrestricted engines (Node child process, CLI, tests) allow
// everything. Platform-neutral: the Node side passes path.resolve as `normalize`.

export interface PathPolicyOptions {
  /** Refuse paths not granted (default false: everything is allowed). */
  restricted?: boolean;
  /** Spells a path one way (e.g. absolute) before it is stored or looked up. */
  normalize?: (path: string) => string;
  /** Told of every grant, with the normalized paths. */
  onGrant?: (paths: string[], write: boolean) => void;
}

export class PathPolicy {
  readonly restricted: boolean;
  private readonly read = new Set<string>();
  private readonly write = new Set<string>();
  private readonly normalize: (path: string) => string;
  private readonly onGrant: ((paths: string[], write: boolean) => void) | undefined;

  constructor(options: PathPolicyOptions = {}) {
    this.restricted = options.restricted ?? false;
    this.normalize = options.normalize ?? ((p) => p);
    this.onGrant = options.onGrant;
  }

  /** Allows these paths for reading, and for writing too when `write`; returns them normalized. */
  grant(paths: readonly string[], write = false): string[] {
    const full = paths.map((p) => this.normalize(p));
    for (const p of full) (write ? this.write : this.read).add(p);
    if (full.length > 0) this.onGrant?.(full, write);
    return full;
  }

  /** May this path be read (write=false) or written (write=true)? A write grant allows reading. */
  allows(path: string, write: boolean): boolean {
    if (!this.restricted) return true;
    const p = this.normalize(path);
    return this.write.has(p) || (!write && this.read.has(p));
  }

  /** The grants, read-only and writable apart, to send again to a new engine. */
  snapshot(): { read: string[]; write: string[] } {
    return { read: [...this.read], write: [...this.write] };
  }
}
