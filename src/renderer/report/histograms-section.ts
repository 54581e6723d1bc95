// Each weight's histogram, drawn as the Histograms panel draws it (views/histogram-card.ts), when
// it first comes near the view.

import type { ReportData, TensorStatistics } from '../../engine/protocol';
import { h } from '../dom';
import { histogramCard } from '../views/histogram-card';

export function histogramsSection(body: HTMLElement, data: ReportData): void {
  const bins = data.histograms[0]?.histogram.counts.length ?? 0;
  body.append(h('p', { class: 'rp-note' }, `Every initializer, and every Constant tensor of 16 or more values (${data.histograms.length} weights): ${bins} bins over [min, max], counts of weights per bin.`));
  const grid = h('div', { class: 'rp-hists', 'data-testid': 'report-histograms' });
  body.append(grid);
  // A model may have hundreds of weights: each chart is drawn when its slot first comes into view.
  const slots = new Map<Element, TensorStatistics>();
  const draw = (slot: Element): void => {
    const s = slots.get(slot);
    if (!s) return;
    slots.delete(slot);
    slot.replaceWith(histogramCard(s, false, null).card);
  };
  const observer = typeof IntersectionObserver === 'undefined' ? undefined : new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) {
      observer?.unobserve(e.target);
      draw(e.target);
    }
  }, { rootMargin: '400px 0px' });
  for (const s of data.histograms) {
    const slot = h('div', { class: 'hist rp-hist-slot', 'data-tensor': s.name }, s.name);
    slots.set(slot, s);
    grid.append(slot);
    if (observer) observer.observe(slot);
    else draw(slot);
  }
}
