// Mini-batch training of a compiled graph: softmax cross-entropy from its logits, Adam on its
// trainable parameters, seeded shuffling, masks (a masked weight is 0 and never updated), a
// validation set with early stopping (the best epoch's parameters are restored). One batch per
// step of the generator, as trainSteps does for MLPs.
import type { Augment } from '../augment';
import { mulberry32, permutation } from '../random';
import { adamStep } from '../adam';
import type { EpochReport, TrainData, TrainResult } from '../trainer';
import { distillationLoss, softmaxCrossEntropy, type DistillWeights } from './loss';
import { backwardSteps, forward, forwardSteps, logitsOf, type GraphNet } from './graph-net';
import { sizeOf } from './value';

export interface GraphTrainOptions {
  epochs: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam learning rate, default 1e-3. */
  learningRate?: number;
  /** Multiplies the learning rate after each epoch; default 1. */
  learningRateDecay?: number;
  /** Seed of the shuffling and the augmentation; default 1. */
  seed?: number;
  /** Per parameter name, 1 = trainable entry, 0 = entry held at exactly 0. */
  masks?: Map<string, Uint8Array>;
  validation?: TrainData;
  /** Stop after this many epochs without a better validation accuracy (needs validation). */
  patience?: number;
  augment?: Augment;
  /** Knowledge distillation from a teacher (see distillationLoss); plain cross-entropy when absent. */
  distill?: GraphDistill;
}

/** Where the teacher's logits come from: cached per training sample, or computed on each (augmented) batch. */
export interface GraphDistill extends DistillWeights {
  /** data.count × classes teacher logits, in the order of the training data (taken as they are, augmentation aside). */
  logits?: Float32Array;
  /** The teacher's logits [n, classes] of the batch as the student sees it (used when `logits` is absent). */
  teacher?: (x: Float32Array, n: number) => Float32Array;
}

/** Runs a node-by-node generator, yielding `done` (the fraction reached so far) at every pause. */
function* paced<T>(g: Generator<void, T, void>, done: number): Generator<number, T, void> {
  for (;;) {
    const r = g.next();
    if (r.done === true) return r.value;
    yield done;
  }
}

/** Mean loss and top-1 accuracy of the net on a dataset, in batches. */
export function evaluateGraph(net: GraphNet, data: TrainData, batch = 128): { loss: number; accuracy: number } {
  const size = sizeOf(net.sampleDims);
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < data.count; start += batch) {
    const n = Math.min(batch, data.count - start);
    const logits = logitsOf(net, forward(net, data.images.subarray(start * size, (start + n) * size), n));
    const r = softmaxCrossEntropy(logits.data, data.labels.subarray(start, start + n), n, logits.dims[1]);
    loss += r.loss;
    correct += r.correct;
  }
  return { loss: data.count ? loss / data.count : 0, accuracy: data.count ? correct / data.count : 0 };
}

/** Sets every masked entry of the parameters to exactly 0. */
export function applyGraphMasks(net: GraphNet, masks: Map<string, Uint8Array> | undefined): void {
  for (const [name, m] of masks ?? []) {
    const p = net.params.get(name);
    if (p === undefined) throw new Error(`a mask for "${name}", which is not a trainable parameter`);
    if (m.length !== p.data.length) throw new Error(`the mask of "${name}" has ${m.length} entries, the tensor ${p.data.length}`);
    for (let i = 0; i < m.length; i++) if (m[i] === 0) p.data[i] = 0;
  }
}

/** Trains net.params in place; yields the fraction of all planned batches done, after every node of every batch. */
export function* trainGraphSteps(net: GraphNet, data: TrainData, opts: GraphTrainOptions): Generator<number, TrainResult, void> {
  const size = sizeOf(net.sampleDims);
  if (data.images.length < data.count * size) throw new Error(`training data: ${data.images.length} values for ${data.count} samples of ${size}`);
  const rand = mulberry32(opts.seed ?? 1);
  const batch = Math.max(1, Math.min(opts.batchSize ?? 64, data.count));
  let lr = opts.learningRate ?? 1e-3;
  applyGraphMasks(net, opts.masks);
  const names = [...net.params.keys()];
  const m1 = names.map((n) => new Float32Array(net.params.get(n)!.data.length));
  const m2 = names.map((n) => new Float32Array(net.params.get(n)!.data.length));
  const x = new Float32Array(batch * size);
  const labels = new Int32Array(batch);
  const distill = opts.distill;
  if (distill !== undefined && distill.logits === undefined && distill.teacher === undefined) throw new Error('distillation needs teacher logits or a teacher');
  const cachedClasses = distill?.logits !== undefined ? distill.logits.length / data.count : 0;
  if (!Number.isInteger(cachedClasses)) throw new Error(`${distill!.logits!.length} teacher logits for ${data.count} samples`);
  const teacherBatch = distill?.logits !== undefined ? new Float32Array(batch * cachedClasses) : undefined;
  const batches = Math.ceil(data.count / batch);
  const reports: EpochReport[] = [];
  let best = -1;
  let bestEpoch = 0;
  let bestParams: Float32Array[] | undefined;
  let stoppedEarly = false;
  let step = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const order = permutation(data.count, rand);
    let loss = 0;
    let correct = 0;
    for (let b = 0; b < batches; b++) {
      const n = Math.min(batch, data.count - b * batch);
      for (let s = 0; s < n; s++) {
        const src = order[b * batch + s];
        x.set(data.images.subarray(src * size, (src + 1) * size), s * size);
        opts.augment?.(x.subarray(s * size, (s + 1) * size), rand);
        labels[s] = data.labels[src];
        if (teacherBatch !== undefined) teacherBatch.set(distill!.logits!.subarray(src * cachedClasses, (src + 1) * cachedClasses), s * cachedClasses);
      }
      const done = ((epoch - 1) * batches + b) / (opts.epochs * batches);
      const f = yield* paced(forwardSteps(net, x, n), done);
      const logits = logitsOf(net, f);
      const classes = logits.dims[1];
      if (teacherBatch !== undefined && cachedClasses !== classes) throw new Error(`the teacher gives ${cachedClasses} logits per sample, the model ${classes}`);
      const r = distill === undefined
        ? softmaxCrossEntropy(logits.data, labels, n, classes)
        : distillationLoss(logits.data, teacherBatch ?? distill.teacher!(x, n), labels, n, classes, distill);
      loss += r.loss;
      correct += r.correct;
      const grads = yield* paced(backwardSteps(net, f, r.dLogits), done);
      step++;
      names.forEach((name, k) => adamStep(net.params.get(name)!.data, grads.get(name)!, m1[k], m2[k], opts.masks?.get(name), lr, step));
      yield ((epoch - 1) * batches + b + 1) / (opts.epochs * batches);
    }
    const report: EpochReport = { epoch, loss: loss / data.count, trainAccuracy: correct / data.count };
    reports.push(report);
    lr *= opts.learningRateDecay ?? 1;
    if (opts.validation === undefined || opts.validation.count === 0) {
      bestEpoch = epoch;
      continue;
    }
    const v = evaluateGraph(net, opts.validation);
    report.validationLoss = v.loss;
    report.validationAccuracy = v.accuracy;
    if (v.accuracy > best) {
      best = v.accuracy;
      bestEpoch = epoch;
      bestParams = names.map((n) => net.params.get(n)!.data.slice());
    } else if (opts.patience !== undefined && epoch - bestEpoch >= opts.patience) {
      stoppedEarly = true;
      break;
    }
  }
  if (bestParams !== undefined && bestEpoch !== reports.length) names.forEach((n, k) => net.params.get(n)!.data.set(bestParams![k]));
  return { epochs: reports, bestEpoch, stoppedEarly };
}
