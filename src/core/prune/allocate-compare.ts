// An allocation set beside the plain alternatives at the same sparsity, on the same samples:
// allocated per-layer ratios, one ratio per layer (uniform), and one global magnitude cut.
import type { Model } from '../onnx/model';
import type { EvalData } from '../eval/types';
import { applyPrune } from './apply';
import { planPrune } from './plan';
import type { PruneOptions } from './types';
import { measureModel } from './sensitivity-measure';
import type { Allocation, AllocationComparison } from './sensitivity-report';

/** Accuracy, loss and the analysed tensors' sparsity of the three prunings (`structure` as the analysis'). */
export function compareAllocation(model: Model, data: EvalData, samples: number, allocation: Allocation, structure?: string): AllocationComparison[] {
  const select = allocation.rows.map((r) => r.tensor);
  const s = allocation.target;
  const base: Pick<PruneOptions, 'select' | 'structure'> = { select, ...(structure !== undefined && structure !== 'unstructured' ? { structure } : {}) };
  const specs: [AllocationComparison['name'], PruneOptions][] = [
    ['allocated', { ...base, ratio: s, mode: 'layer', overrides: allocation.overrides }],
    ['uniform per layer', { ...base, ratio: s, mode: 'layer' }],
    ['global', { ...base, ratio: s, mode: 'global' }],
  ];
  return specs.map(([name, opts]) => {
    const plan = planPrune(model, opts);
    const score = measureModel(applyPrune(model, plan), data, samples, `the model pruned ${name}`);
    return { name, ...score, sparsity: plan.prunableParams > 0 ? plan.prunedParams / plan.prunableParams : 0 };
  });
}
