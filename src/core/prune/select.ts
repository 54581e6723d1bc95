// What every prune plan starts and ends with: the selected tensors (names, overrides and tensors
// checked, each with the nodes that use it) and the parameter totals of the finished plan.
import { elementCount, type Model, type Tensor } from '../onnx/model';
import { constantParams } from '../analysis/constants';
import { checkPrunable } from './magnitude';
import { defaultPrunable, nodeLabel, prunableSources } from './prunable';
import { PruneError, type LayerPlan, type PruneOptions, type PrunePlan } from './types';

/** Throws unless `r` is a number from 0 to 1; `what` names it in the message. */
export function checkRatio(what: string, r: number): void {
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1) {
    throw new PruneError(`${what} must be a number from 0 to 1, got ${String(r)}`);
  }
}

export interface Selection {
  /** The selected tensors, in selection order (duplicates dropped). */
  tensors: Tensor[];
  overrides: Record<string, number>;
  /** The labels of the nodes that read each selected tensor. */
  users: Map<string, string[]>;
}

/**
 * The tensors `opts` selects (the default prunable ones when it names none), each a dense
 * prunable initializer or Constant; every override a ratio naming a selected tensor, and passing
 * `checkOverride` when given (a structure's own rule). `unread`: tensors still in external files
 * are accepted (a streaming plan reads them itself).
 */
export function selectTensors(model: Model, opts: PruneOptions, checkOverride?: (name: string, r: number) => void, unread = false): Selection {
  const names = [...new Set(opts.select ?? defaultPrunable(model))];
  const overrides = opts.overrides ?? {};
  for (const name of Object.keys(overrides)) {
    checkRatio(`the override ratio for "${name}"`, overrides[name]);
    if (!names.includes(name)) throw new PruneError(`an override names "${name}", which is not among the tensors selected for pruning`);
    checkOverride?.(name, overrides[name]);
  }
  const sources = prunableSources(model);
  const tensors = names.map((name) => {
    const t = sources.get(name)?.tensor;
    if (t === undefined) {
      const sparse = model.graph.sparseInitializers.some((s) => s.values.name === name);
      throw new PruneError(sparse ? `"${name}" is a sparse initializer; only dense initializers can be pruned` : `the model has no initializer or Constant tensor named "${name}"`);
    }
    checkPrunable(t, unread);
    return t;
  });
  const users = new Map<string, string[]>();
  model.graph.nodes.forEach((node, i) => {
    for (const input of new Set(node.inputs)) {
      if (!sources.has(input)) continue;
      const list = users.get(input) ?? [];
      list.push(nodeLabel(node, i));
      users.set(input, list);
    }
  });
  return { tensors, overrides, users };
}

/** The parameter counts of a plan over `layers`: the whole main graph's, the selected, kept and pruned. */
export function planTotals(model: Model, layers: LayerPlan[]): Pick<PrunePlan, 'totalParams' | 'prunableParams' | 'keptParams' | 'prunedParams'> {
  let totalParams = 0;
  for (const t of model.graph.initializers) totalParams += elementCount(t.dims);
  for (const s of model.graph.sparseInitializers) totalParams += elementCount(s.dims);
  for (const node of model.graph.nodes) if (node.opType === 'Constant') totalParams += constantParams(node);
  const prunableParams = layers.reduce((s, l) => s + l.n, 0);
  const prunedParams = layers.reduce((s, l) => s + l.pruned, 0);
  return { totalParams, prunableParams, keptParams: prunableParams - prunedParams, prunedParams };
}
