// A sweep over prune ratios: for each ratio, runners are made for the pruned model and evaluated.
// Progress is reported after each point (with the point) and regularly inside a point.

import { throwIfCancelled } from './cancel';
import { evaluate, sampleCount, Ticker, unitsPerRunner } from './evaluate';
import { evaluateLanguageModel, tokenSlots } from './language-model';
import { isAvailable, type EvalContext, type EvalData, type EvalPoint, type EvalSettings, type ExportedFacts, type RunnerSlot } from './types';

export interface PointRunners {
  slots: RunnerSlot[];
  /** Fraction of the pruned tensors' weights that are zero at this ratio. */
  sparsity: number;
  /** The exported file of the point's model (parameters, MACs, sizes). */
  exported?: ExportedFacts;
  /** Called after the evaluation, before `dispose`, with the point (its runners still open): the point to report. */
  finish?(point: EvalPoint): Promise<EvalPoint>;
  /** Called when the point is done (frees sessions). */
  dispose?(): void | Promise<void>;
}

export type MakeRunners = (ratio: number) => Promise<PointRunners> | PointRunners;

/** One point: make the runners for `ratio`, evaluate them. */
export async function evaluatePoint(
  ratio: number,
  make: MakeRunners,
  data: EvalData,
  settings: EvalSettings,
  ctx: EvalContext,
  ticker?: Ticker,
): Promise<EvalPoint> {
  throwIfCancelled(ctx.cancel);
  const pr = await make(ratio);
  try {
    const results = data.tokens
      ? await evaluateLanguageModel(tokenSlots(pr.slots), data.tokens, undefined, settings, ctx, data.file ?? data.name)
      : await evaluate(pr.slots, data, settings, ctx, ticker);
    const point: EvalPoint = { ratio, sparsity: pr.sparsity, samples: sampleCount(data, settings), results, ...(pr.exported ? { exported: pr.exported } : {}) };
    return pr.finish ? await pr.finish(point) : point;
  } finally {
    await pr.dispose?.();
  }
}

export async function sweep(
  ratios: readonly number[],
  make: MakeRunners,
  data: EvalData,
  settings: EvalSettings,
  ctx: EvalContext & { onPoint?(point: EvalPoint, index: number): void },
): Promise<EvalPoint[]> {
  const points: EvalPoint[] = [];
  const units = unitsPerRunner(data, settings);
  // The per-point work is known once the first point's runners exist; assume 3 runtimes until then.
  const ticker = new Ticker(ctx, ratios.length * units * 3);
  let perPoint = units * 3;
  for (let i = 0; i < ratios.length; i++) {
    throwIfCancelled(ctx.cancel);
    const ratio = ratios[i];
    const point = await evaluatePoint(
      ratio,
      async (r) => {
        const pr = await make(r);
        perPoint = Math.max(1, pr.slots.filter(isAvailable).length) * units;
        ticker.total = ratios.length * perPoint;
        ticker.base = i * perPoint;
        return pr;
      },
      data,
      settings,
      ctx,
      ticker,
    );
    points.push(point);
    ctx.onPoint?.(point, i);
    ctx.onProgress?.({ done: (i + 1) * perPoint, total: ratios.length * perPoint, message: `ratio ${ratio} done`, point });
  }
  return points;
}
