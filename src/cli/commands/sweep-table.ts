// The table of `prunescope sweep` and `eval`: per point, each runtime's accuracy (a language model on
// token ids: next-token loss and perplexity, no batch-1 time), batch-1 seconds and
// large-batch throughput, then the exported file's facts (parameters, nonzero ones, MACs at batch 1,
// dense and sparse file sizes) and the exported file's onnxruntime time as a multiple of the unpruned
// model's, both timed in alternation in the same run (×orig; below 1 is faster; 'too few' where
// too few runs were timed for a stable figure).

import { ALTERNATION_TEXT, ortTimeRatio, ortTooFew, TOO_FEW_TEXT, type EvalOptions } from '../../core/eval';
import { DEFAULT_CHANNEL_MULTIPLE, DEFAULT_STRUCTURE, parseStructure } from '../../core/prune/structure';
import type { EvalPoint, RuntimeName } from '../../engine/protocol';
import { bytesText, shortCount } from '../format';

const SHORT: Record<RuntimeName, string> = { sparse: 'sparse', dense: 'dense', onnxruntime: 'ort' };

/** Threads of each runtime's large batch in a point, and whether the sparse runtime's one-worker reference is there. */
export interface Threads {
  workers: Partial<Record<RuntimeName, number>>;
  oneWorker: boolean;
  /** A language model on token ids: loss and perplexity instead of accuracy, no batch-1 time. */
  language?: boolean;
}

export function threadsOf(p: EvalPoint): Threads {
  const workers: Partial<Record<RuntimeName, number>> = {};
  for (const m of p.results) if (m.workers !== undefined) workers[m.runtime] = m.workers;
  const language = p.results.some((m) => m.perplexity !== undefined);
  return { workers, oneWorker: p.results.some((m) => m.runtime === 'sparse' && m.oneWorkerThroughput !== undefined), ...(language ? { language } : {}) };
}

/** Whether the table has the ×orig columns: onnxruntime measured. */
function withOrt(runtimes: readonly RuntimeName[]): boolean {
  return runtimes.includes('onnxruntime');
}

/**
 * Columns per runtime: accuracy, batch-1 seconds, then samples/s at the large batch with its thread
 * count (×N); then the exported file's columns.
 */
export function header(runtimes: readonly RuntimeName[], options: EvalOptions, withMethod: boolean, threads: Threads): string[] {
  const h = withMethod ? ['method', 'ratio', 'sparsity'] : ['ratio', 'sparsity'];
  for (const r of runtimes) {
    if (threads.language) h.push(`${SHORT[r]} loss`, `${SHORT[r]} ppl`);
    else h.push(`${SHORT[r]} acc`);
    if (options.batch1 !== false && !threads.language) h.push(`${SHORT[r]} b1 s`);
    if (options.batch !== 0) {
      if (r === 'sparse' && threads.oneWorker) h.push('sparse ×1 /s');
      const n = threads.workers[r];
      h.push(n !== undefined ? `${SHORT[r]} ×${n} /s` : `${SHORT[r]} /s`);
    }
  }
  h.push('params', 'nonzero', 'MACs', 'file', 'sparse file');
  if (withOrt(runtimes)) {
    if (options.batch1 !== false && !threads.language) h.push('ort b1 ×orig');
    if (options.batch !== 0) h.push(`ort b${options.batch ?? 1000} ×orig`);
  }
  return h;
}

function rate(x: number | undefined): string {
  return x === undefined ? 'n/a' : Math.round(x).toString();
}

function times(x: number | undefined, tooFew?: string): string {
  if (tooFew !== undefined) return 'too few';
  return x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)}×`;
}

/**
 * The ratio cell: the N:M pattern itself (its ratio is fixed by N and M, whatever --ratio says);
 * otherwise the ratio asked for (channels: of the channels; the sparsity column has the fraction of
 * weights removed).
 */
export function ratioCell(ratio: number, structure: string | undefined): string {
  const s = parseStructure(structure ?? DEFAULT_STRUCTURE);
  return s.kind === 'nm' ? `${s.n}:${s.m}` : String(ratio);
}

/** The structure as the line above a table names it ('' when unstructured). */
export function structureText(spec: { structure?: string; channelMultiple?: number }): string {
  const s = parseStructure(spec.structure ?? DEFAULT_STRUCTURE);
  if (s.kind === 'unstructured') return '';
  const q = spec.channelMultiple ?? DEFAULT_CHANNEL_MULTIPLE;
  if (s.kind === 'channels') return `, channels${q > 1 ? ` (kept channels in multiples of ${q})` : ''}: ratio of channels removed, sparsity of weights removed`;
  return s.kind === 'nm' ? `, ${s.n}:${s.m} (ratio ${1 - s.n / s.m})` : `, ${s.rows}x${s.cols} blocks`;
}

export function cells(p: EvalPoint, runtimes: readonly RuntimeName[], options: EvalOptions, withMethod: boolean, threads: Threads, structure?: string): string[] {
  const c = [ratioCell(p.ratio, structure), p.sparsity.toFixed(3)];
  if (withMethod) c.unshift(p.method ?? 'magnitude');
  for (const r of runtimes) {
    const m = p.results.find((x) => x.runtime === r);
    const na = m === undefined || m.unavailable !== undefined;
    if (threads.language) c.push(na || m.loss === undefined ? 'n/a' : m.loss.toFixed(4), na || m.perplexity === undefined ? 'n/a' : m.perplexity.toFixed(3));
    else c.push(na ? 'n/a' : m.accuracy.toFixed(4));
    if (options.batch1 !== false && !threads.language) c.push(na || m.batch1Seconds === undefined ? 'n/a' : m.batch1Seconds.toFixed(3));
    if (options.batch !== 0) {
      if (r === 'sparse' && threads.oneWorker) c.push(na ? 'n/a' : rate(m.oneWorkerThroughput));
      // A point that ran on other threads than the header's (its workers failed) says so.
      const other = !na && m.workers !== undefined && m.workers !== threads.workers[r] ? ` (×${m.workers})` : '';
      c.push(na ? 'n/a' : rate(m.batchThroughput) + other);
    }
  }
  const e = p.exported;
  if (e) {
    c.push(shortCount(e.params), shortCount(e.nonzeroParams), shortCount(e.macs) + (e.macsUnknown ? '+' : ''), bytesText(e.denseBytes), bytesText(e.sparseBytes));
  } else c.push('n/a', 'n/a', 'n/a', 'n/a', 'n/a');
  if (withOrt(runtimes)) {
    const x = ortTimeRatio(p);
    const few = ortTooFew(p);
    if (options.batch1 !== false && !threads.language) c.push(times(x.batch1, few.batch1));
    if (options.batch !== 0) c.push(times(x.batch, few.batch));
  }
  return c;
}

/** Widths of a streamed table: the header's (at least 8); the method column fits every method name. */
export function columnWidths(head: string[], withMethod: boolean): number[] {
  return head.map((h, i) => Math.max(h.length, withMethod && i === 0 ? 'reconstruct'.length : 8));
}

/** A streamed table: fixed column widths from the header (at least 8). */
export function rowText(row: string[], widths: number[]): string {
  return row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n';
}

/** The line under the table saying what ×orig is set beside (or why it is missing). */
export function originalNote(points: readonly EvalPoint[], runtimes: readonly RuntimeName[]): string | undefined {
  if (!withOrt(runtimes)) return undefined;
  const measured = points.filter((p) => p.original !== undefined);
  if (measured.length === 0) return undefined;
  const failed = measured.find((p) => p.original?.unavailable !== undefined)?.original?.unavailable;
  const lines = [`×orig: the exported file's time in onnxruntime as a multiple of the unpruned model's, ${ALTERNATION_TEXT}; below 1 is faster. MACs at batch 1 (pools count 0).`];
  if (measured.some((p) => Object.keys(ortTooFew(p)).length > 0)) lines.push(`×orig too few: ${TOO_FEW_TEXT} (use more samples: --limit).`);
  if (failed !== undefined) lines.push(`×orig n/a: ${failed}`);
  return lines.join('\n');
}
