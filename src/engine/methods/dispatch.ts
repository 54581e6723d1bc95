// The engine's one entry to the pruning methods of src/core/prune. Until the core dispatcher
// (src/core/prune/method.ts) lands, a stand-in with the same signature runs magnitude and
// reconstruct (synchronously) and answers 'unsupported' for finetune.

import type { Dataset } from '../../core/data';
import type { Model } from '../../core/onnx/model';
import { applyPrune, planPrune, type PruneOptions, type PrunePlan } from '../../core/prune';
import { reconstructPrune } from '../../core/prune/reconstruct';
import { EngineFailure } from '../errors';
import type { PruneMethod } from '../protocol';

export interface MethodSpec extends PruneOptions {
  method?: PruneMethod;
  dataLimit?: number;
  epochs?: number;
}

export interface MethodData {
  calibration?: Dataset;
  train?: Dataset;
}

export interface MethodHooks {
  onProgress?: (fraction: number, message: string) => void;
  isCancelled?: () => boolean;
  yieldNow?: () => Promise<void>;
}

export interface MethodResult {
  model: Model;
  plan: PrunePlan;
  method: PruneMethod;
  notes: string[];
}

export async function pruneWithMethod(model: Model, spec: MethodSpec, data: MethodData, hooks: MethodHooks = {}): Promise<MethodResult> {
  const method = spec.method ?? 'magnitude';
  const plan = planPrune(model, spec);
  if (method === 'magnitude') return { model: applyPrune(model, plan), plan, method, notes: [] };
  if (method === 'finetune') throw new EngineFailure('unsupported', 'pruning method "finetune" is not available yet');
  const cal = data.calibration;
  if (!cal) throw new EngineFailure('bad-dataset', 'reconstruct needs calibration samples');
  const count = Math.min(cal.count, spec.dataLimit ?? 1000);
  const r = reconstructPrune(model, {
    ratio: spec.ratio,
    calibration: cal.images,
    calibrationCount: count,
    onProgress: (p) => hooks.onProgress?.(p.fraction, `reconstruct ${p.tensor}`),
    isCancelled: hooks.isCancelled,
  });
  return { model: r.model, plan, method, notes: [] };
}

/** True when a thrown value is the core's "the method was cancelled". */
export function isMethodCancelled(e: unknown): boolean {
  return e instanceof Error && (e.name === 'PruneCancelled' || e.name === 'ReconstructCancelled' || e.name === 'CancelledError');
}
