// Prune ratios for sweeps: the experiment's default list and parsing of user lists.

function hundredths(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  // Integers divided by 100 give the double nearest to the decimal, as a literal would.
  for (let k = from; k <= to; k += step) out.push(k / 100);
  return out;
}

/** 0 to 0.75 by 0.05, then 0.8 to 1.0 by 0.01: the experiment's 37 points. */
export const DEFAULT_RATIOS: readonly number[] = Object.freeze([...hundredths(0, 75, 5), ...hundredths(80, 100, 1)]);

/** Rounds a computed ratio to the nearest 1e-9 so that 0.1 * 3 prints as 0.3. */
export function cleanRatio(r: number): number {
  return Math.round(r * 1e9) / 1e9;
}

/**
 * The one ratio-list grammar (the CLI's --ratios and the app's custom ratios): numbers from 0 to 1
 * and start:stop:step ranges (inclusive), separated by commas, semicolons or white space, e.g.
 * "0, 0.5 0.8:0.9:0.05". Returns the ratios in the order written. Throws an Error with a readable
 * message naming the bad entry.
 */
export function parseRatioList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.replace(/\s*:\s*/g, ':').split(/[\s,;]+/)) {
    if (part === '') continue;
    const pieces = part.split(':');
    if (pieces.length === 1) {
      out.push(checkRatio(Number(part), part));
    } else if (pieces.length === 3) {
      const [a, b, s] = pieces.map((p) => (p.trim() === '' ? NaN : Number(p)));
      checkRatio(a, part);
      checkRatio(b, part);
      if (!(s > 0) || !Number.isFinite(s)) throw new Error(`bad ratio range "${part}": the step must be a number > 0`);
      if (b < a) throw new Error(`bad ratio range "${part}": the stop is below the start`);
      const n = Math.floor((b - a) / s + 1e-9);
      for (let i = 0; i <= n; i++) out.push(cleanRatio(a + i * s));
    } else {
      throw new Error(`bad ratio "${part}": expected a number from 0 to 1 or start:stop:step`);
    }
  }
  if (out.length === 0) throw new Error('no ratios given: enter one or more ratios from 0 to 1, e.g. 0, 0.5, 0.8:0.9:0.05');
  return out;
}

/** Each ratio once, ascending. */
export function uniqueSorted(ratios: readonly number[]): number[] {
  return [...new Set(ratios)].sort((x, y) => x - y);
}

function checkRatio(r: number, text: string): number {
  if (text.trim() === '' || !Number.isFinite(r) || r < 0 || r > 1) throw new Error(`bad ratio "${text}": must be a number from 0 to 1`);
  return r;
}
