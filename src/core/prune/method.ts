// One entry for every pruning method: magnitude (the plan applied as it is), reconstruct (one-shot
// OBS / SparseGPT-style reconstruction on unlabelled calibration samples) and finetune (magnitude
// masks, then masked training on labelled samples). Slow methods run in steps and pause every
// ~50 ms of work for the caller's yieldNow, so an engine can send progress and receive a cancel.
import type { Dataset } from '../data/dataset';
import type { Model } from '../onnx/model';
import { applyPrune } from './apply';
import { finetuneSteps, type FinetuneOptions } from './finetune';
import { planPrune } from './plan';
import { gemmChain, reconstructSteps, ReconstructCancelled, type ReconstructOptions } from './reconstruct';
import type { Steps } from './reconstruct/solver';
import { PruneError, type PruneOptions, type PrunePlan } from './types';

/** The same strings as PruneMethod of src/engine/protocol.ts. */
export type PruneMethod = 'magnitude' | 'reconstruct' | 'finetune';

export const PRUNE_METHODS: readonly PruneMethod[] = ['magnitude', 'reconstruct', 'finetune'];

export interface MethodSpec extends PruneOptions {
  /** Default 'magnitude'. */
  method?: PruneMethod;
  /** reconstruct: calibration samples used (default 1000); finetune: training samples used (default all). */
  dataLimit?: number;
  /** finetune: most epochs at the target ratio (default 8; early stopping may end sooner). */
  epochs?: number;
  /** finetune: the trainer's settings beyond epochs (schedule steps, learning rate, seed…). */
  finetune?: Omit<FinetuneOptions, 'epochs' | 'onProgress'>;
  /** reconstruct: damping and fitting target (see ReconstructOptions). */
  reconstruct?: Pick<ReconstructOptions, 'dampening' | 'target' | 'blockSize'>;
}

export interface MethodData {
  /** reconstruct: unlabelled calibration samples (labels ignored). */
  calibration?: Dataset;
  /** finetune: labelled training samples. */
  train?: Dataset;
}

export interface MethodHooks {
  /** fraction 0..1 of the whole job. */
  onProgress?: (fraction: number, message: string) => void;
  isCancelled?: () => boolean;
  /** Awaited every ~50 ms of work so an engine can receive its cancel message. */
  yieldNow?: () => Promise<void>;
}

export interface MethodResult {
  model: Model;
  /**
   * The per-tensor counts. magnitude: planPrune(model, spec). reconstruct / finetune: planPrune of
   * the result with the same spec, whose counts equal the magnitude plan's and whose masks select
   * exactly the result's zeros (its thresholds are then 0 or the result's smallest kept |w|).
   */
  plan: PrunePlan;
  method: PruneMethod;
  /** What was done, for the user (schedule, epochs, samples, validation accuracy…). */
  notes: string[];
}

export class PruneCancelled extends Error {
  constructor(message = 'pruning was cancelled') {
    super(message);
    this.name = 'PruneCancelled';
  }
}

const DEFAULT_CALIBRATION = 1000;

/** Runs stepped work, checking for cancel at every step and pausing for yieldNow every ~50 ms. */
async function drive<T>(steps: Steps<T>, hooks: MethodHooks, report: () => void): Promise<T> {
  let last = Date.now();
  try {
    for (;;) {
      if (hooks.isCancelled?.() === true) throw new PruneCancelled();
      const r = steps.next();
      if (r.done === true) return r.value;
      const now = Date.now();
      if (now - last >= 50) {
        report();
        if (hooks.yieldNow !== undefined) await hooks.yieldNow();
        last = Date.now();
      }
    }
  } catch (e) {
    if (e instanceof ReconstructCancelled) throw new PruneCancelled();
    throw e;
  } finally {
    steps.return(undefined as T);
  }
}

function limitOf(spec: MethodSpec, dflt: number | undefined, what: string): number | undefined {
  const n = spec.dataLimit ?? dflt;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new PruneError(`the ${what} sample limit must be a positive integer, got ${String(n)}`);
  return n;
}

/** Prunes `model` with the method; never mutates `model`. */
export async function pruneWithMethod(model: Model, spec: MethodSpec, data: MethodData, hooks: MethodHooks = {}): Promise<MethodResult> {
  const method = spec.method ?? 'magnitude';
  if (!PRUNE_METHODS.includes(method)) throw new PruneError(`unknown pruning method "${String(method)}" (magnitude, reconstruct or finetune)`);
  const options: PruneOptions = { ratio: spec.ratio, mode: spec.mode, select: spec.select, overrides: spec.overrides };
  const plan = planPrune(model, options);
  if (method === 'magnitude') {
    hooks.onProgress?.(1, 'magnitude pruning');
    return { model: applyPrune(model, plan), plan, method, notes: [] };
  }

  if (method === 'reconstruct') {
    const calib = data.calibration;
    if (calib === undefined) throw new PruneError('reconstruct needs calibration samples (--calib)');
    const gemms = gemmChain(model);
    const names = gemms.map((g) => g.inputs[1]);
    const prunedCounts: Record<string, number> = {};
    for (const l of plan.layers) {
      if (!names.includes(l.tensor)) throw new PruneError(`reconstruction pruning can only prune the Gemm weights of the MLP; "${l.tensor}" is not one`);
      prunedCounts[l.tensor] = l.pruned;
    }
    const count = Math.min(calib.count, limitOf(spec, DEFAULT_CALIBRATION, 'calibration') ?? DEFAULT_CALIBRATION);
    if (count < 1) throw new PruneError(`the calibration set "${calib.name}" holds no samples`);
    const w = model.graph.initializers.find((t) => t.name === names[0]);
    const inputs = w === undefined ? 0 : gemms[0].attributes.some((a) => a.name === 'transB' && Number(a.value) !== 0) ? w.dims[1] : w.dims[0];
    if (calib.sampleSize !== inputs) {
      throw new PruneError(`the calibration set "${calib.name}" has samples of ${calib.sampleSize} values, the model takes ${inputs}`);
    }
    let fraction = 0;
    let message = 'reconstructing';
    const steps = reconstructSteps(model, {
      ...spec.reconstruct,
      ratio: spec.ratio,
      calibration: calib.images.subarray(0, count * calib.sampleSize),
      calibrationCount: count,
      prunedCounts,
      onProgress: (p) => {
        fraction = p.fraction;
        message = `reconstructing ${p.tensor} (layer ${p.layer + 1} of ${p.layers})`;
      },
    });
    const { model: out, report } = await drive(steps, hooks, () => hooks.onProgress?.(fraction, message));
    hooks.onProgress?.(1, 'reconstruction done');
    const notes = [
      `reconstructed on ${count} calibration samples of "${calib.name}" (dampening ${report.dampening})`,
      ...report.layers.map((l) => `${l.tensor}: relative output error ${l.outputError.toExponential(2)} (magnitude pruning: ${l.magnitudeOutputError.toExponential(2)})`),
    ];
    return { model: out, plan: planPrune(out, options), method, notes };
  }

  // finetune
  const train = data.train;
  if (train === undefined) throw new PruneError('finetune needs labelled training samples (--train)');
  const limit = limitOf(spec, undefined, 'training');
  const count = Math.min(train.count, limit ?? train.count);
  let fraction = 0;
  let message = 'fine-tuning';
  const steps = finetuneSteps(
    model, options,
    { images: train.images, labels: train.labels, count, sampleSize: train.sampleSize, name: train.name },
    {
      ...spec.finetune,
      epochs: spec.epochs,
      onProgress: (f, m) => {
        fraction = f;
        message = m;
      },
    },
  );
  const result = await drive(steps, hooks, () => hooks.onProgress?.(fraction, message));
  hooks.onProgress?.(1, 'fine-tuning done');
  return { model: result.model, plan: result.plan, method, notes: result.notes };
}
