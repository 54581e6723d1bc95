// Where pruning hurts: the original and the pruned model run on the same samples in Prunescope's
// runtime, and every output value of every node of the original's main graph gets its error
// against the original (relative L2, cosine; node-error-measure.ts). Values are matched by name.
// The samples feed the first input (floats, or token ids as integers); the inputs after it get
// companion-inputs.ts' values (a BERT's attention_mask…).
//
// Every intermediate value is exposed by adding it as a graph output on a copy of the model. The
// plan never fuses across a graph output (a Gemm/MatMul chain, Conv + BatchNormalization + Add +
// activation + MaxPool keep each such value), so each node's own output is what is measured, and
// nothing else changes (node-error.test.ts checks the final outputs are unchanged).

import { ProblemError } from '../errors';
import { DataType, type Model, type ValueInfo } from '../onnx/model';
import { Session, type IoInfo, type RtTensor } from '../runtime';
import { type CompanionInput, companionInputs, runFeeds } from '../runtime/companion-inputs';
import { batchDims } from '../runtime/input-dims';
import { throwIfCancelled } from './cancel';
import { argmax } from './evaluate';
import { ErrorAccumulator } from './node-error-measure';
import { DEFAULT_NODE_ERROR_BATCH, DEFAULT_NODE_ERROR_SAMPLES, type NodeError, type NodeErrorReport, type ValueError } from './node-error-types';
import type { CancelToken, EvalData } from './types';

export * from './node-error-types';

export interface NodeErrorSettings {
  samples?: number;
  batch?: number;
  /** Bytes of both models' values per batch after the first (default VALUE_BUDGET, 256 MB): the batch shrinks to fit. */
  valueBudget?: number;
  /** Names the models in messages (file names). */
  originalLabel?: string;
  prunedLabel?: string;
}

export interface NodeErrorContext {
  cancel?: CancelToken;
  yieldNow?(): Promise<void>;
  onProgress?(done: number, total: number, message: string): void;
}

/** The values measured per node: outputs read by another node or the graph, and always the first. */
function measuredOutputs(model: Model): Map<number, string[]> {
  const g = model.graph;
  const read = new Set<string>(g.outputs.map((o) => o.name));
  for (const n of g.nodes) for (const i of n.inputs) if (i !== '') read.add(i);
  const out = new Map<number, string[]>();
  g.nodes.forEach((n, k) => out.set(k, n.outputs.filter((o, j) => o !== '' && (j === 0 || read.has(o)))));
  return out;
}

/** A copy of the model (sharing tensors) with every given value added as a graph output. */
export function withValuesAsOutputs(model: Model, values: Iterable<string>): Model {
  const outputs: ValueInfo[] = [...model.graph.outputs];
  const have = new Set(outputs.map((o) => o.name));
  for (const v of values) {
    if (have.has(v)) continue;
    have.add(v);
    outputs.push({ name: v });
  }
  return { ...model, graph: { ...model.graph, outputs } };
}

/** The session's data input (its first: float32, or int64 / int32 token ids) and its companions (companion-inputs.ts). */
function dataInput(session: Session, label: string): { info: IoInfo; companions: CompanionInput[] } {
  const info = session.inputs[0];
  if (info === undefined) throw new ProblemError('unsupported', `${label}: the model has no input to feed`);
  if (!([DataType.FLOAT, DataType.INT64, DataType.INT32] as number[]).includes(info.dataType)) throw new ProblemError('unsupported', `${label}: input "${info.name}" is not float32 (or int64 / int32 token ids)`);
  return { info, companions: companionInputs(session.inputs, info, label) };
}

/** Dims of `batch` samples of `sampleSize` values for an input; a fixed batch dim other than `batch` gives undefined. */
function feedDims(info: IoInfo, batch: number, sampleSize: number, sampleShape: readonly number[] | undefined, label: string): number[] | undefined {
  if (typeof info.dims[0] === 'number' && info.dims[0] !== batch) return undefined;
  const dims = batchDims(info.dims, batch, sampleSize, sampleShape);
  if (dims === undefined) throw new ProblemError('bad-dataset', `${label}: samples of ${sampleSize} values do not fit input "${info.name}" [${info.dims.join(', ')}]`);
  return dims;
}

/** Bytes of both models' values of one batch that the later batches keep within. */
const VALUE_BUDGET = 256 * 1024 * 1024;

function bytesOf(values: Record<string, RtTensor>): number {
  let n = 0;
  for (const t of Object.values(values)) n += t.data.byteLength;
  return n;
}

function createSession(model: Model, label: string): Session {
  // Throws UnsupportedOpError (kind 'unsupported') naming every node the runtime cannot run.
  return Session.create(model, { kernels: 'dense', label });
}

/**
 * Runs both models on the first `samples` samples of `data` in batches and measures every node's
 * output values of `original` against the same-named values of `pruned`.
 */
export async function nodeErrors(original: Model, pruned: Model, data: EvalData, settings: NodeErrorSettings = {}, ctx: NodeErrorContext = {}): Promise<NodeErrorReport> {
  const aLabel = settings.originalLabel ?? 'original model';
  const bLabel = settings.prunedLabel ?? 'pruned model';
  const requested = settings.samples ?? DEFAULT_NODE_ERROR_SAMPLES;
  const count = Math.min(requested, data.count);
  if (count < 1) throw new ProblemError('bad-dataset', `${data.file ?? data.name ?? 'dataset'}: no samples to run`);
  const perNode = measuredOutputs(original);
  const values = [...perNode.values()].flat();
  const finals = original.graph.outputs.map((o) => o.name);
  const sa = createSession(withValuesAsOutputs(original, values), aLabel);
  const inPruned = valuesOf(pruned);
  const sb = createSession(withValuesAsOutputs(pruned, [...values, ...finals].filter((v) => inPruned.has(v))), bLabel);
  const ia = dataInput(sa, aLabel);
  const ib = dataInput(sb, bLabel);
  let batch = Math.max(1, Math.min(settings.batch ?? DEFAULT_NODE_ERROR_BATCH, count));
  if (typeof ia.info.dims[0] === 'number' && ia.info.dims[0] > 0) batch = Math.min(ia.info.dims[0], count);
  const acc = new Map<string, ErrorAccumulator>();
  for (const v of [...values, ...finals]) if (!acc.has(v)) acc.set(v, new ErrorAccumulator(v));
  let agree = 0;
  let perSample = true;
  const fixedBatch = typeof ia.info.dims[0] === 'number';
  for (let start = 0, n = 0; start < count; start += n) {
    throwIfCancelled(ctx.cancel);
    n = Math.min(batch, count - start);
    const input = data.images.subarray(start * data.sampleSize, (start + n) * data.sampleSize);
    const run = (s: Session, feed: { info: IoInfo; companions: CompanionInput[] }, label: string): Record<string, RtTensor> => {
      const { info } = feed;
      const dims = feedDims(info, n, data.sampleSize, data.sampleShape, label);
      if (!dims) throw new ProblemError('unsupported', `${label}: input "${info.name}" has a fixed batch of ${String(info.dims[0])}; the last batch has ${n} samples`);
      return s.run(runFeeds(info, feed.companions, dims, input));
    };
    const ra = run(sa, ia, aLabel);
    const rb = run(sb, ib, bLabel);
    for (const [name, a] of acc) {
      const t = ra[name];
      if (t) a.add(t, rb[name]);
    }
    const oa = ra[finals[0]];
    const ob = rb[finals[0]];
    if (oa && ob && oa.data.length === ob.data.length && oa.data.length % n === 0 && oa.data instanceof Float32Array && ob.data instanceof Float32Array) {
      const len = oa.data.length / n;
      for (let i = 0; i < n; i++) if (argmax(oa.data, i * len, len) === argmax(ob.data, i * len, len)) agree++;
    } else perSample = false;
    // Memory stays bounded: the next batches hold both models' values within VALUE_BUDGET.
    if (start === 0 && !fixedBatch) batch = Math.max(1, Math.min(batch, Math.floor(((settings.valueBudget ?? VALUE_BUDGET) * n) / Math.max(1, bytesOf(ra) + bytesOf(rb)))));
    ctx.onProgress?.(start + n, count, `${start + n} of ${count} samples`);
    await ctx.yieldNow?.();
  }
  const result = (v: string): ValueError => acc.get(v)?.result() ?? { value: v, missing: true };
  const nodes: NodeError[] = original.graph.nodes.map((node, index) => ({
    index,
    name: node.name,
    opType: node.opType,
    outputs: (perNode.get(index) ?? []).map(result),
  }));
  return { samples: count, requested, nodes, outputs: finals.map(result), ...(perSample ? { top1Agreement: agree / count } : {}) };
}

/** The values the model's main graph computes (node outputs). */
function valuesOf(model: Model): Set<string> {
  const out = new Set<string>();
  for (const n of model.graph.nodes) for (const o of n.outputs) if (o !== '') out.add(o);
  return out;
}
