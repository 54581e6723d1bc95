// Each weight's histogram, drawn as the Histograms panel draws it (views/histogram-card.ts).

import type { ReportData } from '../../engine/protocol';
import { h } from '../dom';
import { histogramCard } from '../views/histogram-card';

export function histogramsSection(body: HTMLElement, data: ReportData): void {
  const bins = data.histograms[0]?.histogram.counts.length ?? 0;
  body.append(h('p', { class: 'rp-note' }, `Every initializer of the main graph: ${bins} bins over [min, max], counts of weights per bin.`));
  const grid = h('div', { class: 'rp-hists', 'data-testid': 'report-histograms' });
  body.append(grid);
  for (const s of data.histograms) grid.append(histogramCard(s, false, null).card);
}
