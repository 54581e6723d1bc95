// Histograms panel: a chart.js histogram per initializer of the selected node (or the model's
// prunable weights without a selection), from the engine's `stats` counts; bins 16…256, linear /
// log counts, the current prune threshold drawn at ±t, statistics beside it.

import type { TensorStatistics } from '../../engine/protocol';
import { Chart, themeColors } from '../charts';
import type { AppContext } from '../context';
import { clear, h } from '../dom';
import { formatNumber } from '../format';
import { nodeInitializers } from '../state';
import { yAxisKind } from './histogram-axis';
import { histogramCard } from './histogram-card';

const BIN_CHOICES = [16, 32, 64, 128, 256];
const MAX_TENSORS = 12;

export function createHistogramsView(ctx: AppContext): { el: HTMLElement; activate(): void } {
  const { store, platform } = ctx;
  let bins = 64;
  let log = false;
  let charts: { name: string; chart: Chart }[] = [];
  let dirty = true;
  let seq = 0;

  const binSelect = h('select', { class: 'field', 'data-testid': 'hist-bins', 'aria-label': 'Bins' }, BIN_CHOICES.map((b) => h('option', { value: b, selected: b === bins }, `${b} bins`)));
  binSelect.addEventListener('change', () => {
    bins = Number(binSelect.value);
    void refresh();
  });
  const linBtn = h('button', { class: 'active', 'data-testid': 'hist-linear' }, 'Linear');
  const logBtn = h('button', { 'data-testid': 'hist-log' }, 'Log');
  const setLog = (on: boolean): void => {
    log = on;
    linBtn.classList.toggle('active', !on);
    logBtn.classList.toggle('active', on);
    for (const { chart } of charts) {
      const y = chart.options.scales?.y;
      if (y) Object.assign(y, yAxisKind(on));
      chart.update();
    }
  };
  linBtn.addEventListener('click', () => setLog(false));
  logBtn.addEventListener('click', () => setLog(true));
  const caption = h('div', { class: 'subheading', 'data-testid': 'hist-caption' });
  const list = h('div', { 'data-testid': 'hist-list' });
  const el = h(
    'section',
    { class: 'panel', 'data-testid': 'histograms' },
    h('div', { class: 'row' }, binSelect, h('div', { class: 'segmented' }, linBtn, logBtn)),
    caption,
    list,
  );

  const destroyCharts = (): void => {
    for (const { chart } of charts) chart.destroy();
    charts = [];
  };

  const thresholdFor = (name: string): number | null => {
    const layer = store.state.report?.layers.find((l) => l.tensor === name);
    return layer && layer.ratio > 0 ? layer.threshold : null;
  };

  async function refresh(): Promise<void> {
    const { model, selection } = store.state;
    const mySeq = ++seq;
    dirty = false;
    destroyCharts();
    if (!model) {
      caption.textContent = '';
      clear(list, h('div', { class: 'panel-empty' }, 'No model is open.'));
      return;
    }
    let tensors = nodeInitializers(model, selection.node, selection.graphPath);
    if (selection.node) {
      caption.textContent = `Weights of ${selection.node.opType} ${selection.node.name}`;
      if (tensors.length === 0) {
        clear(list, h('div', { class: 'panel-empty' }, 'This node has no initializers.'));
        return;
      }
    } else {
      tensors = model.defaultPrunable.slice(0, MAX_TENSORS);
      caption.textContent = tensors.length > 0 ? 'Prunable weights of the model (select a node to see its own)' : '';
      if (tensors.length === 0) {
        clear(list, h('div', { class: 'panel-empty' }, 'Select a node to see histograms of its weights.'));
        return;
      }
    }
    clear(list, h('div', { class: 'muted' }, 'Computing histograms…'));
    try {
      const stats = await platform.client.call({ type: 'stats', modelId: model.modelId, tensors, bins });
      if (mySeq !== seq) return;
      clear(list);
      for (const s of stats) list.append(addCard(s));
    } catch (error) {
      if (mySeq === seq) clear(list, h('div', { class: 'panel-empty' }, `Histograms unavailable: ${(error as Error).message}`));
    }
  }

  function addCard(s: TensorStatistics): HTMLElement {
    const { card, chart } = histogramCard(s, log, thresholdFor(s.name));
    charts.push({ name: s.name, chart });
    return card;
  }

  const updateThresholds = (): void => {
    const colors = themeColors();
    for (const { name, chart } of charts) {
      const t = thresholdFor(name);
      const plugins = chart.options.plugins as { markers?: { values: number[]; color?: string; label?: string } };
      plugins.markers = { values: t === null ? [] : [-t, t], color: colors.danger, label: t === null ? undefined : `±${formatNumber(t)}` };
      chart.update('none');
    }
  };

  const visible = (): boolean => !el.hidden;
  const invalidate = (): void => {
    dirty = true;
    if (visible()) void refresh();
  };
  store.on('model', invalidate);
  store.on('selection', invalidate);
  store.on('theme', invalidate);
  store.on('report', updateThresholds);

  ctx.commands.set('export-histograms', async () => {
    if (charts.length === 0) {
      ctx.showTab('histograms');
      await refresh();
    }
    for (const { name, chart } of charts) {
      const blob = await new Promise<Blob | null>((resolve) => chart.canvas.toBlob(resolve, 'image/png'));
      if (blob) await platform.saveFile('png', `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}_histogram.png`, blob);
    }
  });

  return {
    el,
    activate: () => {
      if (dirty) void refresh();
    },
  };
}
