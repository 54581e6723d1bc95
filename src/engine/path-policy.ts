// Which paths a desktop engine may read or write: only those main allowed (picked in a dialog or
// dropped). Unrestricted engines (Node child process, CLI, tests) allow everything.

export class PathPolicy {
  private readonly read = new Set<string>();
  private readonly write = new Set<string>();

  constructor(
    readonly restricted: boolean,
    private readonly normalize: (path: string) => string = (p) => p,
  ) {}

  /** Allows these paths for reading, and for writing too when `write`. */
  grant(paths: readonly string[], write = false): void {
    for (const p of paths) {
      const n = this.normalize(p);
      this.read.add(n);
      if (write) this.write.add(n);
    }
  }

  allows(path: string, write: boolean): boolean {
    if (!this.restricted) return true;
    const n = this.normalize(path);
    return write ? this.write.has(n) : this.read.has(n) || this.write.has(n);
  }
}
