// Pure helpers of the Evaluate panel: the experiment's ratios, parsing a ratio list, the CSV.

import type { EvalPoint } from '../../engine/protocol';
import { methodOf, sortPoints } from '../method-spec';

/** The experiment's sweep: 0 to 0.75 by 0.05, then 0.8 to 1.0 by 0.01, as exact decimals. */
export function experimentRatios(): number[] {
  const ratios: number[] = [];
  for (let i = 0; i <= 15; i++) ratios.push(Math.round(i * 5) / 100);
  for (let i = 80; i <= 100; i++) ratios.push(i / 100);
  return ratios;
}

/** "0, 0.5 0.8;0.9" → [0, 0.5, 0.8, 0.9]; throws naming the bad entry. */
export function parseRatios(text: string): number[] {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) throw new Error('Enter at least one ratio between 0 and 1, e.g. 0, 0.5, 0.8, 0.9.');
  const ratios = parts.map((part) => {
    const r = Number(part);
    if (!Number.isFinite(r) || r < 0 || r > 1) throw new Error(`“${part}” is not a ratio between 0 and 1.`);
    return r;
  });
  return [...new Set(ratios)].sort((a, b) => a - b);
}

/** One line per point and runtime; the pruning method is the last column (earlier columns as before). */
export function evalCsv(points: EvalPoint[]): string {
  const lines = ['ratio,sparsity,runtime,samples,accuracy,batch1_seconds,batch_throughput,unavailable,method'];
  for (const p of sortPoints(points)) {
    for (const m of p.results) {
      const note = m.unavailable ? `"${m.unavailable.replace(/"/g, '""')}"` : '';
      lines.push([p.ratio, p.sparsity, m.runtime, p.samples, m.unavailable ? '' : m.accuracy, m.batch1Seconds ?? '', m.batchThroughput ?? '', note, methodOf(p)].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
