// A multilayer perceptron of dense layers with ReLU between them (none after the last), its
// forward pass, and softmax cross-entropy gradients. Float32 storage, float64 accumulation.
// Kernels walk the non-zero inputs of each sample only: most MNIST pixels and most ReLU outputs
// are zero, which makes forward, weight gradient and input gradient several times cheaper.
import { maskedBackward, maskedForward, maskedRows, packWeights, type MaskedRows } from './masked';
import { gaussian, mulberry32 } from './random';
import { sampleSoftmaxLoss } from './graph/loss';

export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** [outputs × inputs], row-major: the ONNX Gemm weight with transB = 1 (PyTorch's layout). */
  weight: Float32Array;
  bias: Float32Array;
}

export interface LayerGradients {
  weight: Float32Array;
  bias: Float32Array;
}

/**
 * A network with the given layer widths (e.g. [784, 1000, 1000, 10]): weights and biases drawn
 * uniformly from ±1/√inputs as PyTorch's nn.Linear does ('uniform'), or weights N(0, 2/inputs)
 * with zero biases ('he'). Deterministic for a seed.
 */
export function initMlp(sizes: number[], seed: number, init: 'uniform' | 'he' = 'uniform'): DenseLayer[] {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`initMlp: layer sizes must be at least two positive integers, got [${sizes.join(', ')}]`);
  }
  const rand = mulberry32(seed);
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l];
    const outputs = sizes[l + 1];
    const weight = new Float32Array(inputs * outputs);
    const bias = new Float32Array(outputs);
    if (init === 'uniform') {
      const bound = 1 / Math.sqrt(inputs);
      for (let i = 0; i < weight.length; i++) weight[i] = (rand() * 2 - 1) * bound;
      for (let i = 0; i < outputs; i++) bias[i] = (rand() * 2 - 1) * bound;
    } else {
      const std = Math.sqrt(2 / inputs);
      for (let i = 0; i < weight.length; i++) weight[i] = gaussian(rand) * std;
    }
    layers.push({ inputs, outputs, weight, bias });
  }
  return layers;
}

export function cloneLayers(layers: DenseLayer[]): DenseLayer[] {
  return layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, weight: l.weight.slice(), bias: l.bias.slice() }));
}

export function zeroGradients(layers: DenseLayer[]): LayerGradients[] {
  return layers.map((l) => ({ weight: new Float32Array(l.weight.length), bias: new Float32Array(l.outputs) }));
}

/** Non-zero entries of x[off .. off+n) into (idx, val); returns their count. */
function gather(x: Float32Array, off: number, n: number, idx: Int32Array, val: Float32Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = x[off + i];
    if (v !== 0) {
      idx[k] = i;
      val[k] = v;
      k++;
    }
  }
  return k;
}

/** Scratch buffers for one network and batch size, reused across calls. */
export class Workspace {
  /** acts[l]: the batch's input to layer l (acts[L] = logits), batch × width. */
  readonly acts: Float32Array[];
  /** Non-zero entries of each sample of the current layer input: indices, values, counts. */
  readonly idx: Int32Array;
  readonly val: Float32Array;
  readonly nnz: Int32Array;
  /** Gradients w.r.t. a layer's output and input, batch × widest. */
  dA: Float32Array;
  dB: Float32Array;
  readonly widest: number;
  /** Per layer, its kept weights as CSR when it has a mask (see setMasks). */
  masked: (MaskedRows | undefined)[];
  /** Per layer, whether the last forward pass took the masked kernel (backward follows it). */
  readonly useMasked: boolean[];
  constructor(readonly layers: DenseLayer[], readonly batch: number) {
    this.masked = layers.map(() => undefined);
    this.useMasked = layers.map(() => false);
    const widths = [layers[0].inputs, ...layers.map((l) => l.outputs)];
    this.acts = widths.map((w) => new Float32Array(batch * w));
    this.widest = Math.max(...widths);
    this.idx = new Int32Array(batch * this.widest);
    this.val = new Float32Array(batch * this.widest);
    this.nnz = new Int32Array(batch);
    this.dA = new Float32Array(batch * this.widest);
    this.dB = new Float32Array(batch * this.widest);
  }

  /**
   * Layers with a mask (1 = kept) get the masked kernels whenever their kept weights per row are
   * fewer than the batch's non-zero inputs per sample. Masked weights must be 0 in the layers.
   */
  setMasks(masks: (Uint8Array | undefined)[] | undefined): void {
    this.masked = this.layers.map((l, i) => {
      const m = masks?.[i];
      return m === undefined ? undefined : maskedRows(m, l.outputs, l.inputs);
    });
  }

  /** Gathers the non-zero inputs of layer l for samples 0..count-1 (sample s at s × widest). */
  gatherLayer(l: number, count: number): void {
    const width = l === 0 ? this.layers[0].inputs : this.layers[l - 1].outputs;
    const x = this.acts[l];
    for (let s = 0; s < count; s++) {
      this.nnz[s] = gather(x, s * width, width, this.idx.subarray(s * this.widest), this.val.subarray(s * this.widest));
    }
  }
}

// The kernels run weight row by weight row, and within a row over every sample of the batch:
// a row (and its gradient row) stays in cache while the batch passes over it, instead of the
// whole matrix streaming from memory once per sample.

/** Forward pass of `count` ≤ ws.batch samples already copied into ws.acts[0]; logits in ws.acts[L]. */
export function forwardBatch(ws: Workspace, count: number): void {
  const { layers, acts, idx, val, nnz, widest } = ws;
  const last = layers.length - 1;
  for (let l = 0; l <= last; l++) {
    const { inputs: I, outputs: O, weight: W, bias } = layers[l];
    const y = acts[l + 1];
    const relu = l < last;
    ws.gatherLayer(l, count);
    const m = ws.masked[l];
    let inputNnz = 0;
    for (let s = 0; s < count; s++) inputNnz += nnz[s];
    ws.useMasked[l] = m !== undefined && m.col.length * count < inputNnz * O;
    if (m !== undefined && ws.useMasked[l]) {
      packWeights(m, W, I);
      maskedForward(m, acts[l], I, bias, y, count, relu);
      continue;
    }
    for (let o = 0; o < O; o++) {
      const r = o * I;
      const b = bias[o];
      for (let s = 0; s < count; s++) {
        const base = s * widest;
        const end = base + nnz[s];
        let sum = 0;
        for (let k = base; k < end; k++) sum += val[k] * W[r + idx[k]];
        sum += b;
        y[s * O + o] = relu && sum < 0 ? 0 : sum;
      }
    }
  }
}

/**
 * Softmax cross-entropy of the batch in ws (after forwardBatch), mean over the batch, and its
 * gradients added to `grads` (which the caller zeroes). Returns the summed loss and the number of
 * correct top-1 predictions.
 */
export function backwardBatch(ws: Workspace, count: number, labels: Int32Array, grads: LayerGradients[]): { loss: number; correct: number } {
  const { layers, acts, idx, val, nnz, widest } = ws;
  const L = layers.length;
  const classes = layers[L - 1].outputs;
  const logits = acts[L];
  let loss = 0;
  let correct = 0;
  // d logits = (softmax − onehot) / count, sample s at s × widest of dOut.
  let dOut = ws.dA;
  let dIn = ws.dB;
  for (let s = 0; s < count; s++) {
    const one = sampleSoftmaxLoss(logits, s * classes, classes, labels[s], count, dOut, s * widest);
    loss += one.loss;
    if (one.correct) correct++;
  }

  for (let l = L - 1; l >= 0; l--) {
    const { inputs: I, outputs: O, weight: W } = layers[l];
    const gW = grads[l].weight;
    const gb = grads[l].bias;
    const needInput = l > 0;
    const m = ws.masked[l];
    if (m !== undefined && ws.useMasked[l]) {
      maskedBackward(m, acts[l], I, dOut, needInput ? dIn : undefined, widest, count, gW, gb);
      if (needInput) {
        const t = dOut;
        dOut = dIn;
        dIn = t;
      }
      continue;
    }
    ws.gatherLayer(l, count);
    if (needInput) for (let s = 0; s < count; s++) dIn.fill(0, s * widest, s * widest + I);
    for (let o = 0; o < O; o++) {
      const r = o * I;
      for (let s = 0; s < count; s++) {
        const g = dOut[s * widest + o];
        if (g === 0) continue;
        gb[o] += g;
        const base = s * widest;
        const end = base + nnz[s];
        if (needInput) {
          for (let k = base; k < end; k++) {
            const i = idx[k];
            gW[r + i] += g * val[k];
            dIn[base + i] += g * W[r + i];
          }
        } else {
          for (let k = base; k < end; k++) gW[r + idx[k]] += g * val[k];
        }
      }
    }
    if (needInput) {
      // The input of layer l is ReLU(z): its gradient passes only where it is non-zero, i.e. at
      // the gathered indices, the only ones dIn was accumulated at; elsewhere d z = 0.
      const t = dOut;
      dOut = dIn;
      dIn = t;
    }
  }
  return { loss, correct };
}

/** Logits of `count` samples (count × sampleSize values), computed in batches. */
export function forwardAll(layers: DenseLayer[], images: Float32Array, count: number, batch = 256): Float32Array {
  const I = layers[0].inputs;
  const classes = layers[layers.length - 1].outputs;
  if (images.length < count * I) throw new Error(`forwardAll: ${images.length} values for ${count} samples of ${I}`);
  const ws = new Workspace(layers, Math.min(batch, Math.max(count, 1)));
  const out = new Float32Array(count * classes);
  for (let start = 0; start < count; start += ws.batch) {
    const n = Math.min(ws.batch, count - start);
    ws.acts[0].set(images.subarray(start * I, (start + n) * I));
    forwardBatch(ws, n);
    out.set(ws.acts[layers.length].subarray(0, n * classes), start * classes);
  }
  return out;
}

/** Top-1 class of each sample (first maximum). */
export function predict(layers: DenseLayer[], images: Float32Array, count: number): Int32Array {
  const logits = forwardAll(layers, images, count);
  const classes = layers[layers.length - 1].outputs;
  const out = new Int32Array(count);
  for (let s = 0; s < count; s++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[s * classes + c] > logits[s * classes + best]) best = c;
    out[s] = best;
  }
  return out;
}

/**
 * Mean loss and gradients over the given samples (all of them when `indices` is omitted), for
 * tests and gradient checks.
 */
export function lossAndGradients(
  layers: DenseLayer[], images: Float32Array, labels: Int32Array, count: number,
): { loss: number; grads: LayerGradients[] } {
  const I = layers[0].inputs;
  const ws = new Workspace(layers, count);
  ws.acts[0].set(images.subarray(0, count * I));
  forwardBatch(ws, count);
  const grads = zeroGradients(layers);
  const { loss } = backwardBatch(ws, count, labels.subarray(0, count), grads);
  return { loss: loss / count, grads };
}
