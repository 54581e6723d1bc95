// The Evaluate panel's results table: per point (ratio, method, sparsity), each runtime's accuracy,
// batch-1 time and large-batch throughput, then the exported file's columns (evaluate-exported.ts).

import { RUNNER_NAMES, type EvalPoint, type RuntimeName } from '../../engine/protocol';
import { themeColors } from '../charts';
import { clear, h } from '../dom';
import { formatPercent, formatRatio, formatSeconds } from '../format';
import { METHOD_REGISTRY, METHODS, methodOf, sortPoints } from '../method-spec';
import { exportedCells, exportedHeaders } from './evaluate-exported';
import { oneWorkerText, throughputText } from './evaluate-threads';

const RUNTIMES: readonly RuntimeName[] = RUNNER_NAMES;

export function renderEvalTable(table: HTMLElement, points: EvalPoint[], label: (r: RuntimeName) => string): void {
  const runtimes = RUNTIMES.filter((r) => points.some((p) => p.results.some((m) => m.runtime === r)));
  if (points.length === 0) {
    clear(table);
    return;
  }
  const colors = themeColors();
  clear(
    table,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { class: 'num' }, 'Ratio'),
        h('th', {}, 'Method'),
        h('th', { class: 'num' }, 'Sparsity'),
        runtimes.map((r) => h('th', { class: 'num', 'data-runtime-label': label(r), title: `${label(r)}: accuracy; time for the set at batch 1 · samples per second at the large batch on ×N threads (the sparse runtime\'s workers, onnxruntime\'s intra-op threads) · the same on one worker (×1)` }, r)),
        exportedHeaders(points, label('onnxruntime')),
      ),
    ),
    h(
      'tbody',
      {},
      sortPoints(points).map((p) =>
        h(
          'tr',
          { 'data-ratio': p.ratio, 'data-method': methodOf(p) },
          h('td', { class: 'num' }, formatRatio(p.ratio)),
          h(
            'td',
            { class: 'method', 'data-col': 'method' },
            h('span', { class: 'dot', style: `background:${colors.series[METHODS.indexOf(methodOf(p))] ?? colors.accent}`, 'aria-hidden': 'true' }),
            METHOD_REGISTRY[methodOf(p)].name,
          ),
          h('td', { class: 'num' }, formatPercent(p.sparsity)),
          runtimes.map((r) => {
            const m = p.results.find((x) => x.runtime === r);
            if (!m || m.unavailable) return h('td', { class: 'num muted', title: m?.unavailable ?? '' }, 'unavailable');
            const time = m.batch1Seconds !== undefined ? formatSeconds(m.batch1Seconds) : '—';
            const rate = m.batchThroughput !== undefined ? throughputText(m) : '';
            return h(
              'td',
              { class: 'num' },
              m.perplexity !== undefined
                ? h('span', { class: 'acc', 'data-col': `${r}-perplexity`, title: `next-token loss ${m.loss?.toFixed(4) ?? '—'}, perplexity exp(loss)` }, `ppl ${m.perplexity.toFixed(3)} · loss ${m.loss?.toFixed(4) ?? '—'}`)
                : h('span', { class: 'acc', 'data-col': `${r}-accuracy` }, m.accuracy.toFixed(4)),
              h('span', { class: 'shape' }, h('span', { 'data-col': `${r}-time` }, time), rate ? ' · ' : '', rate ? h('span', { 'data-col': `${r}-throughput`, 'data-workers': m.workers }, rate) : ''),
              oneWorkerText(m) ? h('span', { class: 'shape', 'data-col': `${r}-one-worker` }, oneWorkerText(m)) : '',
            );
          }),
          exportedCells(p, points),
        ),
      ),
    ),
  );
}
