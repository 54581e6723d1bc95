// Properties panel: the selected node (type, name, attributes, inputs / outputs with shapes, its
// initializers with statistics, and after a channel prune which channels each weight lost) or,
// without a selection, the model (producer, IR, opsets, I/O, parameters, metadata).

import type { GraphSummary, ModelSummary, NodeSummary, PruneReport, TensorStatistics, ValueSummary } from '../../engine/protocol';
import type { AppContext } from '../context';
import { clear, h } from '../dom';
import { formatBytes, formatCount, formatDims, formatNumber, formatPercent } from '../format';
import { roleName } from '../op-roles';
import { folding } from '../folded-nodes';
import { cutTexts, foldedChange, prunedShapes, type WeightShape, weightShapes } from '../pruned-shapes';
import { nodeInitializers } from '../state';
import { metricsSection } from './node-metrics-section';

export function createPropertiesView(ctx: AppContext): { el: HTMLElement; activate(): void } {
  const { store, platform } = ctx;
  const el = h('section', { class: 'panel', 'data-testid': 'properties' });
  let seq = 0;
  /** What the current prune removed from the selected node's weights; follows every report. */
  const prunedHost = h('div', { 'data-testid': 'node-pruned' });
  const renderPruned = (): void => {
    const { model, selection, report } = store.state;
    // Channel prunes change weights of the main graph only.
    const node = selection.graphPath.length === 0 ? selection.node : null;
    if (!model || !node) return clear(prunedHost);
    // What this node reads after the prune: its own copy of a shared constant, through folded Identities.
    const readers = prunedShapes(report);
    const fold = folding(model.graph);
    const read = node.inputs.map((name, i) => foldedChange(readers, fold, node.index, i, name)?.tensor).filter((t) => t !== undefined);
    clear(prunedHost, prunedSection(report, node.opType === 'Constant' ? nodeInitializers(model, node, []) : read));
  };

  /** Params, MACs, sparsity and bytes of the node (main graph) or the model's totals, before → after. */
  const metricsHost = h('div', {});
  const renderMetrics = (): void => {
    const { metrics, metricsAfter, selection } = store.state;
    const index = selection.node ? (selection.graphPath.length === 0 ? selection.node.index : -1) : null;
    clear(metricsHost, index === -1 ? null : metricsSection(metrics, metricsAfter, index));
  };

  const render = (): void => {
    const { model, selection } = store.state;
    const mySeq = ++seq;
    if (!model) {
      clear(el, h('div', { class: 'panel-empty' }, 'No model is open.'));
      return;
    }
    if (!selection.node) {
      clear(el, modelProperties(model), metricsHost);
      renderMetrics();
      return;
    }
    const node = selection.node;
    const inits = nodeInitializers(model, node, selection.graphPath);
    const statsHost = h('div', {});
    clear(el, nodeProperties(model, node, selection.graphPath), metricsHost, prunedHost, statsHost);
    renderMetrics();
    renderPruned();
    if (inits.length === 0) return;
    statsHost.append(h('div', { class: 'muted' }, 'Loading weight statistics…'));
    platform.client
      .call({ type: 'stats', modelId: model.modelId, tensors: inits, bins: 16 })
      .then((stats) => {
        if (mySeq === seq) clear(statsHost, stats.map(statsSection));
      })
      .catch((error: unknown) => {
        if (mySeq === seq) clear(statsHost, h('div', { class: 'muted' }, `Statistics unavailable: ${String((error as Error).message ?? error)}`));
      });
  };
  store.on('model', render);
  store.on('selection', render);
  store.on('report', renderPruned);
  store.on('metrics', renderMetrics);
  store.on('metricsAfter', renderMetrics);
  render();
  return { el, activate: () => undefined };
}

function modelProperties(model: ModelSummary): HTMLElement {
  const g = model.graph;
  const ops = Object.entries(model.opCounts).sort((a, b) => b[1] - a[1]);
  return h(
    'div',
    {},
    h('div', { class: 'heading' }, model.fileName),
    h('div', { class: 'subheading' }, g.name ? `graph “${g.name}”` : 'ONNX model'),
    section(
      'Model',
      kv([
        ['Format', `ONNX IR v${model.irVersion}`],
        ['Producer', [model.producerName, model.producerVersion].filter(Boolean).join(' ') || '—'],
        ['Domain', model.domain || '—'],
        ['Version', String(model.modelVersion)],
        ['Opsets', model.opsets.map((o) => `${o.domain || 'ai.onnx'} v${o.version}`).join(', ')],
        ['File size', formatBytes(model.fileBytes)],
        ['Nodes', formatCount(model.nodeCount)],
        ['Parameters', formatCount(model.paramCount)],
        ['Initializers', formatCount(g.initializers.length)],
        ...(model.docString ? [['Description', model.docString] as [string, string]] : []),
      ]),
    ),
    section('Inputs', valueTable(g.inputs)),
    section('Outputs', valueTable(g.outputs)),
    section(
      'Operators',
      h('div', {}, ops.map(([op, n]) => h('span', { class: 'chip', style: 'margin:0 4px 4px 0' }, `${op} ×${n}`))),
    ),
    model.unsupportedOps.length > 0
      ? section('Not executable by Prunescope', h('div', {}, model.unsupportedOps.join(', ')))
      : null,
    model.metadata.length > 0 ? section('Metadata', kv(model.metadata.map((m) => [m.key, m.value]))) : null,
  );
}

function nodeProperties(model: ModelSummary, node: NodeSummary, graphPath: string[]): HTMLElement {
  const graph = model.graph;
  const shapes = valueIndex(graph);
  const io = (names: string[], role: (i: number) => string | undefined): HTMLElement =>
    h(
      'table',
      { class: 'grid' },
      h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Type')),
      names.map((name, i) =>
        h(
          'tr',
          {},
          h('td', { class: 'mono' }, role(i) ? h('span', { class: 'muted' }, `${role(i)}: `) : null, name || '(none)'),
          h('td', { class: 'mono' }, shapes.get(name) ?? '—'),
        ),
      ),
    );
  return h(
    'div',
    {},
    h('div', { class: 'heading', 'data-testid': 'node-op' }, node.opType, node.domain ? h('span', { class: 'chip' }, node.domain) : null),
    h('div', { class: 'subheading', 'data-testid': 'node-name' }, node.name || `node ${node.index}`, graphPath.length ? ` · in ${graphPath.join(' › ')}` : ''),
    node.attributes.length > 0
      ? section('Attributes', kv(node.attributes.map((a) => [a.name, a.value])))
      : null,
    section('Inputs', io(node.inputs, (i) => roleName(node.opType, i))),
    section('Outputs', io(node.outputs, () => undefined)),
    node.subgraphs.length > 0
      ? section('Subgraphs', kv(node.subgraphs.map((s) => [s.attribute, `${s.graph.nodes.length} nodes`])))
      : null,
  );
}

/**
 * "Pruned channels": per weight of the node whose shape the prune changed, what went and what
 * stays (a shared constant the prune gave this node its own copy of is listed as that copy).
 */
function prunedSection(report: PruneReport | null, tensors: string[]): HTMLElement | null {
  const shapes = weightShapes(report);
  const items = tensors.map((t) => shapes.get(t)).filter((w): w is WeightShape => w !== undefined && w.cuts.length > 0);
  if (items.length === 0) return null;
  return section(
    'Pruned channels',
    h(
      'div',
      {},
      items.map((w) =>
        h(
          'div',
          { class: 'pruned-weight', 'data-tensor': w.tensor },
          h('div', { class: 'section-name' }, w.tensor),
          kv([
            ['Shape', `⟨${formatDims(w.before)}⟩ → ⟨${formatDims(w.after)}⟩`],
            ['Kept dims', formatDims(w.after)],
          ]),
          cutTexts(report, w).map((c) =>
            h('div', { class: 'pruned-cut' }, h('div', { class: 'kv' }, h('div', { class: 'k' }, c.label), h('div', { class: 'v', 'data-testid': 'removed-count' }, c.count)), h('div', { class: 'removed-channels', 'data-testid': 'removed-channels' }, c.ranges)),
          ),
        ),
      ),
    ),
  );
}

function statsSection(s: TensorStatistics): HTMLElement {
  return section(
    h('span', {}, 'Weights ', h('span', { class: 'section-name' }, s.name)),
    kv([
      ['Shape', `${s.dtype} ⟨${formatDims(s.dims)}⟩`],
      ['Count', formatCount(s.count)],
      // An empty tensor (a zero dimension) has no values to describe.
      ...(s.count === 0 ? [['Values', 'empty: no elements'] as [string, string]] : statRows(s)),
    ]),
  );
}

function statRows(s: TensorStatistics): [string, string][] {
  return [
      ['Min / max', `${formatNumber(s.min)} / ${formatNumber(s.max)}`],
      ['Mean ± std', `${formatNumber(s.mean)} ± ${formatNumber(s.std)}`],
      ['Zeros', `${formatCount(s.zeros)} (${formatPercent(s.count ? s.zeros / s.count : 0)})`],
      ['|w| p50/p90/p99', `${formatNumber(s.absP50)} / ${formatNumber(s.absP90)} / ${formatNumber(s.absP99)}`],
      ...(s.nonFinite > 0 ? [['Non-finite', formatCount(s.nonFinite)] as [string, string]] : []),
  ];
}

function valueIndex(graph: GraphSummary): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of [...graph.values, ...graph.inputs, ...graph.outputs]) map.set(v.name, v.type);
  for (const i of graph.initializers) map.set(i.name, `${i.dtype}[${i.dims.join(',')}] · initializer`);
  return map;
}

function valueTable(values: ValueSummary[]): HTMLElement {
  if (values.length === 0) return h('div', { class: 'muted' }, 'none');
  return h(
    'table',
    { class: 'grid' },
    h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Type')),
    values.map((v) => h('tr', {}, h('td', { class: 'mono' }, v.name), h('td', { class: 'mono' }, v.type))),
  );
}

export function section(title: string | Node, body: Node): HTMLElement {
  return h('div', { class: 'section' }, h('div', { class: 'section-title' }, title), body);
}

export function kv(rows: [string, string][]): HTMLElement {
  return h('div', { class: 'kv' }, rows.flatMap(([k, v]) => [h('div', { class: 'k' }, k), h('div', { class: 'v' }, v)]));
}
