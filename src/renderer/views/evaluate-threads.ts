// The Evaluate panel's large-batch figures: samples per second with the threads that ran them (×N)
// and, with several workers, the same batch on one of them (a line of its own, so the table keeps its width).

import type { RuntimeMeasure } from '../../engine/protocol';
import { formatCount } from '../format';

/** "25,520/s ×2", or "" without a large batch. */
export function throughputText(m: RuntimeMeasure): string {
  if (m.batchThroughput === undefined) return '';
  return `${formatCount(m.batchThroughput)}/s${m.workers !== undefined ? ` ×${m.workers}` : ''}`;
}

/** "×1 13,238/s" when the large batch also ran on one worker, else "". */
export function oneWorkerText(m: RuntimeMeasure): string {
  return m.oneWorkerThroughput !== undefined ? `×1 ${formatCount(m.oneWorkerThroughput)}/s` : '';
}
