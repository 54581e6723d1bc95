// export, dumpJson, dumpMatrix, dumpMatrices.

import { encodeModel } from '../../core/onnx/encode';
import { modelToJson } from '../../core/onnx/json';
import { toSparseInitializers } from '../../core/prune';
import { matrixFileNames, matrixShape, tensorToMatrixText } from '../../core/dump';
import type { Handler } from '../context';
import { EngineFailure } from '../errors';
import { jobProgress, prunedModel, trueThresholds } from '../methods/run';
import { checkNotModelPath, checkPath, exactBuffer, findTensor, getModel, namedTensors, pruneReport } from './common';

export const exportModel: Handler<'export'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  if (req.path !== undefined) {
    checkPath(ctx, req.path, true);
    checkNotModelPath(ctx, open, req.path);
  }
  const entry = await prunedModel(ctx, open, req.spec, jobProgress(ctx));
  const p = entry.plan;
  let model = entry.model;
  if (req.format === 'sparse') model = toSparseInitializers(model, p.layers.map((l) => l.tensor));
  const bytes = encodeModel(model);
  const report = trueThresholds(open.model, entry, pruneReport(open.model, p));
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

export const dumpMatrix: Handler<'dumpMatrix'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  let t = findTensor(open.model, req.tensor, open.fileName);
  if (req.spec) {
    // The tensor as the spec's method leaves it (only pruned tensors differ).
    const entry = await prunedModel(ctx, open, req.spec, jobProgress(ctx));
    if (entry.plan.layers.some((l) => l.tensor === t.name)) t = namedTensors(entry.model).get(t.name) ?? t;
  }
  return { text: tensorToMatrixText(t), ...matrixShape(t.dims) };
};

export const dumpMatrices: Handler<'dumpMatrices'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const { platform } = ctx;
  checkPath(ctx, req.dir, true);
  if (!platform.makeDir) throw new EngineFailure('bad-request', 'this engine cannot write folders; dump one matrix at a time');
  await platform.makeDir(req.dir);
  const tensors = [...namedTensors(open.model).values()].filter((t) => t.data !== undefined && !Array.isArray(t.data));
  const pruned = req.spec ? (await prunedModel(ctx, open, req.spec, jobProgress(ctx))).model : open.model;
  const prunedByName = namedTensors(pruned);
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
