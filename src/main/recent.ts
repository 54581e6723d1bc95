// The Open Recent list, persisted as JSON in app.getPath('userData')/recent.json. At most 10
// entries, most recent first, no duplicates; a corrupt or missing file reads as an empty list.

import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeAtomicSync } from '../engine/node/atomic-write';

export const RECENT_MAX = 10;

export interface RecentOptions {
  max?: number;
  /** Compare paths case-insensitively (Windows, macOS default file systems). */
  caseInsensitive?: boolean;
  /** Whether a path still names a regular file (injected for tests; default: the file system). */
  exists?: (path: string) => boolean;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export class RecentFiles {
  private readonly max: number;
  private readonly caseInsensitive: boolean;
  private readonly exists: (path: string) => boolean;
  private paths: string[];

  constructor(
    private readonly file: string,
    options: RecentOptions = {},
  ) {
    this.max = options.max ?? RECENT_MAX;
    this.caseInsensitive = options.caseInsensitive ?? process.platform !== 'linux';
    this.exists = options.exists ?? isFile;
    this.paths = this.read();
  }

  list(): string[] {
    return [...this.paths];
  }

  /** Puts a path at the top (moving it if already present) and saves. */
  add(path: string): string[] {
    const full = resolve(path);
    this.paths = [full, ...this.paths.filter((p) => !this.same(p, full))].slice(0, this.max);
    this.write();
    return this.list();
  }

  remove(path: string): string[] {
    const full = resolve(path);
    this.paths = this.paths.filter((p) => !this.same(p, full));
    this.write();
    return this.list();
  }

  clear(): void {
    this.paths = [];
    this.write();
  }

  /** Drops entries whose file is gone; returns the dropped paths. */
  pruneMissing(): string[] {
    const dropped = this.paths.filter((p) => !this.exists(p));
    if (dropped.length > 0) {
      this.paths = this.paths.filter((p) => !dropped.includes(p));
      this.write();
    }
    return dropped;
  }

  /** Whether an entry still exists; a missing one is removed from the list. */
  checkEntry(path: string): boolean {
    if (this.exists(path)) return true;
    this.remove(path);
    return false;
  }

  private same(a: string, b: string): boolean {
    return this.caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
  }

  private read(): string[] {
    if (!existsSync(this.file)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return []; // corrupt: start over (the next write replaces it)
    }
    const list = Array.isArray(parsed)
      ? parsed
      : parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as { paths?: unknown }).paths)
        ? (parsed as { paths: unknown[] }).paths
        : [];
    const out: string[] = [];
    for (const item of list) {
      if (typeof item !== 'string' || item.length === 0 || item.includes('\0')) continue;
      const full = resolve(item);
      if (!out.some((p) => this.same(p, full))) out.push(full);
    }
    return out.slice(0, this.max);
  }

  private write(): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeAtomicSync(this.file, JSON.stringify({ version: 1, paths: this.paths }, null, 2) + '\n');
    } catch {
      // The list is a convenience: failing to persist it must not break opening a model.
    }
  }
}
