// Evaluation of runtimes on labelled data, and sweeps over prune ratios.
export * from './types';
export * from './cancel';
export * from './ratios';
export { argmax, evaluate, sampleCount, Ticker, DEFAULT_BATCH, LARGE_BATCH_PASSES } from './evaluate';
export { evaluatePoint, sweep, type MakeRunners, type PointRunners } from './sweep';
export * from './workers';
export { weightSparsity } from './sparsity';
export { exportedFacts, nonzeroParamCount } from './exported';
export { ortTimeRatio, ortTooFew, ALTERNATION_TEXT, TOO_FEW_TEXT, EXPORTED_ORT_LABEL } from './original';
export { timeAgainstOriginal, ROUNDS, WARM_UP, MIN_TIMED_SAMPLES } from './alternate';
export { evaluateLanguageModel, nextTokenNll, lossAndPerplexity, type TokenRunner, type TokenRunnerSlot, type NextTokenNll, tokenRunnerOf, tokenSlots } from './language-model';
export { sessionTokenRunner } from './token-runner';
