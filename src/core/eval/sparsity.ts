// The sparsity an evaluation reports: the fraction of zeros in the weights pruning works on, as the
// evaluated model holds them (with channels, the removed weights count as pruned). A model pruned
// before it was opened reports its zeros at ratio 0.
import { countZeros } from '../analysis/zeros';
import { elementCount, type Model } from '../onnx/model';

/**
 * Zeros / elements over the named dense initializers of `model` (0 when they hold no elements).
 * `before`: each tensor's element count before pruning; a tensor that shrank (channels removed)
 * then counts its removed elements as pruned too: (zeros + removed) / elements before.
 */
export function weightSparsity(model: Model, tensors: readonly string[], before?: ReadonlyMap<string, number>): number {
  const wanted = new Set(tensors);
  let zeros = 0;
  let count = 0;
  for (const t of model.graph.initializers) {
    if (!wanted.has(t.name)) continue;
    const now = elementCount(t.dims);
    const was = Math.max(now, before?.get(t.name) ?? now);
    count += was;
    zeros += countZeros(t) + (was - now);
  }
  return count > 0 ? zeros / count : 0;
}
