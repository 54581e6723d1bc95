// Text formatting for the terminal: aligned tables, numbers, sizes, histogram bars.

import { countText } from '../core/number-text';

export { countText, shortCount } from '../core/number-text';

export type Align = 'left' | 'right';

/**
 * An aligned text table: a header line, a rule, then the rows; columns separated by two spaces.
 * `align` per column (default: left for the first column, right for the others).
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[], indent = ''): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const alignOf = (i: number): Align => align?.[i] ?? (i === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((c, i) => (alignOf(i) === 'left' ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = indent + widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}

/** A number in about `digits` significant digits: 0.0312, -1.234e-7, 12345.7; NaN as "-". */
export function numText(x: number, digits = 4): string {
  if (Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e6) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
}

/** 0.8 → "80.00%". */
export function pctText(fraction: number, decimals = 2): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(decimals)}%` : '-';
}

/** Byte counts: "512 B", "4.5 KB", "10.3 MB" (powers of 1024). */
export function bytesText(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** "[1000,784]" for dims, "[]" for a scalar. */
export function dimsText(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar `count / max` of `width` cells, in eighths of a cell; any non-zero count shows. */
export function bar(count: number, max: number, width = 40): string {
  if (count <= 0 || max <= 0) return '';
  let eighths = Math.round((count / max) * width * 8);
  if (eighths === 0) eighths = 1;
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** A text histogram: one line per bin with its interval, a bar and the count. */
export function histogramText(h: { min: number; max: number; counts: readonly number[] }, indent = '  ', width = 40): string {
  const n = h.counts.length;
  const max = Math.max(0, ...h.counts);
  const edge = (i: number): number => (i === n ? h.max : h.min + ((h.max - h.min) * i) / n);
  const labels = h.counts.map((_, i) => `${i === 0 ? '[' : '['}${numText(edge(i))}, ${numText(edge(i + 1))}${i === n - 1 ? ']' : ')'}`);
  const lw = Math.max(...labels.map((l) => l.length));
  const cw = Math.max(...h.counts.map((c) => countText(c).length));
  return h.counts
    .map((c, i) => `${indent}${labels[i].padEnd(lw)}  ${countText(c).padStart(cw)}  ${bar(c, max, width)}`.trimEnd())
    .join('\n') + '\n';
}
