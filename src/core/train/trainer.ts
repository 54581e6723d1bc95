// Mini-batch training of an MLP: softmax cross-entropy, Adam or SGD with momentum, seeded
// shuffling, optional weight masks (masked weights stay exactly 0 through every update, for
// fine-tuning after pruning), and a validation set with early stopping (best weights restored).
import { backwardBatch, cloneLayers, forwardBatch, Workspace, zeroGradients, type DenseLayer, type LayerGradients } from './mlp';
import { mulberry32, permutation } from './random';
import type { Augment } from './augment';
import { adamStep } from './adam';

export interface TrainData {
  /** count × sampleSize values, sample after sample. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface EpochReport {
  epoch: number;
  /** Mean training loss over the epoch (as the weights were while each batch was seen). */
  loss: number;
  trainAccuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface TrainOptions {
  epochs: number;
  /** Default 64. */
  batchSize?: number;
  /** Default 'adam'. */
  optimizer?: 'adam' | 'sgd';
  /** Default 1e-3 for Adam, 0.05 for SGD. */
  learningRate?: number;
  /** SGD momentum, default 0.9. */
  momentum?: number;
  /** Multiplies the learning rate after each epoch; default 1. */
  learningRateDecay?: number;
  /** Seed of the shuffling (and of the validation split); default 1. */
  seed?: number;
  /** Per layer, 1 = trainable weight, 0 = weight held at exactly 0. undefined = no mask. */
  masks?: (Uint8Array | undefined)[];
  /** A validation set, or a fraction of the training data held out for it (seeded). */
  validation?: TrainData;
  validationFraction?: number;
  /** Stop after this many epochs without a better validation accuracy (needs validation). */
  patience?: number;
  /** Applied to every training sample each time a batch takes it (e.g. randomShift). */
  augment?: Augment;
  /** Called after every epoch; return false to stop training. */
  onEpoch?: (report: EpochReport) => boolean | void;
  /** Called after every batch with the fraction of all planned work done; return false to stop. */
  onBatch?: (progress: number) => boolean | void;
}

export interface TrainResult {
  epochs: EpochReport[];
  /** The epoch whose weights the layers hold at the end (the best on validation, else the last). */
  bestEpoch: number;
  stoppedEarly: boolean;
}

/** Applies masks: every masked weight set to exactly 0. */
export function applyMasks(layers: DenseLayer[], masks: (Uint8Array | undefined)[] | undefined): void {
  if (masks === undefined) return;
  layers.forEach((layer, l) => {
    const m = masks[l];
    if (m === undefined) return;
    if (m.length !== layer.weight.length) {
      throw new Error(`mask ${l} has ${m.length} entries, layer ${l} has ${layer.weight.length} weights`);
    }
    for (let i = 0; i < m.length; i++) if (m[i] === 0) layer.weight[i] = 0;
  });
}

/**
 * Masks that freeze the current zeros: 1 where a weight is non-zero, 0 where it is zero. For
 * fine-tuning a pruned model: `trainMlp(layers, data, { masks: masksFromZeros(layers), … })`.
 */
export function masksFromZeros(layers: DenseLayer[]): Uint8Array[] {
  return layers.map((l) => {
    const m = new Uint8Array(l.weight.length);
    for (let i = 0; i < m.length; i++) m[i] = l.weight[i] === 0 ? 0 : 1;
    return m;
  });
}

/** Mean loss and top-1 accuracy of the network on a dataset. */
export function evaluateMlp(
  layers: DenseLayer[], data: TrainData, batch = 256, masks?: (Uint8Array | undefined)[],
): { loss: number; accuracy: number } {
  const I = layers[0].inputs;
  const ws = new Workspace(layers, Math.min(batch, Math.max(1, data.count)));
  ws.setMasks(masks);
  let loss = 0;
  let correct = 0;
  const L = layers.length;
  const classes = layers[L - 1].outputs;
  for (let start = 0; start < data.count; start += ws.batch) {
    const n = Math.min(ws.batch, data.count - start);
    ws.acts[0].set(data.images.subarray(start * I, (start + n) * I));
    forwardBatch(ws, n);
    const logits = ws.acts[L];
    for (let s = 0; s < n; s++) {
      let max = -Infinity;
      let arg = 0;
      for (let c = 0; c < classes; c++) if (logits[s * classes + c] > max) { max = logits[s * classes + c]; arg = c; }
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(logits[s * classes + c] - max);
      const label = data.labels[start + s];
      loss += Math.log(sum) - (logits[s * classes + label] - max);
      if (arg === label) correct++;
    }
  }
  return { loss: data.count ? loss / data.count : 0, accuracy: data.count ? correct / data.count : 0 };
}

/** The samples `order` of `data`, copied in that order. */
export function subset(data: TrainData, order: Int32Array, sampleSize: number): TrainData {
  const images = new Float32Array(order.length * sampleSize);
  const labels = new Int32Array(order.length);
  order.forEach((src, i) => {
    images.set(data.images.subarray(src * sampleSize, (src + 1) * sampleSize), i * sampleSize);
    labels[i] = data.labels[src];
  });
  return { images, labels, count: order.length };
}

/** Trains `layers` in place on `data`; see TrainOptions. */
export function trainMlp(layers: DenseLayer[], data: TrainData, opts: TrainOptions): TrainResult {
  const steps = trainSteps(layers, data, opts);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * trainMlp one batch at a time: yields the fraction of all planned work done after every batch,
 * returns the result. Lets a caller interleave training with other work (progress messages,
 * cancel) and stop it by simply not resuming (the layers then hold the weights of the last batch).
 */
export function* trainSteps(layers: DenseLayer[], data: TrainData, opts: TrainOptions): Generator<number, TrainResult, void> {
  const I = layers[0].inputs;
  const classes = layers[layers.length - 1].outputs;
  if (data.images.length < data.count * I) throw new Error(`training data: ${data.images.length} values for ${data.count} samples of ${I}`);
  for (let i = 0; i < data.count; i++) {
    if (data.labels[i] < 0 || data.labels[i] >= classes) throw new Error(`training label ${i} is ${data.labels[i]}, the network has ${classes} outputs`);
  }
  const seed = opts.seed ?? 1;
  const rand = mulberry32(seed);
  let train = data;
  let validation = opts.validation;
  if (validation === undefined && opts.validationFraction !== undefined && opts.validationFraction > 0) {
    const order = permutation(data.count, mulberry32(seed ^ 0x5bd1e995));
    const nVal = Math.round(data.count * opts.validationFraction);
    validation = subset(data, order.subarray(0, nVal), I);
    train = subset(data, order.subarray(nVal), I);
  }
  const batch = Math.max(1, Math.min(opts.batchSize ?? 64, train.count));
  const optimizer = opts.optimizer ?? 'adam';
  let lr = opts.learningRate ?? (optimizer === 'adam' ? 1e-3 : 0.05);
  const momentum = opts.momentum ?? 0.9;
  const masks = opts.masks;
  applyMasks(layers, masks);

  const ws = new Workspace(layers, batch);
  ws.setMasks(masks);
  const grads = zeroGradients(layers);
  const m1 = zeroGradients(layers);
  const m2 = optimizer === 'adam' ? zeroGradients(layers) : [];
  const batchLabels = new Int32Array(batch);
  let step = 0;

  const reports: EpochReport[] = [];
  let best = -1;
  let bestEpoch = 0;
  let bestLayers: DenseLayer[] | undefined;
  let stoppedEarly = false;
  const batchesPerEpoch = Math.ceil(train.count / batch);
  let stop = false;

  for (let epoch = 1; epoch <= opts.epochs && !stop; epoch++) {
    const order = permutation(train.count, rand);
    let loss = 0;
    let correct = 0;
    for (let b = 0; b < batchesPerEpoch && !stop; b++) {
      const start = b * batch;
      const n = Math.min(batch, train.count - start);
      for (let s = 0; s < n; s++) {
        const src = order[start + s];
        ws.acts[0].set(train.images.subarray(src * I, (src + 1) * I), s * I);
        if (opts.augment !== undefined) opts.augment(ws.acts[0].subarray(s * I, (s + 1) * I), rand);
        batchLabels[s] = train.labels[src];
      }
      for (const g of grads) {
        g.weight.fill(0);
        g.bias.fill(0);
      }
      forwardBatch(ws, n);
      const r = backwardBatch(ws, n, batchLabels, grads);
      loss += r.loss;
      correct += r.correct;
      step++;
      update(layers, grads, masks, optimizer, lr, momentum, step, m1, m2);
      const fraction = ((epoch - 1) * batchesPerEpoch + b + 1) / (opts.epochs * batchesPerEpoch);
      if (opts.onBatch?.(fraction) === false) stop = true;
      yield fraction;
    }
    const report: EpochReport = { epoch, loss: loss / train.count, trainAccuracy: correct / train.count };
    if (validation !== undefined && validation.count > 0) {
      const v = evaluateMlp(layers, validation, 256, masks);
      report.validationLoss = v.loss;
      report.validationAccuracy = v.accuracy;
      if (v.accuracy > best) {
        best = v.accuracy;
        bestEpoch = epoch;
        bestLayers = cloneLayers(layers);
      } else if (opts.patience !== undefined && epoch - bestEpoch >= opts.patience) {
        stoppedEarly = true;
        stop = true;
      }
    } else {
      bestEpoch = epoch;
    }
    reports.push(report);
    if (opts.onEpoch?.(report) === false) stop = true;
    lr *= opts.learningRateDecay ?? 1;
  }
  if (bestLayers !== undefined && bestEpoch !== reports.length) {
    bestLayers.forEach((bl, l) => {
      layers[l].weight.set(bl.weight);
      layers[l].bias.set(bl.bias);
    });
  }
  return { epochs: reports, bestEpoch, stoppedEarly };
}

function update(
  layers: DenseLayer[], grads: LayerGradients[], masks: (Uint8Array | undefined)[] | undefined,
  optimizer: 'adam' | 'sgd', lr: number, momentum: number, step: number, m1: LayerGradients[], m2: LayerGradients[],
): void {
  layers.forEach((layer, l) => {
    const mask = masks?.[l];
    const pairs: [Float32Array, Float32Array, Float32Array, Float32Array | undefined, Uint8Array | undefined][] = [
      [layer.weight, grads[l].weight, m1[l].weight, m2[l]?.weight, mask],
      [layer.bias, grads[l].bias, m1[l].bias, m2[l]?.bias, undefined],
    ];
    for (const [p, g, m, v, mk] of pairs) {
      if (optimizer === 'adam') {
        adamStep(p, g, m, v!, mk, lr, step);
      } else {
        for (let i = 0; i < p.length; i++) {
          if (mk !== undefined && mk[i] === 0) continue;
          const mi = (m[i] = momentum * m[i] + g[i]);
          p[i] -= lr * mi;
        }
      }
    }
  });
}
