// The data input of a model and its class count, as the evaluation and the pruning methods feed it.

import type { Model } from '../core/onnx/model';
import { type CompanionInput, companionInputs, companionProblem, inputDecls } from '../core/runtime/companion-inputs';
import { EngineFailure } from './errors';

/** The model's data input (the first graph input that is not an initializer) and its class count. */
export function modelIo(model: Model, fileName: string): { name: string; dims: (number | string | null)[]; classes: number; elemType?: number } {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const input = model.graph.inputs.find((i) => !inits.has(i.name));
  if (!input) throw new EngineFailure('bad-model', `${fileName}: the graph has no input to feed`, fileName);
  const dims = input.type?.kind === 'tensor' && input.type.shape ? input.type.shape : [null];
  const out = model.graph.outputs[0];
  const oshape = out?.type?.kind === 'tensor' ? out.type.shape : undefined;
  const last = oshape && oshape.length > 0 ? oshape[oshape.length - 1] : null;
  const elemType = input.type?.kind === 'tensor' && !input.type.elemTypeAbsent ? input.type.elemType : undefined;
  return { name: input.name, dims, classes: typeof last === 'number' && last > 0 ? last : Number.MAX_SAFE_INTEGER, ...(elemType !== undefined ? { elemType } : {}) };
}

/**
 * What evaluation feeds the model's inputs after the data input (attention_mask, token_type_ids, …:
 * core/runtime/companion-inputs.ts); an input the rule cannot fill is refused naming it.
 */
export function modelCompanions(model: Model, fileName: string): CompanionInput[] {
  const decl = inputDecls(model);
  return decl.length <= 1 ? [] : companionInputs(decl, decl[0], fileName);
}

/** Why the model's inputs after the data input cannot be fed (companion-inputs.ts), in words, or undefined. */
export function feedProblem(model: Model): string | undefined {
  const decl = inputDecls(model);
  return decl.length <= 1 ? undefined : companionProblem(decl, decl[0]);
}
