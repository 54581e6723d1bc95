// Softmax cross-entropy of a batch of logits: summed loss, correct top-1 count, and the gradient
// of the batch's mean loss w.r.t. the logits.
export interface BatchLoss {
  loss: number;
  correct: number;
  dLogits: Float32Array;
}

/**
 * Softmax cross-entropy of one sample's logits (at `lo`, `classes` of them) against `label`:
 * writes d loss / d logits, divided by `count` (the batch mean), to `grad` at `go`; returns the
 * sample's loss and whether its arg-max is the label. The MLP trainer and the graph trainer share it.
 */
export function sampleSoftmaxLoss(
  logits: Float32Array, lo: number, classes: number, label: number, count: number, grad: Float32Array, go: number,
): { loss: number; correct: boolean } {
  let max = -Infinity;
  let arg = 0;
  for (let c = 0; c < classes; c++) {
    if (logits[lo + c] > max) {
      max = logits[lo + c];
      arg = c;
    }
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(logits[lo + c] - max);
  for (let c = 0; c < classes; c++) grad[go + c] = (Math.exp(logits[lo + c] - max) / sum - (c === label ? 1 : 0)) / count;
  return { loss: Math.log(sum) - (logits[lo + label] - max), correct: arg === label };
}

export function softmaxCrossEntropy(logits: Float32Array, labels: ArrayLike<number>, count: number, classes: number): BatchLoss {
  const dLogits = new Float32Array(count * classes);
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < count; s++) {
    const one = sampleSoftmaxLoss(logits, s * classes, classes, labels[s], count, dLogits, s * classes);
    loss += one.loss;
    if (one.correct) correct++;
  }
  return { loss, correct, dLogits };
}

/** Knowledge distillation settings (Hinton et al. 2015). */
export interface DistillWeights {
  /** Weight of the cross-entropy with the labels; 1 − alpha goes to the teacher term. */
  alpha: number;
  /** Softmax temperature T of both teacher and student in the teacher term. */
  temperature: number;
}

/** softmax(v[o .. o+classes) / T) written to `out`; returns log Σ exp(v/T − max). */
function softmaxT(v: ArrayLike<number>, o: number, classes: number, t: number, out: Float64Array): { max: number; logSum: number } {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, v[o + c] / t);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += (out[c] = Math.exp(v[o + c] / t - max));
  for (let c = 0; c < classes; c++) out[c] /= sum;
  return { max, logSum: Math.log(sum) };
}

/**
 * Distillation loss of a batch: per sample α·CE(label, softmax(s)) + (1 − α)·T²·KL(softmax(t/T) ‖
 * softmax(s/T)), s the student's logits, t the teacher's (both [count, classes]). `loss` is the
 * sum over the batch, `dLogits` the gradient of the batch mean w.r.t. s: α(softmax(s) − y) +
 * (1 − α)·T·(softmax(s/T) − softmax(t/T)), over count. α = 1 is softmaxCrossEntropy.
 */
export function distillationLoss(
  logits: Float32Array, teacher: ArrayLike<number>, labels: ArrayLike<number>, count: number, classes: number, w: DistillWeights,
): BatchLoss {
  const { alpha, temperature: T } = w;
  if (!(T > 0)) throw new Error(`distillation temperature must be > 0, got ${T}`);
  const dLogits = new Float32Array(count * classes);
  const ce = new Float32Array(classes);
  const qs = new Float64Array(classes);
  const qt = new Float64Array(classes);
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < count; s++) {
    const o = s * classes;
    const one = sampleSoftmaxLoss(logits, o, classes, labels[s], count, ce, 0);
    if (one.correct) correct++;
    const st = softmaxT(logits, o, classes, T, qs);
    const tt = softmaxT(teacher, o, classes, T, qt);
    let kl = 0;
    for (let c = 0; c < classes; c++) {
      if (qt[c] > 0) kl += qt[c] * ((teacher[o + c] / T - tt.max - tt.logSum) - (logits[o + c] / T - st.max - st.logSum));
      dLogits[o + c] = alpha * ce[c] + ((1 - alpha) * T * (qs[c] - qt[c])) / count;
    }
    loss += alpha * one.loss + (1 - alpha) * T * T * kl;
  }
  return { loss, correct, dLogits };
}
