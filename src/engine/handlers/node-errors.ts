// nodeErrors: where pruning hurts. The pruned model is a second open model or the open model
// pruned by a spec (a slow method runs first, or comes from the method cache, with progress); both
// run on the first N samples of the dataset and every node of the original gets its output error
// (core/eval/node-error.ts). Progress per batch; Cancel between batches.

import { checkDatasetFits } from '../../core/data';
import { nodeErrors as measure } from '../../core/eval/node-error';
import type { Model } from '../../core/onnx/model';
import type { Handler } from '../context';
import { loadDataset, refuseTokenIds } from '../datasets';
import { EngineFailure } from '../errors';
import { prunedModel } from '../methods/run';
import { modelIo } from '../model-io';
import { getModel } from './common';

/** Share of the progress given to a slow pruning method (the rest is running both models). */
const METHOD_SHARE = 0.6;

export const nodeErrors: Handler<'nodeErrors'> = async (request, ctx) => {
  const open = getModel(ctx, request.modelId);
  if ((request.prunedModelId === undefined) === (request.spec === undefined)) {
    throw new EngineFailure('bad-request', 'nodeErrors: give either the pruned model (prunedModelId) or a prune spec (spec), not both or neither');
  }
  const ds = await loadDataset(ctx, request.dataset, open);
  const io = modelIo(open.model, open.fileName);
  checkDatasetFits(ds, io, io.classes);
  refuseTokenIds(ds, 'the per-node error');
  const slow = request.spec !== undefined && (request.spec.method ?? 'magnitude') !== 'magnitude';
  const share = slow ? METHOD_SHARE : 0;
  const report = (f: number, message: string): void => ctx.progress({ done: Math.round(1000 * Math.min(1, Math.max(0, f))), total: 1000, message });
  let pruned: Model;
  let prunedLabel: string;
  if (request.prunedModelId !== undefined) {
    const other = getModel(ctx, request.prunedModelId);
    pruned = other.model;
    prunedLabel = other.fileName;
  } else {
    const spec = request.spec!;
    const entry = await prunedModel(ctx, open, spec, (f, message) => report(share * f, `${spec.method ?? 'magnitude'}: ${message}`));
    pruned = entry.model;
    prunedLabel = `${open.fileName} pruned ${spec.ratio}`;
  }
  if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
  return measure(open.model, pruned, ds, { samples: request.samples, originalLabel: open.fileName, prunedLabel }, {
    cancel: ctx.cancel,
    yieldNow: ctx.yieldNow,
    onProgress: (done, total, message) => report(share + ((1 - share) * done) / total, `both models: ${message}`),
  });
};
