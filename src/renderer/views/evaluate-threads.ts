// The Evaluate panel's large-batch figure: samples per second, the threads that ran it (×N) and,
// with several workers, the same batch on one of them in brackets.

import type { RuntimeMeasure } from '../../engine/protocol';
import { formatCount } from '../format';

export function throughputText(m: RuntimeMeasure): string {
  if (m.batchThroughput === undefined) return '';
  const on = m.workers !== undefined ? ` ×${m.workers}` : '';
  const one = m.oneWorkerThroughput !== undefined ? ` (×1 ${formatCount(m.oneWorkerThroughput)}/s)` : '';
  return `${formatCount(m.batchThroughput)}/s${on}${one}`;
}
