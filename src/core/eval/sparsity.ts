// The sparsity an evaluation reports: the fraction of zeros in the weights pruning works on, as the
// evaluated model holds them. A model pruned before it was opened reports its zeros at ratio 0.
import { countZeros } from '../analysis/zeros';
import { elementCount, type Model } from '../onnx/model';

/** Zeros / elements over the named dense initializers of `model` (0 when they hold no elements). */
export function weightSparsity(model: Model, tensors: readonly string[]): number {
  const wanted = new Set(tensors);
  let zeros = 0;
  let count = 0;
  for (const t of model.graph.initializers) {
    if (!wanted.has(t.name)) continue;
    count += elementCount(t.dims);
    zeros += countZeros(t);
  }
  return count > 0 ? zeros / count : 0;
}
