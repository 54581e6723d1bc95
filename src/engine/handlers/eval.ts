// dataset, evaluate, sweep: datasets are parsed (and cached), runners are made per prune ratio for
// the sparse and dense runtimes and, where the platform has it, onnxruntime.

import { checkDatasetFits, parseDataset, type Dataset } from '../../core/data';
import { evaluatePoint, sweep as runSweep, type MakeRunners, type RunnerSlot, type EvalContext } from '../../core/eval';
import type { Model } from '../../core/onnx/model';
import { encodeModel } from '../../core/onnx/encode';
import { applyPrune } from '../../core/prune';
import { Session } from '../../core/runtime';
import type { Handler, JobContext } from '../context';
import { EngineFailure } from '../errors';
import type { DisposableRunner } from '../platform';
import type { DatasetSource, DatasetSummary, EvalOptions, PruneSpec, RuntimeName } from '../protocol';
import { checkPath, getModel, plan } from './common';

export async function loadDataset(ctx: JobContext, source: DatasetSource): Promise<Dataset> {
  const key = source.kind === 'sample' ? 'sample' : source.kind === 'paths' ? `paths:${source.paths.join('\n')}` : undefined;
  const cached = key !== undefined ? ctx.datasets.get(key) : undefined;
  if (cached) return cached;
  let files: { name: string; bytes: Uint8Array }[];
  if (source.kind === 'sample') {
    files = await ctx.platform.sampleDataset();
  } else if (source.kind === 'paths') {
    for (const p of source.paths) checkPath(ctx, p, false);
    files = [];
    for (const p of source.paths) files.push({ name: p, bytes: await ctx.platform.readFile(p) });
  } else {
    files = source.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) }));
  }
  const ds = parseDataset(files);
  if (key !== undefined) ctx.datasets.put(key, ds);
  return ds;
}

export function datasetSummary(ds: Dataset): DatasetSummary {
  return { name: ds.name, samples: ds.count, sampleShape: ds.sampleShape, classes: ds.classes };
}

export const dataset: Handler<'dataset'> = async (req, ctx) => datasetSummary(await loadDataset(ctx, req.source));

/** The model's data input (the first graph input that is not an initializer) and its class count. */
export function modelIo(model: Model, fileName: string): { name: string; dims: (number | string | null)[]; classes: number } {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const input = model.graph.inputs.find((i) => !inits.has(i.name));
  if (!input) throw new EngineFailure('bad-model', `${fileName}: the graph has no input to feed`, fileName);
  const dims = input.type?.kind === 'tensor' && input.type.shape ? input.type.shape : [null];
  const out = model.graph.outputs[0];
  const oshape = out?.type?.kind === 'tensor' ? out.type.shape : undefined;
  const last = oshape && oshape.length > 0 ? oshape[oshape.length - 1] : null;
  return { name: input.name, dims, classes: typeof last === 'number' && last > 0 ? last : Number.MAX_SAFE_INTEGER };
}

/** Dims of one sample for the model input: its fixed non-batch dims, else the dataset's sample shape. */
function sampleDims(dims: (number | string | null)[], ds: Dataset): number[] {
  const rest = dims.slice(1);
  if (rest.length > 0 && rest.every((d) => typeof d === 'number' && d > 0)) return rest as number[];
  return ds.sampleShape;
}

const ALL_RUNTIMES: RuntimeName[] = ['sparse', 'dense', 'onnxruntime'];

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Makes the runners of every requested runtime for the model pruned at `ratio`. */
export function runnerMaker(ctx: JobContext, model: Model, fileName: string, spec: Omit<PruneSpec, 'ratio'>, ds: Dataset, options: EvalOptions | undefined): MakeRunners {
  const io = modelIo(model, fileName);
  checkDatasetFits(ds, { dims: io.dims }, io.classes);
  const runtimes = options?.runtimes ?? ALL_RUNTIMES;
  const dims = sampleDims(io.dims, ds);
  return async (ratio) => {
    const p = plan(model, { ...spec, ratio });
    const pruned = applyPrune(model, p);
    const sparsity = p.prunableParams > 0 ? (p.prunableParams - p.keptParams) / p.prunableParams : 0;
    const slots: RunnerSlot[] = [];
    const disposers: DisposableRunner[] = [];
    for (const name of runtimes) {
      if (name === 'onnxruntime') {
        if (!ctx.platform.ort) {
          slots.push({ name, unavailable: 'onnxruntime is not available in this engine' });
          continue;
        }
        try {
          const r = await ctx.platform.ort(encodeModel(pruned), { name: io.name, sampleDims: dims });
          disposers.push(r);
          slots.push(r);
        } catch (e) {
          slots.push({ name, unavailable: `onnxruntime could not load the model: ${errorText(e)}` });
        }
        continue;
      }
      try {
        const session = Session.create(pruned, { kernels: name });
        slots.push({ name, runBatch: (input, batch) => session.runFloat(input, batch) });
      } catch (e) {
        if (e instanceof Error && e.name === 'UnsupportedOpError') slots.push({ name, unavailable: e.message });
        else throw e;
      }
    }
    return {
      slots,
      sparsity,
      dispose: async () => {
        for (const d of disposers) await d.dispose();
      },
    };
  };
}

function evalContext(ctx: JobContext): EvalContext {
  return { now: () => ctx.platform.now(), cancel: ctx.cancel, yieldNow: ctx.yieldNow, onProgress: (p) => ctx.progress(p) };
}

function settings(options: EvalOptions | undefined): { batch?: number; batch1?: boolean; limit?: number } {
  return { batch: options?.batch, batch1: options?.batch1, limit: options?.limit };
}

export const evaluate: Handler<'evaluate'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const ds = await loadDataset(ctx, req.dataset);
  const make = runnerMaker(ctx, open.model, open.fileName, req.spec, ds, req.options);
  return evaluatePoint(req.spec.ratio, make, ds, settings(req.options), evalContext(ctx));
};

export const sweep: Handler<'sweep'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const ds = await loadDataset(ctx, req.dataset);
  const make = runnerMaker(ctx, open.model, open.fileName, req.spec, ds, req.options);
  return runSweep(req.ratios, make, ds, settings(req.options), evalContext(ctx));
};
