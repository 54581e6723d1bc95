// The per-node error results as data (no DOM, so unit tests and the table share it): the rows of a
// NodeErrorReport, the cell texts, the overlay's value per node, how many rows are highlighted,
// and the summary lines of the model outputs.

import type { NodeErrorReport, ValueError } from '../../engine/protocol';
import { formatNumber, formatPercent } from '../format';

export type ErrorOrder = 'graph' | 'worst';

/** One row of the table: an output value of a node. */
export interface Row {
  index: number;
  name: string;
  opType: string;
  /** 0: the node's first output (the row that names it). */
  k: number;
  v: ValueError;
}

/** Rows highlighted as the worst (largest rel L2, above 0): at most this many, and at most a quarter of the measured rows (at least one). */
export const WORST = 5;

export function worstCount(measured: number): number {
  return measured === 0 ? 0 : Math.max(1, Math.min(WORST, Math.ceil(measured / 4)));
}

/** "1000" or "16×28×28": the dims without the batch (the first) when there are more. */
function dimsText(dims: number[]): string {
  return (dims.length > 1 ? dims.slice(1) : dims).join('×');
}

/** The rel L2 cell: a number, or why there is none. */
export function relText(v: ValueError): string {
  if (v.missing) return 'not in the pruned model';
  if (v.shapeChanged) return `shape ${dimsText(v.shapeChanged.original)} → ${dimsText(v.shapeChanged.pruned)}`;
  return v.relL2 === undefined ? '–' : formatNumber(v.relL2);
}

/** Cosine to 4 decimals (its interesting digits sit near 1), '–' without one. */
export function cosineText(v: ValueError): string {
  return v.cosine === undefined ? '–' : v.cosine.toFixed(4);
}

/** The report's rows in graph order. */
export function rowsOf(r: NodeErrorReport): Row[] {
  return r.nodes.flatMap((n) => n.outputs.map((v, k) => ({ index: n.index, name: n.name, opType: n.opType, k, v })));
}

/** The node's error for the overlay: the largest rel L2 of its outputs (none measured: absent). */
export function errorValues(r: NodeErrorReport): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of r.nodes) {
    const measured = n.outputs.map((v) => v.relL2).filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (measured.length > 0) out.set(n.index, Math.max(...measured));
  }
  return out;
}

/** The one-line summary of the model outputs and the top-1 agreement. */
export function outputsText(r: NodeErrorReport): string[] {
  const lines = r.outputs.map((o) => `Model output ${o.value}: ${o.relL2 !== undefined ? `rel L2 ${formatNumber(o.relL2)}, cosine ${cosineText(o)}` : relText(o)}`);
  if (r.top1Agreement !== undefined) {
    lines.push(`Top-1 agreement: ${formatPercent(r.top1Agreement)} (${Math.round(r.top1Agreement * r.samples)} of ${r.samples} samples)`);
  }
  return lines;
}
