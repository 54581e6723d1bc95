// Pure helpers of the Evaluate panel, over the shared definitions the protocol re-exports from
// core: the experiment's ratios, the one ratio-list grammar, the one sweep CSV.

import { DEFAULT_RATIOS, parseRatioList, sweepCsv, uniqueSorted, type EvalPoint, type SweepCsvContext } from '../../engine/protocol';

/** The experiment's sweep: 0 to 0.75 by 0.05, then 0.8 to 1.0 by 0.01, as exact decimals. */
export function experimentRatios(): number[] {
  return [...DEFAULT_RATIOS];
}

/** A custom ratio list (the CLI's --ratios grammar), each ratio once, ascending; throws naming the bad entry. */
export function parseRatios(text: string): number[] {
  return uniqueSorted(parseRatioList(text));
}

/** The sweep results as CSV: the same columns as `prunescope sweep --csv`. */
export function evalCsv(points: EvalPoint[], context: SweepCsvContext): string {
  return sweepCsv(points, context);
}
