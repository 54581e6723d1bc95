// Small helpers of `npm run bench`: medians and aligned text tables.

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
