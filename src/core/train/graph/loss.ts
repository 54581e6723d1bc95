// Softmax cross-entropy of a batch of logits: summed loss, correct top-1 count, and the gradient
// of the batch's mean loss w.r.t. the logits.
export interface BatchLoss {
  loss: number;
  correct: number;
  dLogits: Float32Array;
}

export function softmaxCrossEntropy(logits: Float32Array, labels: ArrayLike<number>, count: number, classes: number): BatchLoss {
  const dLogits = new Float32Array(count * classes);
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < count; s++) {
    const lo = s * classes;
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
    const label = labels[s];
    loss += Math.log(sum) - (logits[lo + label] - max);
    if (arg === label) correct++;
    for (let c = 0; c < classes; c++) dLogits[lo + c] = (Math.exp(logits[lo + c] - max) / sum - (c === label ? 1 : 0)) / count;
  }
  return { loss, correct, dLogits };
}
