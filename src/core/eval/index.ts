// Evaluation of runtimes on labelled data, and sweeps over prune ratios.
export * from './types';
export * from './cancel';
export * from './ratios';
export { argmax, evaluate, sampleCount, Ticker, DEFAULT_BATCH, LARGE_BATCH_PASSES } from './evaluate';
export { evaluatePoint, sweep, type MakeRunners, type PointRunners } from './sweep';
export * from './workers';
export { weightSparsity } from './sparsity';
export { exportedFacts, nonzeroParamCount } from './exported';
export { originalOf, ortTimeRatio, EXPORTED_ORT_LABEL } from './original';
