// issue 16: diff — what differs between two open models, with progress per tensor and Cancel.
import { compareTensorPair, diffBins, finishDiff, planDiff, type TensorDiff } from '../../core/diff';
import type { Handler } from '../context';
import { EngineFailure } from '../errors';
import { getModel } from './common';

export const diff: Handler<'diff'> = async (req, ctx) => {
  const a = getModel(ctx, req.modelA);
  const b = getModel(ctx, req.modelB);
  let bins: number;
  try {
    bins = diffBins(req.bins);
  } catch (e) {
    throw new EngineFailure('bad-request', (e as Error).message);
  }
  const plan = planDiff(a.model, b.model, { bins });
  const total = plan.pairs.length;
  const tensors: TensorDiff[] = [];
  let last = ctx.platform.now();
  for (let i = 0; i < total; i++) {
    try {
      tensors.push(compareTensorPair(plan, i));
    } catch (e) {
      const p = plan.pairs[i];
      const name = (p.a ?? p.b)?.tensor.name ?? '';
      const file = p.a ? a.fileName : b.fileName;
      throw new EngineFailure('bad-model', `${file}: tensor ${JSON.stringify(name)}: ${(e as Error).message}`, file);
    }
    if (ctx.platform.now() - last > 50 || i === total - 1) {
      const p = plan.pairs[i];
      ctx.progress({ done: i + 1, total, message: `compared ${(p.a ?? p.b)?.tensor.name ?? ''}` });
      await ctx.yieldNow();
      last = ctx.platform.now();
      if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
    }
  }
  return finishDiff(plan, tensors);
};
