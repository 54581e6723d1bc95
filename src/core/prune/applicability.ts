// Which pruning methods can prune a selection of a model with a structure, and if not, why in
// words: what the Prune panel shows before Apply and what the engine sends with the summary and
// each preview. With channels every method first needs a channel plan of the selection (a group
// the analysis cannot follow refuses all three); reconstruct with channels runs the whole model.
import type { Model } from '../onnx/model';
import { problemKind } from '../errors';
import { unsupportedNodes } from '../runtime';
import { PRUNE_METHODS, type PruneMethod } from './method-registry';
import { finetuneProblem } from '../train';
import { reconstructProblem } from './reconstruct';
import { wandaProblem } from './wanda';
import { planChannels } from './channels/plan';
import { canonicalStructure } from './structure';

/** Per method: undefined when it can apply, else the reason it cannot (one sentence). */
export type MethodAvailability = Record<PruneMethod, string | undefined>;

/** Whether the runtime runs every node (reconstruct with channels feeds the calibration samples through the whole model). */
function wholeModelProblem(model: Model): string | undefined {
  const bad = unsupportedNodes(model);
  if (bad.length === 0) return undefined;
  const b = bad[0];
  return `reconstruct with channels runs the whole model on the calibration samples, and the runtime cannot run ${b.opType} "${b.name}"${b.reason !== undefined ? ` (${b.reason})` : ''}`;
}

const CHECKS: Record<PruneMethod, (model: Model, selected: readonly string[], channels: boolean) => string | undefined> = {
  magnitude: () => undefined,
  reconstruct: (model, selected, channels) => reconstructProblem(model, [...selected]) ?? (channels ? wholeModelProblem(model) : undefined),
  finetune: (model, selected) => finetuneProblem(model, [...selected]),
  wanda: (model, selected, channels) => (channels ? 'wanda prunes single weights, N:M groups or blocks, not channels' : wandaProblem(model, [...selected])),
};

function sentence(text: string): string {
  const t = text.trim();
  return t === '' ? t : `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

/** Why channel pruning cannot plan `selected` (the planner's refusal), or undefined. */
export function channelsProblem(model: Model, selected: readonly string[], byDefault = false): string | undefined {
  try {
    planChannels(model, { ratio: 0, mode: 'layer', ...(byDefault ? {} : { select: [...selected] }) });
    return undefined;
  } catch (e) {
    if (problemKind(e) === undefined) throw e;
    return (e as Error).message;
  }
}

/** Answers per model (models are never changed in place: a prune makes a new one), the last few selections each. */
const answered = new WeakMap<Model, Map<string, MethodAvailability>>();
const ANSWERS_KEPT = 16;

/**
 * Whether each method can prune `selected` (tensor names) of `model` with `structure` (default
 * unstructured); an empty selection leaves nothing to prune. Remembered per model and question:
 * the Prune panel asks again with every preview, and the checks compile (and for fine-tuning run)
 * the graph. `byDefault`: `selected` is the default selection (defaultPrunable), not the user's, so
 * channels keep what the analysis cannot follow instead of refusing (channels/plan.ts).
 */
export function methodAvailability(model: Model, selected: readonly string[], structure?: string, byDefault = false): MethodAvailability {
  const key = JSON.stringify([structure ?? '', selected, byDefault]);
  let byKey = answered.get(model);
  const known = byKey?.get(key);
  if (known) return { ...known };
  const out = checkMethods(model, selected, structure, byDefault);
  if (!byKey) answered.set(model, (byKey = new Map()));
  if (byKey.size >= ANSWERS_KEPT) byKey.delete(byKey.keys().next().value as string);
  byKey.set(key, out);
  return { ...out };
}

function checkMethods(model: Model, selected: readonly string[], structure: string | undefined, byDefault: boolean): MethodAvailability {
  const out = {} as MethodAvailability;
  let channels = false;
  try {
    channels = canonicalStructure(structure) === 'channels';
  } catch {
    channels = false;
  }
  const refused = channels && selected.length > 0 ? channelsProblem(model, selected, byDefault) : undefined;
  for (const m of PRUNE_METHODS) {
    if (selected.length === 0) {
      out[m] = 'No weights are selected.';
      continue;
    }
    if (refused !== undefined) {
      out[m] = sentence(refused);
      continue;
    }
    let problem: string | undefined;
    try {
      problem = CHECKS[m](model, selected, channels);
    } catch (e) {
      problem = (e as Error).message;
    }
    out[m] = problem === undefined ? undefined : sentence(problem);
  }
  return out;
}
