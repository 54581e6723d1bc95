// The settings the data-aware pruning methods need in the UI: which data (the bundled training
// split or files the user picked), how many calibration samples, how many training samples and
// epochs, with the defaults of the method registry (the same as the CLI's). Pure: no DOM, no engine calls.

import { METHOD_REGISTRY, PRUNE_METHODS, type DatasetSource, type EvalPoint, type FinetuneStart, type PruneMethod, type PruneSpec } from '../engine/protocol';

/** The methods in the registry's order (the order of the UI's choices and of sorted points). */
export const METHODS: readonly PruneMethod[] = PRUNE_METHODS;
export { METHOD_REGISTRY };

export interface MethodData {
  source: DatasetSource;
  label: string;
}

export const BUNDLED_TRAIN: MethodData = { source: { kind: 'sample', split: 'train' }, label: 'Bundled MNIST train split' };

/** What the panels say while no data is chosen (a model other than the bundled sample). */
export const NO_DATA_LABEL = 'No data chosen';

export interface MethodSettings {
  /**
   * Calibration data (reconstruct) and training data (fine-tune): one choice for both. Null until
   * the user picks data, except for the bundled sample, whose default is the bundled train split.
   */
  data: MethodData | null;
  /** reconstruct: calibration samples used. */
  calibration: number;
  /** finetune: training samples used; null = all. */
  trainLimit: number | null;
  /** finetune: at most this many epochs (validation may stop it sooner). */
  epochs: number;
  /** finetune: the mask it trains from (PruneSpec.start). */
  start: FinetuneStart;
}

/** The settings for a newly opened model: `data` is the bundled train split for the sample, else null. */
export function defaultMethodSettings(data: MethodData | null = BUNDLED_TRAIN): MethodSettings {
  const { reconstruct, finetune } = METHOD_REGISTRY;
  return {
    data,
    calibration: reconstruct.defaults.dataLimit ?? 1,
    trainLimit: finetune.defaults.dataLimit ?? null,
    epochs: finetune.defaults.epochs ?? 1,
    start: 'magnitude',
  };
}

/**
 * The spec for `method` with these settings: the method's own data fields are set, the other
 * method's removed, so that equal choices give equal specs (the engine caches on them).
 */
export function specForMethod<S extends Omit<PruneSpec, 'ratio'>>(spec: S, method: PruneMethod, settings: MethodSettings): S {
  const base: S = { ...spec };
  delete base.method;
  delete base.calibration;
  delete base.train;
  delete base.dataLimit;
  delete base.epochs;
  delete base.start;
  const need = METHOD_REGISTRY[method].data;
  // Without chosen data the spec names none: the panels keep Apply and Run disabled until there is.
  const data = settings.data?.source;
  if (need === 'calibration') return { ...base, method, ...(data ? { calibration: data } : {}), dataLimit: settings.calibration };
  if (need === 'training') {
    return {
      ...base, method, ...(data ? { train: data } : {}), epochs: settings.epochs, ...(settings.trainLimit !== null ? { dataLimit: settings.trainLimit } : {}),
      ...(settings.start === 'reconstruct' ? { start: 'reconstruct' as const } : {}),
    };
  }
  return { ...base, method: 'magnitude' };
}

export function methodOf(p: { method?: PruneMethod }): PruneMethod {
  return p.method ?? 'magnitude';
}

/** A stable text key of a spec for "is this the one that was applied?" (bytes by name and size). */
export function specKey(spec: PruneSpec): string {
  return JSON.stringify(spec, (_key, value: unknown) => (value instanceof ArrayBuffer ? `bytes:${value.byteLength}` : value));
}

/** Adds or replaces the point of the same method and ratio. */
export function mergePoint(points: EvalPoint[], point: EvalPoint): EvalPoint[] {
  const m = methodOf(point);
  return [...points.filter((p) => p.ratio !== point.ratio || methodOf(p) !== m), point];
}

/** Points by ratio, then in the order of METHODS. */
export function sortPoints(points: EvalPoint[]): EvalPoint[] {
  return [...points].sort((a, b) => a.ratio - b.ratio || METHODS.indexOf(methodOf(a)) - METHODS.indexOf(methodOf(b)));
}

/** True when `method` needs data and none has been chosen. */
export function methodLacksData(method: PruneMethod, settings: MethodSettings): boolean {
  return METHOD_REGISTRY[method].data !== 'none' && settings.data === null;
}

/** What one setting line says about a method's data, e.g. "1,000 calibration samples of …". */
export function describeMethod(method: PruneMethod, settings: MethodSettings): string {
  const need = METHOD_REGISTRY[method].data;
  const label = settings.data?.label ?? '(no data chosen yet)';
  if (need === 'calibration') return `${settings.calibration.toLocaleString('en-US')} calibration samples of ${label}`;
  if (need === 'training') {
    const n = settings.trainLimit === null ? 'all' : settings.trainLimit.toLocaleString('en-US');
    const from = settings.start === 'reconstruct' ? ", from reconstruct's mask" : '';
    return `${n} training samples of ${label}, up to ${settings.epochs} epoch${settings.epochs === 1 ? '' : 's'}${from}`;
  }
  return 'no data needed';
}
