// Export of a model whose weights are still in external data files, tensor by tensor: each main
// graph initializer that was external is read, pruned when the plan selects it, appended to one
// new data file beside the output and dropped; the .onnx refers to it. Memory: about one tensor
// (two while the next is read). The platform's ExternalWriter makes it atomic: a cancel or a
// failure leaves no file behind. Global plans read the pooled tensors twice more first.

import { encodeModel } from '../core/onnx/encode';
import { withExternalBytes, type TensorBytes } from '../core/onnx/external';
import { DataType, type Model, type Tensor } from '../core/onnx/model';
import { floatToBits } from '../core/prune/bits';
import { methodSpecOf, pruneMask, pruneTensor, type LayerPlan, type PruneSpec } from '../core/prune';
import type { PrunePlan } from '../core/prune/types';
import type { JobContext, OpenModel } from './context';
import { EngineFailure } from './errors';
import type { OutputOptions } from './platform';
import { isUnread } from './stream-stats';
import { finishPlan, planGlobalPool, planLayerAlone, planStreamed, startPlan, type TensorSource } from './stream-prune';

/** Reads unread tensors through `external`, with progress by bytes and cancel between tensors. */
function streamReader(ctx: JobContext, open: OpenModel, external: TensorBytes, passBytes: number, what: string): TensorSource {
  let done = 0;
  let last = ctx.platform.now();
  let current = '';
  // Only tensors read here give their memory back (never the model's own).
  const readHere = new WeakSet<Tensor>();
  return {
    read: async (t) => {
      current = t.name;
      if (!isUnread(t)) return t;
      const bytes = await external.read(t);
      done += bytes.byteLength;
      const loaded = withExternalBytes(t, bytes, open.fileName);
      readHere.add(loaded);
      return loaded;
    },
    release: (loaded) => {
      if (readHere.delete(loaded)) external.release(loaded.data);
    },
    step: async () => {
      if (ctx.platform.now() - last > 50) {
        ctx.progress({ done: Math.min(done, passBytes), total: passBytes, message: `${what} ${current}` });
        await ctx.yieldNow();
        last = ctx.platform.now();
      }
      if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
    },
  };
}

function unreadBytes(external: TensorBytes, tensors: readonly Tensor[]): number {
  return tensors.reduce((s, t) => s + (isUnread(t) ? external.storedBytes(t) : 0), 0);
}

/** The plan of `spec` on a model with unread external data (the prune request's report). */
export async function planOnStream(ctx: JobContext, open: OpenModel, spec: PruneSpec): Promise<PrunePlan> {
  const external = open.external!;
  const r = streamReader(ctx, open, external, external.totalBytes, 'planning');
  return planStreamed(open.model, spec, r);
}

/** The next tensor is read ahead only when it is smaller than this (memory: about three tensors). */
const READ_AHEAD_MAX = 256 * 1024 * 1024;

/** The tensor (memory of its own, just read) with the layer's pruned entries set to zero. */
function zeroInPlace(t: Tensor, layer: LayerPlan): Tensor {
  if (t.dataType === DataType.FLOAT && Math.fround(layer.cutoff) === layer.cutoff) {
    // One pass over the bits, the masking rule of core/prune/apply.ts (NaN counts as +Infinity).
    const a = t.data as Float32Array;
    const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
    const cut = floatToBits(layer.cutoff);
    let ties = layer.tiesPruned;
    let pruned = 0;
    for (let i = 0; i < u.length; i++) {
      let b = u[i] & 0x7fffffff;
      if (b > 0x7f800000) b = 0x7f800000;
      if (b < cut || (b === cut && ties > 0 && ties--)) {
        u[i] = 0;
        pruned++;
      }
    }
    if (pruned !== layer.pruned) throw new EngineFailure('internal', `${t.name}: the plan prunes ${layer.pruned} values, the tensor read had ${pruned} below its cut`);
    return t;
  }
  const mask = pruneMask(t, layer);
  const data = t.data as Float32Array | Uint16Array;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0) data[i] = 0;
  return t;
}

function rawBytes(t: Tensor): Uint8Array {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * Prunes (magnitude, unstructured: see notStreamable) and writes the model to `target` with its
 * external tensors in `<target name>.data`; returns the plan and the data file's name.
 */
export async function exportOnStream(ctx: JobContext, open: OpenModel, spec: PruneSpec, target: string, output: OutputOptions): Promise<{ plan: PrunePlan; location: string }> {
  const external = open.external!;
  const { platform } = ctx;
  if (!platform.externalWriter) throw new EngineFailure('unsupported', `${open.fileName}: this engine cannot write external data files`, open.fileName);
  const model = open.model;
  const opts = methodSpecOf(spec);
  const { layers, tensors } = startPlan(model, opts);
  let globalThreshold = 0;
  if (opts.mode === 'global') {
    const pool = tensors.filter((_, i) => !layers[i].overridden);
    const r = streamReader(ctx, open, external, 2 * unreadBytes(external, pool), 'finding the global threshold:');
    globalThreshold = await planGlobalPool(layers, tensors, opts.ratio, r);
  }
  const layerOf = new Map(tensors.map((t, i) => [t, layers[i]]));
  const writer = await platform.externalWriter(target, output);
  const w = streamReader(ctx, open, external, external.totalBytes, 'writing');
  // A pipeline: the next tensor is read while this one is pruned, and written while the next is.
  const list = model.graph.initializers;
  const reads = new Map<Tensor, Promise<Tensor>>();
  const readAhead = (from: number): void => {
    const next = list.slice(from).find(isUnread);
    if (next !== undefined && !reads.has(next) && external.storedBytes(next) <= READ_AHEAD_MAX) {
      const p = w.read(next);
      p.catch(() => undefined); // reported when its turn comes
      reads.set(next, p);
    }
  };
  let writing: Promise<unknown> = Promise.resolve();
  try {
    const initializers: Tensor[] = [];
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      const layer = layerOf.get(t);
      if (!isUnread(t) && layer === undefined) {
        initializers.push(t);
        continue;
      }
      let loaded = await (reads.get(t) ?? w.read(t));
      reads.delete(t);
      readAhead(i + 1);
      if (layer !== undefined) {
        if (opts.mode === 'layer' || layer.overridden) await planLayerAlone(layer, loaded);
        if (layer.pruned > 0) loaded = isUnread(t) ? zeroInPlace(loaded, layer) : pruneTensor(loaded, layer);
      }
      if (isUnread(t)) {
        await writing;
        const stored: Tensor = { ...loaded, external: { location: writer.location, offset: 0, length: 0, entries: [] } };
        delete stored.data;
        const written = loaded;
        writing = writer.append(rawBytes(written)).then((at) => {
          Object.assign(stored.external!, at);
          w.release(written);
        });
        initializers.push(stored);
      } else {
        initializers.push(loaded);
      }
      await w.step();
    }
    await writing;
    const out: Model = { ...model, graph: { ...model.graph, initializers } };
    await writer.commit(encodeModel(out));
  } catch (e) {
    await writing.catch(() => undefined);
    await Promise.all([...reads.values()].map((p) => p.catch(() => undefined)));
    await writer.abort();
    throw e;
  }
  return { plan: finishPlan(model, opts, layers, globalThreshold), location: writer.location };
}

/** Tensors smaller than this stay inside the .onnx (the threshold of onnx's convert_model_to_external_data). */
const EXTERNAL_MIN_BYTES = 1024;

/**
 * Writes an in-memory model to `target` with every main-graph initializer of EXTERNAL_MIN_BYTES or
 * more appended, tensor by tensor, to one data file beside it (atomically: the platform's
 * ExternalWriter); progress by bytes and cancel between tensors. Returns the data file's name.
 */
export async function writeWithExternalData(ctx: JobContext, model: Model, target: string, output: OutputOptions): Promise<string> {
  const { platform } = ctx;
  if (!platform.externalWriter) throw new EngineFailure('unsupported', `${target}: this engine cannot write external data files`, target);
  const big = (t: Tensor): boolean => ArrayBuffer.isView(t.data) && t.data.byteLength >= EXTERNAL_MIN_BYTES;
  const total = model.graph.initializers.reduce((s, t) => s + (big(t) ? (t.data as ArrayBufferView).byteLength : 0), 0);
  const writer = await platform.externalWriter(target, output);
  let done = 0;
  let last = platform.now();
  try {
    const initializers: Tensor[] = [];
    for (const t of model.graph.initializers) {
      if (!big(t)) {
        initializers.push(t);
        continue;
      }
      const at = await writer.append(rawBytes(t));
      const stored: Tensor = { ...t, external: { location: writer.location, ...at, entries: [] } };
      delete stored.data;
      initializers.push(stored);
      done += at.length;
      if (platform.now() - last > 50) {
        ctx.progress({ done, total, message: `writing ${t.name}` });
        await ctx.yieldNow();
        last = platform.now();
      }
      if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
    }
    await writer.commit(encodeModel({ ...model, graph: { ...model.graph, initializers } }));
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return writer.location;
}
