// Helpers shared by the handlers: looking up models and tensors, path checks, prune specs.

import type { Model, Tensor } from '../../core/onnx/model';
import { estimateExportBytes, methodSpecOf, planPrune, type PrunePlan } from '../../core/prune';
import { namedWeights } from '../../core/analysis';
import type { JobContext, OpenModel } from '../context';
import { EngineFailure } from '../errors';
import { baseNameOf } from '../platform';
import type { PruneReport, PruneSpec } from '../protocol';

export function getModel(ctx: JobContext, modelId: number): OpenModel {
  const m = ctx.models.get(modelId);
  if (!m) throw new EngineFailure('bad-request', `no open model with id ${modelId} (it was closed, or the engine restarted)`);
  return m;
}

export function baseName(ctx: JobContext, path: string): string {
  return ctx.platform.baseName?.(path) ?? baseNameOf(path);
}

/** Refuses a path the platform's policy does not allow. */
export function checkPath(ctx: JobContext, path: string, write: boolean): void {
  if (!ctx.platform.allow(path, write)) {
    throw new EngineFailure('bad-request', `${path}: not allowed to ${write ? 'write' : 'read'} this path (choose it in a dialog)`, path);
  }
}

/** Refuses to write over the open model's own file. */
export function checkNotModelPath(ctx: JobContext, open: OpenModel, path: string): void {
  if (open.path === undefined) return;
  const same = ctx.platform.samePath ? ctx.platform.samePath(path, open.path) : path === open.path;
  if (same) throw new EngineFailure('bad-request', `${path}: refusing to overwrite the open model; choose another file`, path);
}

/** Main-graph initializers, then the value tensors of Constant nodes (named by their output). */
export function namedTensors(model: Model): Map<string, Tensor> {
  return namedWeights(model);
}

export function findTensor(model: Model, name: string, fileName: string): Tensor {
  const t = namedTensors(model).get(name);
  if (!t) throw new EngineFailure('bad-request', `${fileName}: no initializer or constant named "${name}"`, fileName);
  return t;
}

// The last plan of each model: the app asks for the preview, then the per-node metrics of the same
// spec, and planning a large model takes as long as the rest of either answer. Plans are read only.
const lastPlans = new WeakMap<Model, { key: string; plan: PrunePlan }>();

/** The magnitude plan of `spec` (the last one of this model again when the options are equal). */
export function plan(model: Model, spec: PruneSpec): PrunePlan {
  const options = methodSpecOf(spec);
  const key = JSON.stringify(options);
  const last = lastPlans.get(model);
  if (last?.key === key) return last.plan;
  const p = planPrune(model, options);
  lastPlans.set(model, { key, plan: p });
  return p;
}

export function pruneReport(model: Model, p: PrunePlan): PruneReport {
  const bytes = estimateExportBytes(model, p);
  return {
    layers: p.layers.map((l) => ({
      tensor: l.tensor, nodes: l.nodes, dims: l.dims, n: l.n, kept: l.kept, ratio: l.ratio, threshold: l.threshold,
      ...(l.structure !== undefined ? { structure: l.structure } : {}),
      ...(l.removedChannels !== undefined ? { removedChannels: l.removedChannels } : {}),
      ...(l.keptDims !== undefined ? { keptDims: l.keptDims } : {}),
    })),
    ...(p.structure !== undefined ? { structure: p.structure } : {}),
    ...(p.shapeChanges !== undefined ? { shapeChanges: p.shapeChanges } : {}),
    ...(p.copies !== undefined ? { copies: p.copies } : {}),
    ...(p.notes !== undefined && p.notes.length > 0 ? { notes: [...p.notes] } : {}),
    totalParams: p.totalParams,
    prunableParams: p.prunableParams,
    keptParams: p.keptParams,
    denseBytes: bytes.dense,
    sparseBytes: bytes.sparse,
  };
}

/** An ArrayBuffer holding exactly these bytes (the same buffer when it already does). */
export function exactBuffer(u: Uint8Array): ArrayBuffer {
  if (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && u.buffer instanceof ArrayBuffer) return u.buffer;
  return u.slice().buffer as ArrayBuffer;
}
