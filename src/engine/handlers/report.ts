// report: a shareable HTML file (or its text) describing the open model: its summary and graph,
// per-node metrics, each weight's histogram and, as asked, a sweep of accuracy and time over prune
// ratios, a sensitivity analysis (with an allocation), the diff against a second open model and
// per-node error (of that model, or of this one pruned by the spec at one ratio). Results the app
// already has come in `given` and are written as they are. The viewer script comes from the
// platform (out/report/viewer.js on Node, fetched beside the app in the browser); core/report/html.ts
// assembles the page. Progress: each stage gets a share of 0..1000 by its rough cost; Cancel stops all.

import { SUPPORTED_OPS } from '../../core/runtime';
import { nodeMetrics } from '../../core/analysis/node-metrics';
import { reportHtml } from '../../core/report/html';
import { ALWAYS_SECTIONS, omittedSections, REPORT_ERRORS_RATIO } from '../../core/report/sections';
import type { Handler, JobContext } from '../context';
import { datasetSummary, loadDataset } from '../datasets';
import { EngineFailure } from '../errors';
import { REPORT_FORMAT, type Progress, type ReportData, type Request } from '../protocol';
import { summarizeModel } from '../summary';
import { checkNotModelPath, checkPath, getModel } from './common';
import { diff } from './diff';
import { sweep } from './eval';
import { stats } from './model';
import { nodeErrors } from './node-errors';
import { sensitivity } from './sensitivity';

/** Histogram bins of each weight in a report (the Histograms panel's default). */
export const REPORT_BINS = 64;
/** Constant tensors smaller than this (in elements) get no histogram (the weight table's and `prunescope stats`' default). */
export const REPORT_MIN_CONSTANT = 16;
/** Ratios a report sweeps when the request names none: a short list, so the report stays quick. */
export const REPORT_RATIOS: readonly number[] = [0, 0.25, 0.5, 0.75, 0.9];
/** Histogram bins of the diff's changed tensors (before and after on one range). */
export const REPORT_DIFF_BINS = 32;

/** This job's context with its progress mapped into [from, to] of the report's 0..1000. */
function stage(ctx: JobContext, from: number, to: number, label: string): JobContext {
  return {
    ...ctx,
    progress: (p: Progress) => {
      const f = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
      const { sensitivity: _point, point: _sweepPoint, ...rest } = p;
      ctx.progress({ ...rest, done: Math.round(1000 * (from + (to - from) * f)), total: 1000, message: `${label}: ${p.message}` });
    },
  };
}

/** The section ids a report's data holds, in the order the viewer draws them. */
export function reportSections(data: ReportData): string[] {
  const out: string[] = [...ALWAYS_SECTIONS];
  for (const k of ['sweep', 'sensitivity', 'diff', 'nodeErrors'] as const) if (data[k]) out.push(k);
  return out;
}

type ReportRequest = Extract<Request, { type: 'report' }>;

/** The stages to run and their rough relative cost (the progress bar's shares). */
function stagesOf(req: ReportRequest, runSweep: boolean): [string, number][] {
  const out: [string, number][] = [['histograms', 1]];
  if (runSweep) out.push(['sweep', 6]);
  if (req.sensitivity && !req.given?.sensitivity && req.dataset) out.push(['sensitivity', 10]);
  if (req.compareModelId !== undefined) out.push(['diff', 1]);
  if (req.errors && req.dataset) out.push(['node errors', 4]);
  return out;
}

export const report: Handler<'report'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  const other = req.compareModelId !== undefined ? getModel(ctx, req.compareModelId) : undefined;
  if (req.path !== undefined) {
    checkPath(ctx, req.path, true);
    checkNotModelPath(ctx, open, req.path);
    if (other) checkNotModelPath(ctx, other, req.path);
  }
  if (!ctx.platform.reportViewer) throw new EngineFailure('unsupported', 'this engine cannot write reports (no report viewer)');
  // The viewer first: a missing build fails at once, not after a sweep.
  const script = await ctx.platform.reportViewer();
  // With the weight table: initializers and Constant tensors of every graph (a model may keep all
  // its weights in Constant nodes), small Constants (shape vectors, scalars) left out.
  const info = { modelId: open.modelId, fileName: open.fileName, fileBytes: open.fileBytes };
  const summary = summarizeModel(open.model, info, SUPPORTED_OPS, { zeros: true, weights: { minConstantParams: REPORT_MIN_CONSTANT } });
  const weights = (summary.weights ?? []).filter((w) => w.numeric).map((w) => ({ graph: w.graph, name: w.name }));
  // The test set next: a file that is not one fails before any work.
  const described = req.dataset !== undefined ? datasetSummary(await loadDataset(ctx, req.dataset, open)) : undefined;
  const runSweep = described !== undefined && req.given?.sweep === undefined && req.sweep !== false;
  const stages = stagesOf(req, runSweep);
  const weightSum = stages.reduce((a, s) => a + s[1], 0);
  let at = 0;
  const next = (label: string): JobContext => {
    const w = stages.find((s) => s[0] === label)?.[1] ?? 0;
    const from = at / weightSum;
    at += w;
    return stage(ctx, from, at / weightSum, label);
  };
  const checkCancel = (): void => {
    if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
  };
  ctx.progress({ done: 0, total: 1000, message: 'histograms' });
  const histograms = weights.length === 0 ? [] : await stats({ id: req.id, type: 'stats', modelId: open.modelId, weights, bins: REPORT_BINS }, next('histograms'));
  checkCancel();
  const data: ReportData = {
    format: REPORT_FORMAT,
    tool: req.tool ?? 'prunescope',
    created: new Date().toISOString(),
    model: summary,
    metrics: nodeMetrics(open.model),
    histograms,
    omitted: [],
  };
  const spec = req.spec ?? { mode: 'layer' as const };
  const samples = (n: number): number => (req.options?.limit ? Math.min(req.options.limit, n) : n);
  if (req.given?.sweep) data.sweep = req.given.sweep;
  else if (runSweep && req.dataset && described) {
    const ratios = req.ratios ?? [...REPORT_RATIOS];
    const points = await sweep(
      { id: req.id, type: 'sweep', modelId: open.modelId, spec, ratios, dataset: req.dataset, ...(req.options ? { options: req.options } : {}) },
      next('sweep'),
    );
    data.sweep = { dataset: described.name, samples: samples(described.samples), points };
  }
  checkCancel();
  if (req.given?.sensitivity) data.sensitivity = req.given.sensitivity;
  else if (req.sensitivity && req.dataset && described) {
    const s = req.sensitivity;
    const result = await sensitivity(
      {
        id: req.id, type: 'sensitivity', modelId: open.modelId, dataset: req.dataset,
        ...(s.ratios ? { ratios: s.ratios } : {}),
        ...(s.limit ?? req.options?.limit ? { limit: s.limit ?? req.options?.limit } : {}),
        ...(s.allocate !== undefined ? { allocate: s.allocate } : {}),
        ...(spec.structure !== undefined ? { structure: spec.structure } : {}),
      },
      next('sensitivity'),
    );
    data.sensitivity = { dataset: described.name, result };
  }
  checkCancel();
  if (other) {
    data.diff = { other: other.fileName, diff: await diff({ id: req.id, type: 'diff', modelA: open.modelId, modelB: other.modelId, bins: REPORT_DIFF_BINS }, next('diff')) };
  }
  checkCancel();
  if (req.errors && req.dataset && described) {
    const n = req.errors.samples ?? req.options?.limit;
    const ratio = req.errors.ratio ?? REPORT_ERRORS_RATIO;
    const base = { id: req.id, type: 'nodeErrors' as const, modelId: open.modelId, dataset: req.dataset, ...(n !== undefined ? { samples: n } : {}) };
    const measured = other
      ? await nodeErrors({ ...base, prunedModelId: other.modelId }, next('node errors'))
      : await nodeErrors({ ...base, spec: { ...spec, ratio } }, next('node errors'));
    const method = spec.method ?? 'magnitude';
    data.nodeErrors = { original: open.fileName, pruned: other ? other.fileName : `${open.fileName} pruned by ${method} (${spec.mode}) at ratio ${ratio}`, dataset: described.name, report: measured };
  }
  checkCancel();
  data.omitted = omittedSections({
    dataset: described !== undefined || req.given?.sweep !== undefined,
    sweep: data.sweep !== undefined,
    sensitivity: req.sensitivity !== undefined || req.given?.sensitivity !== undefined,
    compare: other !== undefined,
    errors: req.errors !== undefined,
  }).filter((o) => !data[o.section]);
  const html = reportHtml({ title: `${open.fileName} — Prunescope report`, data, script });
  const sections = reportSections(data);
  if (req.path === undefined) return { html, bytes: html.length, sections };
  const bytes = new TextEncoder().encode(html);
  const protect = open.path !== undefined ? [{ path: open.path, what: 'the model' }] : [];
  if (other?.path !== undefined) protect.push({ path: other.path, what: 'the compared model' });
  if (req.dataset?.kind === 'paths') for (const p of req.dataset.paths) protect.push({ path: p, what: 'the test set' });
  await ctx.platform.writeFileAtomic(req.path, bytes, { protect, cancel: ctx.cancel });
  return { path: req.path, bytes: bytes.byteLength, sections };
};
