// Keyboard shortcuts of the window: Ctrl+O/F, Ctrl+Shift+E, Escape, zoom keys and ? (the list is
// in dialogs.ts's showShortcuts).

import type { AppContext } from './context';
import { closeModal, hideBanner } from './dialogs';
import type { Store } from './state';

export function installShortcuts(ctx: AppContext, store: Store): void {
  window.addEventListener('keydown', (event) => {
    const mod = event.ctrlKey || event.metaKey;
    const target = event.target as HTMLElement | null;
    const typing = !!target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA');
    const key = event.key.toLowerCase();
    if (mod && !event.shiftKey && key === 'o') return done(event, () => ctx.run('open'));
    if (mod && !event.shiftKey && key === 'f') return done(event, () => ctx.run('find'));
    if (mod && event.shiftKey && key === 'e') return done(event, () => ctx.run('export-model'));
    if (mod && event.shiftKey && key === 'r') return done(event, () => ctx.run('export-report'));
    if (mod && event.shiftKey && key === 'o') return done(event, () => ctx.run('compare-with'));
    if (event.key === 'Escape') {
      if (closeModal() || hideBanner()) return done(event, () => undefined);
      if (typing) return target?.blur();
      if (store.state.selection.node) store.set('selection', { node: null, graphPath: store.state.selection.graphPath });
      return;
    }
    if (typing || mod || event.altKey) return;
    if (event.key === '+' || event.key === '=') return done(event, () => ctx.run('zoom-in'));
    if (event.key === '-' || event.key === '−') return done(event, () => ctx.run('zoom-out'));
    if (event.key === '0') return done(event, () => ctx.run('zoom-fit'));
    if (event.key === '?') return done(event, () => ctx.run('shortcuts'));
  });
}

function done(event: KeyboardEvent, fn: () => void): void {
  event.preventDefault();
  fn();
}
