// report: a shareable HTML file (or its text) describing the open model: its summary and graph,
// MACs and parameters per node, each weight's histogram and, with a dataset, a sweep of accuracy
// and time over prune ratios. The viewer script comes from the platform (out/report/viewer.js on
// Node, fetched beside the app in the browser); core/report/html.ts assembles the page. Progress:
// the histograms first, then the sweep (the slow part), each point as it finishes; Cancel stops both.

import { SUPPORTED_OPS } from '../../core/runtime';
import { nodeCosts } from '../../core/report/nodes';
import { reportHtml } from '../../core/report/html';
import type { Handler, JobContext } from '../context';
import { datasetSummary, loadDataset } from '../datasets';
import { EngineFailure } from '../errors';
import { REPORT_FORMAT, type Progress, type ReportData } from '../protocol';
import { summarizeModel } from '../summary';
import { checkNotModelPath, checkPath, getModel } from './common';
import { sweep } from './eval';
import { stats } from './model';

/** Histogram bins of each weight in a report (the Histograms panel's default). */
export const REPORT_BINS = 64;
/** Constant tensors smaller than this (in elements) get no histogram (the weight table's and `prunescope stats`' default). */
export const REPORT_MIN_CONSTANT = 16;
/** Ratios a report sweeps when the request names none: a short list, so the report stays quick. */
export const REPORT_RATIOS: readonly number[] = [0, 0.25, 0.5, 0.75, 0.9];
/** Share of the progress given to the histograms (the rest is the sweep). */
const STATS_SHARE = 0.1;

/** This job's context with its progress mapped into [from, to] of the report's 0..1000. */
function stage(ctx: JobContext, from: number, to: number, label: string): JobContext {
  return {
    ...ctx,
    progress: (p: Progress) => {
      const f = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
      ctx.progress({ ...p, done: Math.round(1000 * (from + (to - from) * f)), total: 1000, message: `${label}: ${p.message}` });
    },
  };
}

/** The section titles a report's data holds, in the order the viewer draws them. */
export function reportSections(data: ReportData): string[] {
  const out = ['model', 'graph', 'nodes', 'histograms'];
  if (data.sweep) out.push('sweep');
  for (const k of ['sensitivity', 'diff', 'nodeErrors'] as const) if (data[k]) out.push(k);
  return out;
}

export const report: Handler<'report'> = async (req, ctx) => {
  const open = getModel(ctx, req.modelId);
  if (req.compareModelId !== undefined) {
    throw new EngineFailure('unsupported', `${open.fileName}: comparing with another model in a report is not available yet`);
  }
  if (req.path !== undefined) {
    checkPath(ctx, req.path, true);
    checkNotModelPath(ctx, open, req.path);
  }
  if (!ctx.platform.reportViewer) throw new EngineFailure('unsupported', 'this engine cannot write reports (no report viewer)');
  // The viewer first: a missing build fails at once, not after a sweep.
  const script = await ctx.platform.reportViewer();
  // With the weight table: initializers and Constant tensors of every graph (a model may keep all
  // its weights in Constant nodes), small Constants (shape vectors, scalars) left out.
  const info = { modelId: open.modelId, fileName: open.fileName, fileBytes: open.fileBytes };
  const summary = summarizeModel(open.model, info, SUPPORTED_OPS, { zeros: true, weights: { minConstantParams: REPORT_MIN_CONSTANT } });
  const weights = (summary.weights ?? []).filter((w) => w.numeric).map((w) => ({ graph: w.graph, name: w.name }));
  const costs = nodeCosts(open.model, 1);
  const sweeping = req.dataset !== undefined;
  // The test set next: a file that is not one fails before any work.
  const described = req.dataset !== undefined ? datasetSummary(await loadDataset(ctx, req.dataset, open)) : undefined;
  ctx.progress({ done: 0, total: 1000, message: 'histograms' });
  const histograms = weights.length === 0 ? [] : await stats({ id: req.id, type: 'stats', modelId: open.modelId, weights, bins: REPORT_BINS }, stage(ctx, 0, sweeping ? STATS_SHARE : 1, 'histograms'));
  const data: ReportData = {
    format: REPORT_FORMAT,
    tool: req.tool ?? 'prunescope',
    created: new Date().toISOString(),
    model: summary,
    nodes: costs.nodes,
    macs: { batch: costs.batch, total: costs.total, unknown: costs.unknown },
    histograms,
  };
  if (req.dataset !== undefined && described !== undefined) {
    const ratios = req.ratios ?? [...REPORT_RATIOS];
    const spec = req.spec ?? { mode: 'layer' as const };
    const points = await sweep(
      { id: req.id, type: 'sweep', modelId: open.modelId, spec, ratios, dataset: req.dataset, ...(req.options ? { options: req.options } : {}) },
      stage(ctx, STATS_SHARE, 1, 'sweep'),
    );
    data.sweep = { dataset: described.name, samples: req.options?.limit ? Math.min(req.options.limit, described.samples) : described.samples, points };
  } else {
    data.noSweep = 'No test set was given, so this report has no accuracy or timing section.';
  }
  if (ctx.cancel.cancelled) throw new EngineFailure('cancelled', 'cancelled');
  const html = reportHtml({ title: `${open.fileName} — Prunescope report`, data, script });
  const sections = reportSections(data);
  if (req.path === undefined) return { html, bytes: html.length, sections };
  const bytes = new TextEncoder().encode(html);
  const protect = open.path !== undefined ? [{ path: open.path, what: 'the model' }] : [];
  if (req.dataset?.kind === 'paths') for (const p of req.dataset.paths) protect.push({ path: p, what: 'the test set' });
  await ctx.platform.writeFileAtomic(req.path, bytes, { protect, cancel: ctx.cancel });
  return { path: req.path, bytes: bytes.byteLength, sections };
};
