// export, dumpJson, dumpMatrix, dumpMatrices.

import { encodeModel } from '../../core/onnx/encode';
import { modelToJson } from '../../core/onnx/json';
import { applyPrune, pruneTensor, toSparseInitializers } from '../../core/prune';
import { matrixFileNames, matrixShape, tensorToMatrixText } from '../../core/dump';
import type { Tensor } from '../../core/onnx/model';
import type { Handler, JobContext } from '../context';
import { EngineFailure } from '../errors';
import type { PruneSpec } from '../protocol';
import { checkNotModelPath, checkPath, exactBuffer, findTensor, getModel, namedTensors, plan, pruneReport } from './common';

export const exportModel: Handler<'export'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  if (req.path !== undefined) {
    checkPath(ctx, req.path, true);
    checkNotModelPath(ctx, open, req.path);
  }
  const p = plan(open.model, req.spec);
  let model = applyPrune(open.model, p);
  if (req.format === 'sparse') model = toSparseInitializers(model, p.layers.map((l) => l.tensor));
  const bytes = encodeModel(model);
  const report = pruneReport(open.model, p);
  if (req.path !== undefined) {
    await ctx.platform.writeFileAtomic(req.path, bytes);
    return { path: req.path, report };
  }
  const buffer = exactBuffer(bytes);
  ctx.transfer.push(buffer);
  return { bytes: buffer, report };
};

export const dumpJson: Handler<'dumpJson'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  if (req.path !== undefined) {
    checkPath(ctx, req.path, true);
    checkNotModelPath(ctx, open, req.path);
  }
  const text = modelToJson(open.model);
  if (req.path === undefined) return { text };
  await ctx.platform.writeFileAtomic(req.path, text);
  return { path: req.path };
};

/** The tensor as stored, or pruned by `spec` when it is one of the pruned tensors. */
function maybePruned(t: Tensor, spec: PruneSpec | undefined, ctx: JobContext, modelId: number): Tensor {
  if (!spec) return t;
  const open = getModel(ctx, modelId);
  const p = plan(open.model, spec);
  const layer = p.layers.find((l) => l.tensor === t.name);
  return layer ? pruneTensor(t, layer) : t;
}

export const dumpMatrix: Handler<'dumpMatrix'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const t = maybePruned(findTensor(open.model, req.tensor, open.fileName), req.spec, ctx, req.modelId);
  return { text: tensorToMatrixText(t), ...matrixShape(t.dims) };
};

export const dumpMatrices: Handler<'dumpMatrices'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const { platform } = ctx;
  checkPath(ctx, req.dir, true);
  if (!platform.makeDir) throw new EngineFailure('bad-request', 'this engine cannot write folders; dump one matrix at a time');
  await platform.makeDir(req.dir);
  const tensors = [...namedTensors(open.model).values()].filter((t) => t.data !== undefined && !Array.isArray(t.data));
  const p = req.spec ? plan(open.model, req.spec) : undefined;
  const pruned = p ? applyPrune(open.model, p) : open.model;
  const prunedByName = new Map(pruned.graph.initializers.map((t) => [t.name, t]));
  const names = matrixFileNames(tensors.map((t) => t.name));
  const files: string[] = [];
  let last = platform.now();
  for (let i = 0; i < tensors.length; i++) {
    const t = prunedByName.get(tensors[i].name) ?? tensors[i];
    const path = platform.joinPath ? platform.joinPath(req.dir, names[i]) : `${req.dir.replace(/[\\/]+$/, '')}/${names[i]}`;
    checkNotModelPath(ctx, open, path);
    await platform.writeFileAtomic(path, tensorToMatrixText(t));
    files.push(names[i]);
    if (platform.now() - last > 50) {
      ctx.progress({ done: i + 1, total: tensors.length, message: `wrote ${names[i]}` });
      await ctx.yieldNow();
      last = platform.now();
      if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
    }
  }
  return { dir: req.dir, files };
};
