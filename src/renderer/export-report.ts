// File › Export Report… (and "Report (.html)" in the browser's Export menu): the report of the open
// model with what the app already has, no new run. A small dialog lists the sections the file will
// hold (the model, graph, cost per node and histograms always; the Evaluate panel's last results
// when there are some) and those it will not, with why; Export writes it with a progress card and
// Cancel (desktop: where the user picks; browser: a download).

import type { AppContext } from './context';
import { closeModal, showBanner, showError, showModal } from './dialogs';
import { h } from './dom';
import type { ReportBody } from './engine-link';
import { JobCancelled, showJob } from './job';

/**
 * What the app already measured, given to the report as is (nothing runs again): the Evaluate
 * panel's results (they carry their sample count; the panel's test set is not named here) and the
 * Sensitivity tab's last analysis.
 */
function given(ctx: AppContext): ReportBody['given'] {
  const points = ctx.store.state.results;
  const sensitivity = ctx.store.state.sensitivity;
  if (points.length === 0 && !sensitivity) return undefined;
  return {
    ...(points.length > 0 ? { sweep: { dataset: "the Evaluate panel's test set", samples: points[0]?.samples ?? 0, points } } : {}),
    ...(sensitivity ? { sensitivity } : {}),
  };
}

/** The dialog's lines: [section, included, why]. */
function plan(ctx: AppContext): [string, boolean, string | (string | Node)[]][] {
  const n = ctx.store.state.results.length;
  const { sensitivity, comparison } = ctx.store.state;
  return [
    ['Model, graph, cost per node, weight histograms', true, 'from the open model'],
    ['Accuracy and time', n > 0, n > 0 ? `the Evaluate panel's last results (${n} point${n === 1 ? '' : 's'})` : 'no results yet: run an evaluation or a sweep in the Evaluate panel first'],
    ['Sensitivity', sensitivity !== null, sensitivity ? `the Sensitivity tab's last analysis (${sensitivity.result.curves.length} tensors on ${sensitivity.dataset})` : 'no analysis yet: run one in the Sensitivity tab first'],
    ['Comparison with another model', comparison !== null, comparison ? `the diff with ${comparison.label} (the Compare tab)` : 'no comparison open: File › Compare With… first'],
    ['Error per node', false, ['not from the app yet: use ', h('code', { class: 'nowrap' }, 'prunescope report'), ' with ', h('code', { class: 'nowrap' }, '--errors')]],
  ];
}

async function write(ctx: AppContext, modelId: number, name: string): Promise<void> {
  let requestId: number | null = null;
  let cancelled = false;
  const job = showJob('Writing the report', () => {
    cancelled = true;
    if (requestId !== null) ctx.platform.client.cancel(requestId);
  });
  try {
    const known = given(ctx);
    const comparison = ctx.store.state.comparison;
    const body: ReportBody = { type: 'report', modelId, tool: 'Prunescope app', ...(known ? { given: known } : {}), ...(comparison ? { compareModelId: comparison.modelId } : {}) };
    const where = await ctx.platform.exportReport(body, name, (p) => job.progress(p.total > 0 ? p.done / p.total : 0, p.message), (id) => {
      requestId = id;
      if (cancelled) ctx.platform.client.cancel(id);
    });
    if (where) showBanner('Exported', `The report went to ${where}.`, 'info');
  } catch (error) {
    if (cancelled || (error as { code?: string }).code === 'cancelled') showBanner('Cancelled', new JobCancelled('the report').message, 'info');
    else showError('Export Report', error);
  } finally {
    job.close();
  }
}

/** Shows the dialog; Export writes the report. */
export function exportReport(ctx: AppContext, modelId: number): void {
  const fileName = ctx.store.state.model?.fileName ?? 'model.onnx';
  const name = `${fileName.replace(/\.onnx$/i, '')}-report.html`;
  const rows = plan(ctx).map(([what, inc, why]) =>
    h('li', { class: inc ? 'rp-in' : 'rp-out', 'data-included': String(inc) }, h('b', {}, `${inc ? '✓' : '—'} ${what}`), h('div', { class: 'muted' }, why)),
  );
  const go = h('button', { class: 'btn primary', 'data-testid': 'export-report-go' }, 'Export…');
  go.addEventListener('click', () => {
    closeModal();
    void write(ctx, modelId, name);
  });
  showModal('Export Report', h('div', { 'data-testid': 'export-report-dialog', class: 'export-report' },
    h('p', {}, `One HTML file (${name}) that opens in any browser without a network. It will hold:`),
    h('ul', { class: 'export-report-list' }, rows),
    h('div', { class: 'row' }, go)));
}
