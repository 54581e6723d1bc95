// issue 16: sensitivity — per tensor and ratio, the model's accuracy and loss with only that tensor
// pruned (core/prune/sensitivity.ts), each point sent as progress; with `allocate`, the per-layer
// ratios reaching that overall sparsity and their comparison with uniform and global pruning.

import { checkDatasetFits } from '../../core/data';
import { sensitivity as analyse, SENSITIVITY_RATIOS } from '../../core/prune/sensitivity';
import { allocate } from '../../core/prune/allocate';
import { compareAllocation } from '../../core/prune/allocate-compare';
import type { Handler } from '../context';
import { loadDataset, refuseTokenIds } from '../datasets';
import { modelIo } from '../model-io';
import { getModel } from './common';

export const sensitivity: Handler<'sensitivity'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const ds = await loadDataset(ctx, req.dataset, open);
  const io = modelIo(open.model, open.fileName);
  checkDatasetFits(ds, io, io.classes);
  refuseTokenIds(ds, 'sensitivity');
  const ratios = req.ratios ?? SENSITIVITY_RATIOS;
  // the allocation's three measurements are the last part of the bar
  const scale = req.allocate !== undefined ? 1.1 : 1;
  let last = { done: 0, total: 1 };
  const result = await analyse(
    open.model,
    ds,
    { ratios, select: req.select, structure: req.structure, limit: req.limit },
    {
      now: () => ctx.platform.now(),
      cancel: ctx.cancel,
      yieldNow: ctx.yieldNow,
      onProgress: (p) => {
        last = { done: p.done, total: Math.round(p.total * scale) };
        ctx.progress({ ...last, message: p.message });
      },
      onPoint: (curve, tensor, point) => ctx.progress({ ...last, message: `${tensor} at ${point.ratio} done`, sensitivity: { curve, tensor, point } }),
    },
  );
  if (req.allocate === undefined) return result;
  const allocation = allocate(result, req.allocate);
  ctx.progress({ done: last.total / scale, total: last.total, message: 'comparing allocated, uniform per-layer and global pruning' });
  await ctx.yieldNow();
  const comparison = compareAllocation(open.model, ds, result.samples, allocation, req.structure);
  return { ...result, allocation: { ...allocation, comparison } };
};
