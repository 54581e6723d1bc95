// Small helpers of `npm run bench`: medians, aligned text tables, the checkout's folder.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function pad(row: string[], widths: number[]): string {
  return row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

/** Prints `rows` under `head`, the first column left-aligned and the others right-aligned. */
export function printTable(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(pad(head, w));
  console.log(pad(w.map((n) => '-'.repeat(n)), w));
  for (const r of rows) console.log(pad(r, w));
}

/** The checkout: the first folder upwards from this file (or the working directory) with package.json and node_modules. */
export function findRepo(): string {
  for (const start of [__dirname, process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) return dir;
      const up = resolve(dir, '..');
      if (up === dir) break;
      dir = up;
    }
  }
  return process.cwd();
}
