// export, dumpJson, dumpMatrix, dumpMatrices.

import { encodeModel } from '../../core/onnx/encode';
import { modelToJson } from '../../core/onnx/json';
import { toSparseInitializers } from '../../core/prune';
import { matrixFileNames, matrixShape, matrixTextChunks, sparseToDense, tensorToMatrixText } from '../../core/dump';
import { isRealNumeric, weightEntries } from '../../core/analysis';
import type { Model, Tensor } from '../../core/onnx/model';
import type { Handler, JobContext, OpenModel } from '../context';
import type { OutputOptions } from '../platform';
import type { DatasetSource, PruneSpec } from '../protocol';
import { EngineFailure } from '../errors';
import { ensureResident } from '../external-load';
import { exportOnStream, writeWithExternalData } from '../stream-export';
import { notStreamable } from '../stream-prune';
import { jobProgress, prunedModel, methodReport } from '../methods/run';
import { checkNotModelPath, checkPath, exactBuffer, findTensor, getModel, namedTensors, pruneReport } from './common';

/**
 * What an output of this job must respect: never the model's file (nor, on Node, its external
 * data) or the spec's dataset files, compared by identity by the platform; the job's cancel up to
 * the rename, so that a cancelled export writes nothing.
 */
function outputOptions(ctx: JobContext, open: OpenModel, spec?: Pick<PruneSpec, 'calibration' | 'train'>): OutputOptions {
  const protect: { path: string; what: string }[] = [];
  if (open.path !== undefined) protect.push({ path: open.path, what: 'the model' });
  const data = (source: DatasetSource | undefined, what: string): void => {
    if (source?.kind === 'paths') for (const p of source.paths) protect.push({ path: p, what });
  };
  data(spec?.calibration, 'the calibration data');
  data(spec?.train, 'the training data');
  return { protect, cancel: ctx.cancel };
}

/**
 * After a write completed: a cancel that arrived once the file was in place (after the writer's
 * last check) must not be reported as "nothing written".
 */
function writtenDespiteCancel(ctx: JobContext, path: string): void {
  if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', `${path}: the cancel came too late, the file was written`, path);
}

export const exportModel: Handler<'export'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  if (req.path !== undefined) {
    checkPath(ctx, req.path, true);
    checkNotModelPath(ctx, open, req.path);
  }
  if (open.external && req.path !== undefined && req.format !== 'sparse' && notStreamable(open.model, req.spec) === undefined) {
    // Weights in external data files: pruned and written tensor by tensor (stream-export.ts).
    const streamed = await exportOnStream(ctx, open, req.spec, req.path, outputOptions(ctx, open, req.spec));
    writtenDespiteCancel(ctx, req.path);
    return { path: req.path, report: pruneReport(open.model, streamed.plan), externalData: streamed.location };
  }
  // Weights in a data file beside the output: asked for, or a model opened with external data
  // whose method needs it in memory (its weights may not fit in one .onnx).
  const external = req.path !== undefined && (req.externalData === true || (open.external !== undefined && req.format !== 'sparse'));
  if (external && req.format === 'sparse') throw new EngineFailure('unsupported', `${req.path}: sparse initializers are written inside the .onnx, not as external data; export dense`, req.path);
  await ensureResident(ctx, open);
  const entry = await prunedModel(ctx, open, req.spec, jobProgress(ctx));
  const p = entry.plan;
  let model = entry.model;
  if (req.path !== undefined && external) {
    const location = await writeWithExternalData(ctx, model, req.path, outputOptions(ctx, open, req.spec));
    writtenDespiteCancel(ctx, req.path);
    return { path: req.path, report: methodReport(open.model, entry, pruneReport(open.model, p)), externalData: location };
  }
  if (req.format === 'sparse') model = toSparseInitializers(model, p.layers.map((l) => l.tensor));
  const bytes = encodeModel(model);
  const report = methodReport(open.model, entry, pruneReport(open.model, p));
  if (req.path !== undefined) {
    await ctx.platform.writeFileAtomic(req.path, bytes, outputOptions(ctx, open, req.spec));
    writtenDespiteCancel(ctx, req.path);
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
  const bytes = new TextEncoder().encode(text);
  await ctx.platform.writeFileAtomic(req.path, bytes, outputOptions(ctx, open));
  writtenDespiteCancel(ctx, req.path);
  return { path: req.path, bytes: bytes.byteLength };
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
  const { tensors, skipped } = req.weights ? weightMatrices(open.model, req.weights.minConstantParams) : mainGraphMatrices(open.model);
  const pruned = req.spec ? (await prunedModel(ctx, open, req.spec, jobProgress(ctx))).model : open.model;
  const prunedByName = namedTensors(pruned);
  const names = matrixFileNames(tensors.map((m) => m.tensor.name));
  const output = outputOptions(ctx, open, req.spec);
  const files: string[] = [];
  let values = 0;
  let last = platform.now();
  for (let i = 0; i < tensors.length; i++) {
    // A cancel stops before the next file (the writer also checks it up to each rename).
    if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
    const t = (tensors[i].byName && prunedByName.get(tensors[i].tensor.name)) || tensors[i].tensor;
    const path = platform.joinPath ? platform.joinPath(req.dir, names[i]) : `${req.dir.replace(/[\\/]+$/, '')}/${names[i]}`;
    checkNotModelPath(ctx, open, path);
    if (platform.writeTextAtomic) await platform.writeTextAtomic(path, matrixTextChunks(t), output);
    else await platform.writeFileAtomic(path, tensorToMatrixText(t), output);
    files.push(names[i]);
    const shape = matrixShape(t.dims);
    values += shape.rows * shape.cols;
    if (platform.now() - last > 50) {
      ctx.progress({ done: i + 1, total: tensors.length, message: `wrote ${names[i]}` });
      await ctx.yieldNow();
      last = platform.now();
    }
  }
  return { dir: req.dir, files, values, skipped };
};

/** A tensor to dump; `byName`: a pruned model's tensor of the same name replaces it. */
interface MatrixSource {
  tensor: Tensor;
  byName: boolean;
}

/** The main graph's initializers and Constant tensors that hold numbers (the app's Dumps view). */
function mainGraphMatrices(model: Model): { tensors: MatrixSource[]; skipped: string[] } {
  const all = [...namedTensors(model).values()];
  const numeric = (t: Tensor): boolean => t.data !== undefined && !Array.isArray(t.data);
  return { tensors: all.filter(numeric).map((t) => ({ tensor: t, byName: true })), skipped: all.filter((t) => !numeric(t)).map((t) => t.name) };
}

/** The weight table's real-valued weights, every graph, sparse ones dense (the CLI's dump). */
function weightMatrices(model: Model, minConstantParams: number | undefined): { tensors: MatrixSource[]; skipped: string[] } {
  const weights = weightEntries(model, { minConstantParams });
  return {
    tensors: weights
      .filter((w) => isRealNumeric(w.tensor))
      .map((w) => ({ tensor: w.sparse ? sparseToDense(w.sparse) : w.tensor, byName: w.graph === '' && w.source === 'initializer' })),
    skipped: weights.filter((w) => !isRealNumeric(w.tensor)).map((w) => w.tensor.name),
  };
}
