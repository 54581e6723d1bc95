// The activations that reach a node on the calibration samples, computed by Prunescope's runtime:
// the graph cut down to the nodes the value depends on, with the value as its one output, run in
// batches of calibration samples. A language model's calibration samples are token ids (kept as
// exact floats in the dataset), fed as the model's integer input (int64 or int32); the model's
// other inputs (a BERT's attention_mask, …) by companion-inputs.ts' rule.
import { DataType, type Model } from '../../onnx/model';
import { Session, type RtData, type RtTensor } from '../../runtime';
import { type CompanionInput, companionFeeds, companionInputs, inputDecls } from '../../runtime/companion-inputs';
import { batchDims } from '../../runtime/input-dims';
import { PruneError } from '../types';
import type { Steps } from './solver';
import { ancestorNodes, realInputs } from './targets';

/** The calibration samples as the model's one input takes them. */
export interface Feed {
  input: string;
  /** One sample's dims (the input's dims without the batch). */
  sampleDims: number[];
  /** Samples per run. */
  batch: number;
  calibration: Float32Array;
  count: number;
  /** The input's element type: FLOAT, or INT64 / INT32 for token ids. */
  dataType: number;
  /** The model's other inputs and what they are fed (attention_mask, …: companion-inputs.ts). */
  companions: CompanionInput[];
}

/** Input element types a calibration set can be fed as: float32, or token ids as int64 / int32. */
const FEEDABLE = new Set<number>([DataType.FLOAT, DataType.INT64, DataType.INT32]);

/** Samples as the input's element type (token ids: integer-valued floats, checked). */
function asInput(x: Float32Array, dataType: number): RtData {
  if (dataType === DataType.FLOAT) return x;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isInteger(x[i]) || x[i] < 0) throw new PruneError(`the calibration set holds ${x[i]} where the model's integer input takes token ids`, 'bad-dataset');
  }
  return dataType === DataType.INT64 ? BigInt64Array.from(x, (v) => BigInt(v)) : Int32Array.from(x);
}

/** Samples per run of the model (bounded memory: the activations of one batch at a time). */
const BATCH = 50;

/** Values per sample the model's one input takes, when its dims (past the batch) are all known. */
export function declaredSampleSize(model: Model): number | undefined {
  const names = realInputs(model);
  const type = model.graph.inputs.find((i) => i.name === names[0])?.type;
  if (names.length !== 1 || type === undefined || type.kind !== 'tensor' || type.shape === undefined || type.shape.length < 2) return undefined;
  const dims = type.shape.slice(1);
  return dims.every((d) => typeof d === 'number') ? dims.reduce<number>((a, b) => a * Number(b), 1) : undefined;
}

/** The feed for `count` samples of `calibration`; PruneError when they cannot be the model's input. */
export function inputFeed(model: Model, calibration: Float32Array, count: number, sampleShape?: number[]): Feed {
  const sampleSize = sampleShape?.reduce((a, b) => a * b, 1);
  const names = realInputs(model);
  if (names.length === 0) throw new PruneError('the model has no input to feed the calibration samples to', 'unsupported');
  // The companions of the data input (an input the rule cannot fill is refused, named).
  const decl = inputDecls(model);
  const companions = companionInputs(decl, decl[0], 'calibration');
  const info = model.graph.inputs.find((i) => i.name === names[0]);
  const type = info?.type;
  const dataType = type !== undefined && type.kind === 'tensor' ? type.elemType : DataType.FLOAT;
  if (!FEEDABLE.has(dataType)) {
    throw new PruneError(`reconstruction pruning needs a float32 input (or int64 / int32 token ids); "${names[0]}" is neither`, 'unsupported');
  }
  const declared = type !== undefined && type.kind === 'tensor' && type.shape !== undefined ? type.shape.slice(1) : [];
  const known = declared.reduce<number>((s, d) => (typeof d === 'number' ? s * d : s), 1);
  const unknown = declared.filter((d) => typeof d !== 'number').length;
  let per = known;
  if (unknown > 0 || declared.length === 0) per = sampleSize ?? Math.floor(calibration.length / Math.max(1, count));
  else if (sampleSize !== undefined && sampleSize !== per) {
    throw new PruneError(`the calibration set has samples of ${sampleSize} values, the model's input "${names[0]}" takes ${per}`, 'bad-dataset');
  }
  if (calibration.length < count * per || per === 0) {
    throw new PruneError(`the calibration set holds ${calibration.length} values, fewer than ${count} samples of ${per}`, 'bad-dataset');
  }
  const dims = declared.length === 0 ? [1, per] : batchDims([null, ...declared], 1, per, sampleShape);
  if (dims === undefined) throw new PruneError(`reconstruction pruning: input "${names[0]}" has several unknown dimensions [${declared.join(', ')}] and the calibration samples' shape does not fill them`, 'bad-dataset');
  const sampleDims = dims.slice(1);
  const fixed = type !== undefined && type.kind === 'tensor' ? type.shape?.[0] : undefined;
  const batch = typeof fixed === 'number' ? fixed : BATCH;
  if (typeof fixed === 'number' && count % fixed !== 0) {
    throw new PruneError(`the model's input "${names[0]}" takes batches of ${fixed}; ${count} calibration samples do not divide into them`, 'bad-dataset');
  }
  return { input: names[0], sampleDims, batch, calibration, count, dataType, companions };
}

/** The feeds of one run: the samples `x` as the data input, the companions with its dims. */
export function feedsOf(feed: Feed, x: RtTensor): Record<string, RtTensor> {
  return { ...companionFeeds(feed.companions, x.dims), [feed.input]: x };
}

/** Samples first … first + n − 1 of the feed as the model's input tensor. */
export function feedTensor(feed: Feed, first: number, n: number): RtTensor {
  const per = feed.sampleDims.reduce((a, b) => a * b, 1);
  return { dims: [n, ...feed.sampleDims], data: asInput(feed.calibration.subarray(first * per, (first + n) * per), feed.dataType), dataType: feed.dataType };
}

/** The model cut down to what `values` need, with `values` its only outputs. */
export function cutModel(model: Model, values: string[]): Model {
  return { ...model, graph: { ...model.graph, nodes: ancestorNodes(model, values), outputs: values.map((name) => ({ name })), valueInfo: [] } };
}

/**
 * Runs each of `models` (same graph, different weights) on the calibration samples in batches
 * and calls `onBatch` with the values `values` of each model (xs[model][value]), and the
 * batch's first sample and size.
 */
export function* valueBatches(
  models: Model[], values: string[], feed: Feed,
  onBatch: (xs: RtTensor[][], first: number, samples: number) => void,
): Steps<void> {
  const computed = values.filter((v) => v !== feed.input);
  const sessions = computed.length === 0 ? [] : models.map((m) => Session.create(cutModel(m, computed), { kernels: 'dense' }));
  for (let first = 0; first < feed.count; first += feed.batch) {
    yield;
    const n = Math.min(feed.batch, feed.count - first);
    const x = feedTensor(feed, first, n);
    const xs = models.map((_, i) => {
      const out = sessions.length === 0 ? {} : sessions[i].run(feedsOf(feed, x));
      return values.map((v) => (v === feed.input ? x : out[v]));
    });
    onBatch(xs, first, n);
  }
}
