// The paths the user granted by choosing them in a dialog or dropping them on the window. Main
// sends each grant to the engine (ControlMessage 'allow'), re-sends all of them to a restarted
// engine, and only records a model as recent if its path was granted.

import { resolve } from 'node:path';

export class PathGrants {
  private readonly read = new Set<string>();
  private readonly write = new Set<string>();

  constructor(private readonly onGrant: (paths: string[], write: boolean) => void = () => {}) {}

  allow(paths: readonly string[], write = false): string[] {
    const full = paths.map((p) => resolve(p));
    const set = write ? this.write : this.read;
    for (const p of full) set.add(p);
    if (full.length > 0) this.onGrant(full, write);
    return full;
  }

  isReadable(path: string): boolean {
    const p = resolve(path);
    return this.read.has(p) || this.write.has(p);
  }

  /** Grants as ControlMessage-ready groups. */
  snapshot(): { read: string[]; write: string[] } {
    return { read: [...this.read], write: [...this.write] };
  }
}
