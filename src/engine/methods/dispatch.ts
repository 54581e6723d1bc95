// The engine's one entry to the pruning methods: the core dispatcher of src/core/prune/method.ts,
// and how its errors are told apart.

export { pruneWithMethod, PruneCancelled, type MethodData, type MethodHooks, type MethodResult, type MethodSpec } from '../../core/prune/method';

/** True when a thrown value is the core's "the method was cancelled". */
export function isMethodCancelled(e: unknown): boolean {
  return e instanceof Error && (e.name === 'PruneCancelled' || e.name === 'ReconstructCancelled' || e.name === 'CancelledError');
}

/** True when a method's PruneError is about the data it was given (not about the model). */
export function isDataProblem(message: string): boolean {
  return /\b(calibration|training|train) (set|samples)\b|\bneeds (calibration|labelled)|\blabels?\b/i.test(message);
}
