// N:M and block plans (structure.ts): which groups of weights are removed, and the mask of a
// tensor under such a plan. Not implemented yet: every call is refused as unsupported.
import type { Model, Tensor } from '../onnx/model';
import type { PruneStructure } from './structure';
import { PruneError, type LayerPlan, type PruneOptions, type PrunePlan } from './types';

export function planGrouped(_model: Model, _opts: PruneOptions, structure: Extract<PruneStructure, { kind: 'nm' | 'blocks' }>): PrunePlan {
  throw new PruneError(`${structure.kind === 'nm' ? 'N:M' : 'block'} pruning is not available yet`, 'unsupported');
}

/** 1 for every kept element of `t` under a structured layer plan, 0 for every pruned one. */
export function groupedMask(_t: Tensor, layer: LayerPlan): Uint8Array {
  throw new PruneError(`structured masks (${layer.structure ?? '?'}) are not available yet`, 'unsupported');
}
