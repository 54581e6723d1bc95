// The Compare tab (issue 16): the open model (A) against a second one (B) that the engine opens
// beside it. File › Compare With… / Ctrl+Shift+O / the toolbar's Compare… / a drop with Alt or Shift
// held start it: the engine opens B, runs `diff` (progress and Cancel on a job card) and the tab
// shows the summary, the nodes that differ and the weights; the graph is coloured by the "Diff"
// marks (removed and changed nodes of A). Closing the comparison, or A, closes B in the engine.

import type { ModelDiff, Source, TensorDiff } from '../../engine/protocol';
import type { AppContext } from '../context';
import { showBanner } from '../dialogs';
import { clear, h } from '../dom';
import { JobCancelled, showJob, type JobCard } from '../job';
import { chooseOverlay, overlaysChanged, provideOverlay } from '../overlays';
import type { Chart } from '../charts';
import { diffHistogram } from './compare-chart';
import { diffMarks } from './compare-marks';
import { nodesTable, summaryTable, tensorsTable, type TensorTableState } from './compare-tables';

/** The overlay's id in the "Colour by" control. */
export const DIFF_OVERLAY = 'diff';

/** Histogram bins the tab asks the diff for. */
const BINS = 48;

interface Comparison {
  modelA: number;
  modelB: number;
  labelA: string;
  labelB: string;
  diff: ModelDiff;
}

let comparison: Comparison | null = null;
/** Bumped by every start and close, so a comparison that finishes late is dropped. */
let generation = 0;
let render: () => void = () => undefined;

function closeComparison(ctx: AppContext): void {
  generation++;
  const c = comparison;
  comparison = null;
  if (ctx.store.state.comparison) ctx.store.set('comparison', null);
  if (c) void ctx.platform.client.call({ type: 'close', modelId: c.modelB }).catch(() => undefined);
  overlaysChanged();
  render();
}

/** Opens `source` as model B and compares the open model with it. */
export async function compareWith(ctx: AppContext, source: Source, label: string): Promise<void> {
  const { store } = ctx;
  const client = ctx.platform.client;
  const a = store.state.model;
  if (!a) return showBanner('No model is open', 'Open a model first, then compare it with another.', 'info');
  closeComparison(ctx);
  const gen = generation;
  let cancelled = false;
  let requestId: number | null = null;
  let modelB: number | null = null;
  const card: JobCard = showJob(`Comparing ${a.fileName} with ${label}`, () => {
    cancelled = true;
    if (requestId !== null) client.cancel(requestId);
  });
  try {
    card.progress(0, `Opening ${label}…`);
    const b = await client.call({ type: 'open', source });
    modelB = b.modelId;
    if (cancelled) throw new JobCancelled('the comparison');
    const request = client.request(
      { type: 'diff', modelA: a.modelId, modelB: b.modelId, bins: BINS },
      { onProgress: (p) => card.progress(p.total > 0 ? p.done / p.total : 0, p.message || `${p.done} / ${p.total} tensors`) },
    );
    requestId = request.id;
    const diff = await request.promise;
    if (gen !== generation || store.state.model?.modelId !== a.modelId) {
      void client.call({ type: 'close', modelId: b.modelId }).catch(() => undefined);
      return;
    }
    comparison = { modelA: a.modelId, modelB: b.modelId, labelA: a.fileName, labelB: b.fileName, diff };
    store.set('comparison', { modelId: b.modelId, label: b.fileName });
    modelB = null;
    overlaysChanged();
    render();
    ctx.showTab('compare');
    chooseOverlay(DIFF_OVERLAY);
  } catch (error) {
    if (cancelled || (error instanceof Error && 'code' in error && error.code === 'cancelled')) {
      showBanner('Cancelled', 'The comparison was cancelled.', 'info');
      return;
    }
    ctx.fail(`Could not compare with ${label}`, error);
  } finally {
    card.close();
    if (modelB !== null) void client.call({ type: 'close', modelId: modelB }).catch(() => undefined);
  }
}

/** Why a tensor row has no overlaid histograms. */
function noHistogram(t: TensorDiff): string {
  switch (t.status) {
    case 'unchanged':
      return 'The values are the same in A and B.';
    case 'shape':
      return 'No histograms: the shapes differ, and values are compared only between equal shapes.';
    case 'dtype':
      return 'No histograms: the element types differ.';
    case 'added':
    case 'removed':
      return `No histograms: the tensor exists only in ${t.status === 'added' ? 'B' : 'A'}.`;
    default:
      return `No histograms: ${t.note ?? 'the values are not real numbers'}.`;
  }
}

export function createCompareView(ctx: AppContext): { el: HTMLElement; activate(): void } {
  const { store } = ctx;
  const body = h('div', { class: 'compare-body' });
  const el = h('section', { class: 'panel', 'data-testid': 'compare' }, body);
  let table: TensorTableState = { key: 'changed', descending: true, all: false, open: null };
  let chart: Chart | null = null;
  let shown: ModelDiff | null = null;

  const pick = async (): Promise<void> => {
    if (!store.state.model) return showBanner('No model is open', 'Open a model first, then compare it with another.', 'info');
    const picked = await ctx.platform.pickCompareModel();
    if (picked) await compareWith(ctx, picked.source, picked.label);
  };
  ctx.commands.set('compare-with', pick);

  provideOverlay(
    DIFF_OVERLAY,
    'Diff',
    () => {
      const c = comparison;
      if (!c || store.state.model?.modelId !== c.modelA) return null;
      return { kind: 'marks', id: DIFF_OVERLAY, title: `Diff with ${c.labelB}`, marks: diffMarks(c.diff) };
    },
    'Changed (orange) and removed (red) nodes against the compared model; added nodes exist only there (Compare tab)',
  );

  const inputName = (index: number, position: number): string | undefined => store.state.model?.graph.nodes[index]?.inputs[position];
  const select = (index: number): void => {
    const node = store.state.model?.graph.nodes[index] ?? null;
    if (node) store.set('selection', { node, graphPath: [] });
  };

  const detail = (t: TensorDiff): HTMLElement => {
    chart?.destroy();
    chart = null;
    const made = diffHistogram(t, comparison?.labelA, comparison?.labelB);
    if (!made) return h('p', { class: 'muted compare-note' }, noHistogram(t));
    chart = made.chart;
    return made.card;
  };

  render = () => {
    chart?.destroy();
    chart = null;
    const c = comparison;
    const model = store.state.model;
    if (!c || !model || model.modelId !== c.modelA) {
      clear(
        body,
        h(
          'div',
          { class: 'panel-empty', 'data-testid': 'compare-empty' },
          h('p', {}, model ? `Compare ${model.fileName} with another model: what nodes, attributes, shapes and weights differ.` : 'Open a model first, then compare it with another.'),
          h('p', {}, `${ctx.platform.kind === 'desktop' ? 'File › Compare With…' : 'Compare… in the toolbar'} (Ctrl+Shift+O), or drop an .onnx file on the window with Alt or Shift held.`),
          model ? h('button', { class: 'btn primary', 'data-testid': 'compare-pick', onclick: () => void pick().catch((e: unknown) => ctx.fail('Could not compare', e)) }, 'Compare with…') : null,
        ),
      );
      return;
    }
    if (shown !== c.diff) table = { key: 'changed', descending: true, all: false, open: null };
    shown = c.diff;
    clear(
      body,
      h(
        'div',
        { class: 'compare-head' },
        h(
          'div',
          { class: 'compare-files' },
          h('div', { title: 'The open model: its graph shows the marks' }, h('span', { class: 'chip accent' }, 'A'), ' ', h('span', { 'data-testid': 'compare-a' }, c.labelA)),
          h('div', { title: 'The model compared with it' }, h('span', { class: 'chip' }, 'B'), ' ', h('span', { 'data-testid': 'compare-b' }, c.labelB)),
        ),
        h('button', { class: 'btn small', 'data-testid': 'compare-close', title: 'Close the comparison (the other model is closed)', onclick: () => closeComparison(ctx) }, 'Close comparison'),
      ),
      summaryTable(c.diff),
      h('div', { class: 'section' }, h('div', { class: 'section-title' }, 'Nodes that differ'), nodesTable(c.diff, select, inputName)),
      h(
        'div',
        { class: 'section' },
        h('div', { class: 'section-title' }, 'Weights'),
        tensorsTable(
          c.diff,
          table,
          (next) => {
            table = next;
            render();
          },
          detail,
        ),
      ),
    );
  };

  // A new model (or none) ends the comparison of the old one.
  store.on('model', (model) => {
    if (comparison && model?.modelId !== comparison.modelA) closeComparison(ctx);
    else render();
  });
  render();
  return { el, activate: () => render() };
}
