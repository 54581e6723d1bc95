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
 * Parses "0,0.5,0.8" or ranges "0:0.75:0.05" (start:stop:step, inclusive), comma separated.
 * Throws an Error with a readable message on bad input.
 */
export function parseRatioList(text: string): number[] {
  const out: number[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const pieces = part.split(':');
    if (pieces.length === 1) {
      out.push(checkRatio(Number(part), part));
    } else if (pieces.length === 3) {
      const [a, b, s] = pieces.map((p) => Number(p.trim()));
      checkRatio(a, part);
      checkRatio(b, part);
      if (!(s > 0) || !Number.isFinite(s)) throw new Error(`bad ratio range "${part}": the step must be > 0`);
      const n = Math.floor((b - a) / s + 1e-9);
      for (let i = 0; i <= n; i++) out.push(cleanRatio(a + i * s));
    } else {
      throw new Error(`bad ratio "${part}": expected a number or start:stop:step`);
    }
  }
  if (out.length === 0) throw new Error('no ratios given');
  return out;
}

function checkRatio(r: number, text: string): number {
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new Error(`bad ratio "${text}": must be a number from 0 to 1`);
  return r;
}
