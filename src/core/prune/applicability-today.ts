// Whether reconstruct and finetune can prune a selection, as the code of today decides it (MLP
// chains of Flatten / Gemm / Relu only): the existing checks of reconstruct.ts and the trainer,
// called, not copied. Kept apart so that the CNN versions (reconstructProblem in reconstruct.ts,
// finetuneProblem in ../train) replace these with a change of the import in applicability.ts.
import type { Model } from '../onnx/model';
import { mlpFromModel } from '../train/export';
import { gemmChain } from './reconstruct';

/** The problem in words, or undefined when the selection is made of weights of the chain. */
function chainProblem(model: Model, selected: readonly string[], what: string): string | undefined {
  let names: string[];
  try {
    names = gemmChain(model, what).map((g) => g.inputs[1]);
  } catch (e) {
    return (e as Error).message;
  }
  const other = selected.find((n) => !names.includes(n));
  return other === undefined ? undefined : `${what} can only prune the Gemm weights of an MLP chain; "${other}" is not one`;
}

export function reconstructProblem(model: Model, selected: readonly string[]): string | undefined {
  return chainProblem(model, selected, 'reconstruction pruning');
}

export function finetuneProblem(model: Model, selected: readonly string[]): string | undefined {
  const chain = chainProblem(model, selected, 'fine-tuning');
  if (chain !== undefined) return chain;
  try {
    mlpFromModel(model);
  } catch (e) {
    return `fine-tuning: ${(e as Error).message.replace(/^mlpFromModel: /, '')}`;
  }
  return undefined;
}
