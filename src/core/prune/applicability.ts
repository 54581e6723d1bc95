// Which pruning methods can prune a selection of a model, and if not, why in words: what the
// Prune panel shows before Apply and what the engine sends with the summary and each preview.
import type { Model } from '../onnx/model';
import { PRUNE_METHODS, type PruneMethod } from './method-registry';
import { finetuneProblem, reconstructProblem } from './applicability-today';

/** Per method: undefined when it can apply, else the reason it cannot (one sentence). */
export type MethodAvailability = Record<PruneMethod, string | undefined>;

const CHECKS: Record<PruneMethod, (model: Model, selected: readonly string[]) => string | undefined> = {
  magnitude: () => undefined,
  reconstruct: reconstructProblem,
  finetune: finetuneProblem,
};

function sentence(text: string): string {
  const t = text.trim();
  return t === '' ? t : `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

/** Whether each method can prune `selected` (tensor names) of `model`; an empty selection leaves nothing to prune. */
export function methodAvailability(model: Model, selected: readonly string[]): MethodAvailability {
  const out = {} as MethodAvailability;
  for (const m of PRUNE_METHODS) {
    if (selected.length === 0) {
      out[m] = 'No weights are selected.';
      continue;
    }
    let problem: string | undefined;
    try {
      problem = CHECKS[m](model, selected);
    } catch (e) {
      problem = (e as Error).message;
    }
    out[m] = problem === undefined ? undefined : sentence(problem);
  }
  return out;
}
