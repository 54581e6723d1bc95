// The graph overlay "Sensitivity": each node that reads an analysed tensor coloured by the accuracy
// drop (percentage points below the unpruned model) when only that tensor is pruned at the chosen
// ratio; other nodes stay neutral. The Sensitivity panel holds the data and picks the ratio.

import type { ModelSummary } from '../../engine/protocol';
import { provideOverlay, type MeasureOverlay } from '../overlays';
import { formatRatio } from '../format';
import { accuracyDropByNode, type LiveCurve } from './sensitivity-data';

export interface SensitivitySource {
  model: ModelSummary | null;
  curves: readonly LiveCurve[];
  baselineAccuracy: number | null;
  ratio: number | undefined;
}

/** The overlay of the current analysis, or null while there is none (no baseline or no ratio yet). */
export function sensitivityOverlay(s: SensitivitySource): MeasureOverlay | null {
  if (!s.model || s.baselineAccuracy === null || s.ratio === undefined) return null;
  const values = accuracyDropByNode(s.model, s.curves, s.baselineAccuracy, s.ratio);
  if (values.size === 0) return null;
  return {
    kind: 'measure',
    id: 'sensitivity',
    title: `Accuracy drop, one tensor pruned at ${formatRatio(s.ratio)}`,
    values,
    format: (v) => `${(v * 100).toFixed(1)} pt`,
    higherIsWorse: true,
  };
}

export function provideSensitivityOverlay(get: () => SensitivitySource): void {
  provideOverlay(
    'sensitivity',
    'Sensitivity',
    () => sensitivityOverlay(get()),
    'Accuracy drop (percentage points) when only the weight a node reads is pruned, at the ratio chosen in the Sensitivity panel; run an analysis there first. Nodes without an analysed weight stay neutral.',
  );
}
