// Per-node metrics in the app (issue 16): asks the engine for them after each open and, for the
// model the current report prunes, after each report (a data-aware method's result only once it was
// applied: cachedOnly); provides the built-in overlays MAC share, parameters and sparsity (of the
// pruned model when known, else of the open one).

import type { NodeMetricsReport } from '../engine/protocol';
import type { AppContext } from './context';
import { formatCompact, formatPercent } from './format';
import { overlaysChanged, provideOverlay, type MeasureOverlay } from './overlays';

/** The metrics of the model as it stands: pruned when known, else open. */
export function currentMetrics(state: { metrics: NodeMetricsReport | null; metricsAfter: NodeMetricsReport | null }): NodeMetricsReport | null {
  return state.metricsAfter ?? state.metrics;
}

export const MACS_HINT = 'MACs at batch 1: the products of Gemm, MatMul, Conv and ConvTranspose. Pools and elementwise ops do none (counted as 0) and stay neutral.';

export function installMetrics(ctx: AppContext): void {
  const { store, platform } = ctx;
  let seq = 0;
  store.on('model', (model) => {
    const mine = ++seq;
    store.set('metrics', null);
    store.set('metricsAfter', null);
    overlaysChanged();
    if (!model) return;
    platform.client
      .call({ type: 'nodeMetrics', modelId: model.modelId })
      .then((m) => {
        if (mine !== seq || store.state.model !== model) return;
        store.set('metrics', m);
        overlaysChanged();
      })
      .catch(() => undefined); // the panels show "–" without metrics
  });
  let afterSeq = 0;
  store.on('report', (report) => {
    const model = store.state.model;
    const mine = ++afterSeq;
    const pruned = report !== null && report.layers.some((l) => l.kept < l.n || (l.keptDims !== undefined && l.keptDims.join() !== l.dims.join()));
    if (!model || !pruned) {
      if (store.state.metricsAfter !== null) {
        store.set('metricsAfter', null);
        overlaysChanged();
      }
      return;
    }
    const spec = store.state.spec;
    platform.client
      .call({ type: 'nodeMetrics', modelId: model.modelId, spec, cachedOnly: true })
      .then((m) => {
        if (mine !== afterSeq || store.state.model !== model) return;
        store.set('metricsAfter', m);
        overlaysChanged();
      })
      .catch(() => undefined);
  });

  const measure = (id: string, title: string, pick: (m: NodeMetricsReport) => Map<number, number>, format: (v: number) => string, domain?: [number, number]): (() => MeasureOverlay | null) => () => {
    const m = currentMetrics(store.state);
    return m ? { kind: 'measure', id, title, values: pick(m), format, ...(domain ? { domain } : {}), higherIsWorse: true } : null;
  };
  provideOverlay(
    'macs',
    'MAC share',
    measure('macs', 'MAC share (batch 1)', (m) => new Map(m.nodes.filter((n) => (n.macs ?? 0) > 0).map((n) => [n.index, (n.macs ?? 0) / Math.max(1, m.totals.macs)])), (v) => formatPercent(v)),
    MACS_HINT,
  );
  provideOverlay(
    'params',
    'parameters',
    measure('params', 'Parameters', (m) => new Map(m.nodes.filter((n) => n.params > 0).map((n) => [n.index, n.params])), formatCompact),
    'Elements of the weights each node reads; nodes without weights stay neutral.',
  );
  provideOverlay(
    'sparsity',
    'sparsity',
    measure('sparsity', 'Weight sparsity', (m) => new Map(m.nodes.filter((n) => n.sparsity !== null).map((n) => [n.index, n.sparsity ?? 0])), (v) => formatPercent(v), [0, 1]),
    'Zeros / elements of the weights each node reads; nodes without weights stay neutral.',
  );
}
