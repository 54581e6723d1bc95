// open, close, stats, prunePreview, prune.

import { decodeModel } from '../../core/onnx/decode';
import { SUPPORTED_OPS } from '../../core/runtime';
import type { Handler } from '../context';
import { EngineFailure } from '../errors';
import type { TensorStatistics } from '../protocol';
import { jobProgress, prunedModel, methodReport } from '../methods/run';
import { isUnread, statisticsStreamed } from '../stream-stats';
import { ensureResident } from '../external-load';
import { pickedTensorBytes } from '../picked-files';
import { planOnStream } from '../stream-export';
import { notStreamable } from '../stream-prune';
import { summarizeModel } from '../summary';
import { methodAvailability } from '../../core/prune/applicability';
import { defaultPrunable, PRUNE_METHODS } from '../../core/prune';
import { problemKind } from '../../core/errors';
import { isRealNumeric, weightEntries } from '../../core/analysis';
import { sparseToDense } from '../../core/dump/sparse';
import type { Model, Tensor } from '../../core/onnx/model';
import type { TensorBytes } from '../../core/onnx/external';
import type { WeightRef } from '../protocol';
import { baseName, checkPath, getModel, namedTensors, plan, pruneReport } from './common';

export const open: Handler<'open'> = async (req, ctx) => {
  const { platform } = ctx;
  const src = req.source;
  let loaded: { model: ReturnType<typeof decodeModel>; fileName: string; fileBytes: number; path?: string; external?: TensorBytes };
  if (src.kind === 'path') {
    checkPath(ctx, src.path, false);
    if (platform.loadModel) {
      const f = await platform.loadModel(src.path);
      loaded = { model: f.model, fileName: f.fileName, fileBytes: f.bytes.byteLength, path: src.path, ...(f.external ? { external: f.external } : {}) };
    } else {
      const bytes = await platform.readFile(src.path);
      const fileName = baseName(ctx, src.path);
      loaded = { model: decodeModel(bytes, fileName), fileName, fileBytes: bytes.byteLength, path: src.path };
    }
  } else if (src.kind === 'bytes') {
    const bytes = new Uint8Array(src.bytes);
    const model = decodeModel(bytes, baseName(ctx, src.name));
    // External data picked with it (browser): checked now, read tensor by tensor on demand.
    const external = pickedTensorBytes(model, src.name, src.dataFiles ?? [], platform.memoryLimit?.());
    loaded = { model, fileName: baseName(ctx, src.name), fileBytes: bytes.byteLength, ...(external ? { external } : {}) };
  } else {
    const bytes = await platform.sample();
    loaded = { model: decodeModel(bytes, 'sample-mlp.onnx'), fileName: 'sample-mlp.onnx', fileBytes: bytes.byteLength };
  }
  const entry = ctx.models.add(loaded);
  // No zero counts in the initializer tables: nothing in the app shows them, and counting reads
  // every weight (a second pass over a large model's memory); 'stats' and the weight table count
  // them when asked.
  const info = { modelId: entry.modelId, fileName: entry.fileName, fileBytes: entry.fileBytes };
  return summarizeModel(entry.model, info, SUPPORTED_OPS, { zeros: false, ...(req.weights ? { weights: req.weights } : {}) });
};

export const close: Handler<'close'> = async (req, ctx) => {
  const external = ctx.models.get(req.modelId)?.external;
  if (!ctx.models.delete(req.modelId)) throw new EngineFailure('bad-request', `no open model with id ${req.modelId}`);
  await external?.close();
  ctx.pruned.dropModel(req.modelId);
  return null;
};

/** The weights `refs` name (any graph; a sparse initializer as its dense tensor), all real-valued. */
export function weightTensors(model: Model, refs: readonly WeightRef[], fileName: string): Tensor[] {
  // One lookup table, not a scan per ref: a model may have 100,000 weights (the first of a name wins).
  const byKey = new Map<string, ReturnType<typeof weightEntries>[number]>();
  for (const e of weightEntries(model)) {
    const key = `${e.graph}\0${e.tensor.name}`;
    if (!byKey.has(key)) byKey.set(key, e);
  }
  return refs.map((ref) => {
    const w = byKey.get(`${ref.graph}\0${ref.name}`);
    const where = ref.graph === '' ? '' : ` in ${ref.graph}`;
    if (!w) throw new EngineFailure('bad-request', `${fileName}: no initializer or Constant tensor named "${ref.name}"${where}`, fileName);
    if (!isRealNumeric(w.tensor)) throw new EngineFailure('bad-request', `${fileName}: tensor "${ref.name}" is not real-valued numeric data`, fileName);
    return w.sparse ? sparseToDense(w.sparse) : w.tensor;
  });
}

export const stats: Handler<'stats'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const all = namedTensors(open.model);
  const names = req.weights ? [] : (req.tensors ?? open.model.graph.initializers.map((t) => t.name));
  const tensors: Tensor[] = req.weights ? weightTensors(open.model, req.weights, open.fileName) : [];
  for (const name of names) {
    const t = all.get(name);
    if (!t) throw new EngineFailure('bad-request', `${open.fileName}: no initializer or constant named "${name}"`, open.fileName);
    if ((t.data === undefined && !isUnread(t)) || Array.isArray(t.data)) {
      if (req.tensors) throw new EngineFailure('bad-request', `${open.fileName}: "${t.name}" has no numeric data`, open.fileName);
      continue;
    }
    tensors.push(t);
  }
  const statisticsAt = statisticsStreamed(ctx.platform, open, tensors, req.bins, async () => {
    // Between the chunks of a large tensor: cancel, and let other messages through.
    if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
    await ctx.yieldNow();
  });
  const out: TensorStatistics[] = [];
  let last = ctx.platform.now();
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    out.push(await statisticsAt(i));
    if (ctx.platform.now() - last > 50) {
      ctx.progress({ done: i + 1, total: tensors.length, message: `statistics of ${t.name}` });
      await ctx.yieldNow();
      last = ctx.platform.now();
      if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
    }
  }
  return out;
};

export const prunePreview: Handler<'prunePreview'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  let p;
  try {
    p = plan(open.model, req.spec);
  } catch (e) {
    // A structure the selection cannot take (channels the analysis cannot follow): the preview says
    // why and every method is unavailable for the same reason, so the panel shows it before Apply.
    if (problemKind(e) !== 'unsupported' || req.spec.structure === undefined) throw e;
    const selected = req.spec.select ?? defaultPrunable(open.model);
    const unpruned = plan(open.model, { ratio: 0, mode: 'layer', select: [] });
    const methods = methodAvailability(open.model, selected, req.spec.structure, req.spec.select === undefined);
    const refused = `${open.fileName}: ${(e as Error).message}`;
    for (const m of PRUNE_METHODS) methods[m] ??= refused;
    return { ...pruneReport(open.model, unpruned), structure: req.spec.structure, refused, methods };
  }
  return { ...pruneReport(open.model, p), methods: methodAvailability(open.model, p.layers.map((l) => l.tensor), req.spec.structure, req.spec.select === undefined) };
};

/**
 * Runs the spec's method with progress and cancel and keeps the result for later requests with an
 * equal spec (an equal spec already run answers at once, without progress).
 */
export const prune: Handler<'prune'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  // Weights in external data files: planned tensor by tensor when the spec allows it.
  if (open.external && notStreamable(open.model, req.spec) === undefined) return pruneReport(open.model, await planOnStream(ctx, open, req.spec));
  await ensureResident(ctx, open);
  const entry = await prunedModel(ctx, open, req.spec, jobProgress(ctx));
  return methodReport(open.model, entry, pruneReport(open.model, entry.plan));
};
