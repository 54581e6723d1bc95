// The side panel: its tabs (one view each) and the handle that resizes it.

import type { AppContext, TabName } from './context';
import { h } from './dom';
import type { Store } from './state';
import { createDumpsView } from './views/dumps';
import { createEvaluateView } from './views/evaluate';
import { createHistogramsView } from './views/histograms';
import { createPropertiesView } from './views/properties';
import { createPruneView } from './views/prune';
import { createSensitivityView } from './views/sensitivity';
import { createCompareView } from './views/compare';

const TABS: { name: TabName; label: string }[] = [
  { name: 'properties', label: 'Properties' },
  { name: 'histograms', label: 'Histograms' },
  { name: 'prune', label: 'Prune' },
  { name: 'evaluate', label: 'Evaluate' },
  { name: 'sensitivity', label: 'Sensitivity' },
  { name: 'compare', label: 'Compare' },
  { name: 'dumps', label: 'Dumps' },
];

/** Creates the views, one tab each, in `tabBar` and `panelHost`; gives the function that switches tabs. */
export function installTabs(ctx: AppContext, tabBar: HTMLElement, panelHost: HTMLElement): (tab: TabName) => void {
  const panels: Record<TabName, { el: HTMLElement; activate?(): void }> = {
    properties: createPropertiesView(ctx),
    histograms: createHistogramsView(ctx),
    prune: createPruneView(ctx),
    evaluate: createEvaluateView(ctx),
    dumps: createDumpsView(ctx),
    sensitivity: createSensitivityView(ctx),
    compare: createCompareView(ctx),
  };
  const tabButtons = new Map<TabName, HTMLButtonElement>();
  let activeTab: TabName = 'properties';
  for (const tab of TABS) {
    const button = h('button', { class: 'tab', role: 'tab', 'data-tab': tab.name, onclick: () => selectTab(tab.name) }, tab.label);
    tabButtons.set(tab.name, button);
    tabBar.append(button);
    panels[tab.name].el.hidden = true;
    panels[tab.name].el.dataset.panel = tab.name;
    panelHost.append(panels[tab.name].el);
  }
  function selectTab(tab: TabName): void {
    activeTab = tab;
    for (const t of TABS) {
      tabButtons.get(t.name)?.classList.toggle('active', t.name === tab);
      tabButtons.get(t.name)?.setAttribute('aria-selected', String(t.name === tab));
      panels[t.name].el.hidden = t.name !== tab;
    }
    panels[tab].activate?.();
  }
  selectTab(activeTab);
  return selectTab;
}

export const SIDEBAR_DEFAULT = 470;
const SIDEBAR_MIN = 320;

/** The side panel's width stays between 320 px and 70% of the window. */
export function clampSidebar(width: number): number {
  const max = Math.max(SIDEBAR_MIN, Math.floor(window.innerWidth * 0.7));
  return Math.round(Math.min(max, Math.max(SIDEBAR_MIN, width)));
}

/**
 * The handle on the side panel's left edge: drag it, or focus it and press ←/→ (Shift for larger
 * steps), Home/End for the narrowest/widest; the width is remembered.
 */
export function createSidebarResizer(store: Store): HTMLElement {
  const handle = h('div', {
    class: 'sidebar-resizer',
    role: 'separator',
    tabindex: 0,
    'aria-orientation': 'vertical',
    'aria-label': 'Resize the side panel',
    'aria-valuemin': SIDEBAR_MIN,
    'data-testid': 'sidebar-resizer',
    title: 'Drag, or use ← → to resize the side panel',
  });
  const set = (width: number): void => {
    const w = clampSidebar(width);
    store.set('sidebarWidth', w);
    localStorage.setItem('prunescope.sidebarWidth', String(w));
  };
  store.on('sidebarWidth', (w) => {
    handle.setAttribute('aria-valuenow', String(w));
    handle.setAttribute('aria-valuemax', String(clampSidebar(Infinity)));
  });
  handle.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const startW = store.state.sidebarWidth;
    handle.classList.add('dragging');
    const move = (ev: PointerEvent): void => set(startW + (startX - ev.clientX));
    const up = (): void => {
      handle.classList.remove('dragging');
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  });
  handle.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 80 : 16;
    const w = store.state.sidebarWidth;
    const next = e.key === 'ArrowLeft' ? w + step : e.key === 'ArrowRight' ? w - step : e.key === 'Home' ? SIDEBAR_MIN : e.key === 'End' ? Infinity : null;
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation();
    set(next);
  });
  return handle;
}
