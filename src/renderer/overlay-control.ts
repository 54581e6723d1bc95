// The "Colour by" control on the graph (issue 16): a select listing the registered overlays
// (overlays.ts). The chosen overlay is asked for again whenever the registry says data changed,
// and given to the graph; "none" clears it. Reachable by Tab like any select.

import type { AppContext } from './context';
import { h } from './dom';
import { overlayOf } from './overlays';

export function createOverlayControl(ctx: AppContext): HTMLElement {
  const { store } = ctx;
  const select = h('select', { 'data-testid': 'overlay-select', 'aria-label': 'Colour the graph by' }) as HTMLSelectElement;
  const el = h('label', { class: 'overlay-control', 'data-testid': 'overlay-control', hidden: true }, 'Colour by ', select);
  const apply = (): void => ctx.graph()?.setOverlay(select.value === '' ? null : overlayOf(select.value));
  const fill = (list: typeof store.state.overlays): void => {
    const chosen = store.state.overlayChoice;
    select.replaceChildren(
      h('option', { value: '' }, 'none'),
      ...list.map((o) => h('option', { value: o.id, ...(o.hint ? { title: o.hint } : {}) }, o.label)),
    );
    // A choice whose data went (a closed comparison) shows none, and comes back with its data.
    select.value = list.some((o) => o.id === chosen) ? chosen : '';
    select.title = list.find((o) => o.id === select.value)?.hint ?? 'Colour each op box by a measure';
    apply();
  };
  select.addEventListener('change', () => store.set('overlayChoice', select.value));
  store.on('overlayChoice', () => fill(store.state.overlays));
  store.on('overlays', fill);
  store.on('model', (model) => {
    el.hidden = !model;
  });
  fill(store.state.overlays);
  return el;
}
