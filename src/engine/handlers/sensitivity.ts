// issue 16: sensitivity — per tensor and ratio, the model's accuracy and loss with only that tensor
// pruned (core/prune/sensitivity.ts), each point sent as progress; with `allocate`, the per-layer
// ratios reaching that overall sparsity and their comparison with uniform and global pruning.
// 'allocate' does the allocation from curves the app already has (no curve is measured again).

import { checkDatasetFits, type Dataset } from '../../core/data';
import { sensitivity as analyse, SENSITIVITY_RATIOS } from '../../core/prune/sensitivity';
import { allocate } from '../../core/prune/allocate';
import { compareAllocation } from '../../core/prune/allocate-compare';
import { prunableTensors } from '../../core/prune/prunable';
import type { Allocation, SensitivityResult } from '../../core/prune/sensitivity-report';
import type { Handler, JobContext, OpenModel } from '../context';
import { loadDataset, refuseTokenIds } from '../datasets';
import { EngineFailure } from '../errors';
import { modelIo } from '../model-io';
import type { DatasetSource } from '../protocol';
import { getModel } from './common';

/** The labelled set, checked against the model (sensitivity and allocation measure accuracy and loss). */
async function labelled(ctx: JobContext, open: OpenModel, source: DatasetSource, what: string): Promise<Dataset> {
  const ds = await loadDataset(ctx, source, open);
  const io = modelIo(open.model, open.fileName);
  checkDatasetFits(ds, io, io.classes);
  refuseTokenIds(ds, what);
  return ds;
}

/** The allocation beside uniform per-layer and global pruning on the analysis' samples. */
async function compared(ctx: JobContext, open: OpenModel, ds: Dataset, result: SensitivityResult, allocation: Allocation, done: { done: number; total: number }) {
  ctx.progress({ ...done, message: 'comparing allocated, uniform per-layer and global pruning' });
  await ctx.yieldNow();
  if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
  const comparison = compareAllocation(open.model, ds, Math.min(result.samples, ds.count), allocation, result.structure);
  return { ...allocation, comparison };
}

export const sensitivity: Handler<'sensitivity'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const ds = await labelled(ctx, open, req.dataset, 'sensitivity');
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
  const allocation = await compared(ctx, open, ds, result, allocate(result, req.allocate), { done: last.total / scale, total: last.total });
  return { ...result, allocation };
};

export const allocateFromCurves: Handler<'allocate'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const prunable = new Set(prunableTensors(open.model).map((p) => p.name));
  const unknown = req.result.curves.find((c) => !prunable.has(c.tensor));
  if (unknown) throw new EngineFailure('bad-request', `${open.fileName}: the curves name "${unknown.tensor}", not a prunable weight of this model (allocate from this model's own sensitivity analysis)`, open.fileName);
  const allocation = allocate(req.result, req.target);
  if (req.dataset === undefined) return { ...allocation, comparison: [] };
  const ds = await labelled(ctx, open, req.dataset, 'allocation');
  return compared(ctx, open, ds, req.result, allocation, { done: 0, total: 1 });
};
