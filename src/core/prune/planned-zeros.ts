// The zeros each tensor of a plan holds once the plan is applied, counted without building the
// pruned model: pruning never changes a tensor's size, so a per-node metrics "after" column of a
// non-channel plan needs only these counts (channel plans change shapes: apply them instead).
//
// After pruning, a tensor's zeros are its `pruned` elements plus the zeros among the kept ones.
// Unstructured: zeros have the smallest |w|, so the cut takes min(zeros, pruned) of them first and
// max(zeros, pruned) are zero after. N:M and blocks keep whole groups by their score, so a kept
// group may hold zeros: those are counted through the mask (only when the tensor has any zeros).
import { DataType, type Model, type Tensor } from '../onnx/model';
import { countZeros } from '../analysis/zeros';
import { pruneMask } from './apply';
import { prunableSources } from './prunable';
import { PruneError, type PrunePlan } from './types';

/** Whether element i of a float tensor (float, double, float16, bfloat16) is ±0. */
function zeroAt(t: Tensor): (i: number) => boolean {
  if (t.dataType === DataType.FLOAT16 || t.dataType === DataType.BFLOAT16) {
    const bits = t.data as Uint16Array;
    return (i) => (bits[i] & 0x7fff) === 0;
  }
  const a = t.data as Float32Array | Float64Array;
  return (i) => a[i] === 0;
}

/** Zeros of each planned tensor after applyPrune(model, plan), by tensor name (not for channel plans). */
export function plannedZeros(model: Model, plan: PrunePlan): Map<string, number> {
  if (plan.structure === 'channels') throw new PruneError('a channel plan changes the tensors’ shapes: apply it to count its zeros');
  const sources = prunableSources(model);
  const out = new Map<string, number>();
  for (const layer of plan.layers) {
    const t = sources.get(layer.tensor)?.tensor;
    if (t === undefined) throw new PruneError(`the plan prunes "${layer.tensor}", which is not an initializer or Constant tensor of this model`);
    const before = countZeros(t);
    if (layer.pruned === 0) out.set(layer.tensor, before);
    else if (layer.structure === undefined) out.set(layer.tensor, Math.max(before, layer.pruned));
    else if (before === 0) out.set(layer.tensor, layer.pruned);
    else {
      const mask = pruneMask(t, layer);
      const zero = zeroAt(t);
      let keptZeros = 0;
      for (let i = 0; i < mask.length; i++) if (mask[i] === 1 && zero(i)) keptZeros++;
      out.set(layer.tensor, layer.pruned + keptZeros);
    }
  }
  return out;
}
