// The Evaluate table's columns for the deployment question: the exported file of each point
// (parameters, nonzero ones, MACs at batch 1, dense and sparse file sizes) and its time in
// onnxruntime as a multiple of the unpruned model's, both timed in alternation in the same run, with
// the note that says how (and where a point timed too few runs for a stable figure).

import { ALTERNATION_TEXT, EXPORTED_ORT_LABEL, ortTimeRatio, ortTooFew, TOO_FEW_TEXT, type EvalPoint } from '../../engine/protocol';
import { h } from '../dom';
import { formatBytes, formatCompact, formatCount } from '../format';

/** Whether any point carries onnxruntime's ×original figures (the column is shown only then). */
function hasOriginal(points: readonly EvalPoint[]): boolean {
  return points.some((p) => p.original !== undefined);
}

export function exportedHeaders(points: readonly EvalPoint[], ortLabel: string): HTMLElement[] {
  const heads = [
    h('th', { class: 'num', title: 'The exported model: parameters (nonzero / all), multiply-accumulates at batch 1 (linear layers; pools count 0), and the size of the dense file · of the sparse file' }, 'Exported file'),
  ];
  if (hasOriginal(points)) {
    heads.push(h('th', { class: 'num', 'data-runtime-label': ortLabel, title: `${EXPORTED_ORT_LABEL} (${ortLabel}): its time as a multiple of the unpruned model's, ${ALTERNATION_TEXT}, at batch 1 · at the large batch; below 1 is faster` }, `${EXPORTED_ORT_LABEL} ×original`));
  }
  return heads;
}

function times(x: number | undefined, tooFew: string | undefined): string {
  if (tooFew !== undefined) return 'too few runs';
  return x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}×`;
}

export function exportedCells(p: EvalPoint, points: readonly EvalPoint[]): HTMLElement[] {
  const e = p.exported;
  const cells = [
    e
      ? h(
          'td',
          { class: 'num' },
          h('span', { 'data-col': 'exported-params', title: `${formatCount(e.nonzeroParams)} nonzero of ${formatCount(e.params)} parameters` }, `${formatCompact(e.nonzeroParams)} / ${formatCompact(e.params)}`),
          h('span', { class: 'shape' }, h('span', { 'data-col': 'exported-macs', title: `${formatCount(e.macs)} MACs at batch 1${e.macsUnknown ? ` (${e.macsUnknown} nodes of unknown shape left out)` : ''}` }, `${formatCompact(e.macs)}${e.macsUnknown ? '+' : ''} MACs`)),
          h('span', { class: 'shape' }, h('span', { 'data-col': 'exported-file', title: `${formatCount(e.denseBytes)} bytes dense · ${formatCount(e.sparseBytes)} bytes sparse` }, `${formatBytes(e.denseBytes)} · sparse ${formatBytes(e.sparseBytes)}`)),
        )
      : h('td', { class: 'num muted' }, '—'),
  ];
  if (hasOriginal(points)) {
    const r = ortTimeRatio(p);
    const few = ortTooFew(p);
    const why = p.original?.unavailable;
    cells.push(
      why !== undefined
        ? h('td', { class: 'num muted', title: why }, 'unavailable')
        : h(
            'td',
            { class: 'num' },
            h('span', { 'data-col': 'ort-original-batch1', title: `batch 1${few.batch1 ? `: ${few.batch1}` : ''}` }, `b1 ${times(r.batch1, few.batch1)}`),
            h('span', { class: 'shape' }, h('span', { 'data-col': 'ort-original-batch', title: `large batch${few.batch ? `: ${few.batch}` : ''}` }, `large ${times(r.batch, few.batch)}`)),
          ),
    );
  }
  return cells;
}

/** The line under the table: how the ×original column was measured; null when it is not shown. */
export function originalText(points: readonly EvalPoint[]): string | null {
  const measured = points.filter((p) => p.original !== undefined);
  if (measured.length === 0) return null;
  const parts = [`×original: the exported file's time in onnxruntime divided by the unpruned model's, ${ALTERNATION_TEXT}; below 1 is faster.`];
  if (measured.some((p) => Object.keys(ortTooFew(p)).length > 0)) parts.push(`"too few runs": ${TOO_FEW_TEXT} (evaluate more samples).`);
  const failed = measured.find((p) => p.original?.unavailable !== undefined)?.original?.unavailable;
  if (failed !== undefined) parts.push(`Unavailable: ${failed}.`);
  parts.push('MACs: multiply-accumulates at batch 1 of the dense graph (pools count 0).');
  return parts.join(' ');
}
