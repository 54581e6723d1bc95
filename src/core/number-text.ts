// Counts as text for people, the same in the CLI's tables and the app's panels.

/** 1234567 → "1,234,567". */
export function countText(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A count in 3 significant digits with a suffix: 950, 78.4k, 1.79M, 2.10G. */
export function shortCount(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  const [div, unit] = a < 1e6 ? [1e3, 'k'] : a < 1e9 ? [1e6, 'M'] : [1e9, 'G'];
  const v = n / div;
  return `${v.toFixed(Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0)}${unit}`;
}
