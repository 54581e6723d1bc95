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
