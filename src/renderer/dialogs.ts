// Error banner, modal dialogs (about, keyboard shortcuts) and the last-resort fatal message.

import { h } from './dom';

let bannerHost: HTMLElement | null = null;
let currentBanner: HTMLElement | null = null;
/** The kind and title of the banner shown, so that the action that failed can clear it on success. */
let currentKind: 'error' | 'info' | null = null;
let currentTitle = '';
/** How long an info notice stays (errors stay until dismissed or cleared by a success). */
export const INFO_MS = 6000;

export function setBannerHost(host: HTMLElement): void {
  bannerHost = host;
}

/** Shows a readable error (or info) banner over the centre of the window; replaces the previous one. */
export function showBanner(
  title: string,
  detail: string,
  kind: 'error' | 'info' = 'error',
  action?: { label: string; run(): void },
): void {
  hideBanner();
  const host = bannerHost ?? document.body;
  const button = action
    ? h('button', { class: 'btn small primary', 'data-testid': 'banner-action', onclick: () => (hideBanner(), action.run()) }, action.label)
    : null;
  currentBanner = h(
    'div',
    { class: `banner ${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-testid': 'banner' },
    h('div', { class: 'banner-text' }, h('div', { class: 'banner-title' }, title), h('div', { class: 'banner-detail' }, detail)),
    button,
    h('button', { class: 'close', title: 'Dismiss (Esc)', 'aria-label': 'Dismiss', onclick: () => hideBanner() }, '×'),
  );
  host.append(currentBanner);
  currentKind = kind;
  currentTitle = title;
  // Notices fade away by themselves; errors stay until dismissed or the failed action succeeds.
  if (kind === 'info') {
    const banner = currentBanner;
    setTimeout(() => {
      if (currentBanner === banner) hideBanner();
    }, INFO_MS);
  }
}

/** Removes the error banner titled `title` (the action it reported has now succeeded). */
export function clearError(title: string | ((shown: string) => boolean)): void {
  if (currentKind !== 'error') return;
  if (typeof title === 'string' ? currentTitle === title : title(currentTitle)) hideBanner();
}

export function hideBanner(): boolean {
  if (!currentBanner) return false;
  currentBanner.remove();
  currentBanner = null;
  currentKind = null;
  currentTitle = '';
  return true;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

export function showError(title: string, error: unknown): void {
  showBanner(title, errorText(error), 'error');
}

let openModal: HTMLElement | null = null;

export function closeModal(): boolean {
  if (!openModal) return false;
  openModal.remove();
  openModal = null;
  return true;
}

export function showModal(title: string, body: Node): void {
  closeModal();
  const close = h('button', { class: 'btn primary', onclick: () => closeModal() }, 'Close');
  const dialog = h(
    'div',
    { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
    h('h2', {}, title),
    body,
    h('div', { class: 'modal-actions' }, close),
  );
  openModal = h('div', { class: 'modal-backdrop', onclick: (e: Event) => e.target === openModal && closeModal() }, dialog);
  document.body.append(openModal);
  close.focus();
}

const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

export const SHORTCUTS: [string, string][] = [
  [`${mod}+O`, 'Open a model'],
  [`${mod}+F`, 'Find nodes: a name, op or tensor; op:Conv, sparsity<0.5, macs>1M, params>10k, bytes>1MB'],
  ['+ / −', 'Zoom in / out'],
  ['0', 'Fit the graph to the window'],
  [`${mod}+Shift+E`, 'Export the pruned model'],
  [`${mod}+Shift+R`, 'Export a report (.html)'],
  [`${mod}+Shift+O`, 'Compare the open model with another (Compare tab); or drop a file with Alt or Shift held'],
  ['Esc', 'Clear the selection, close a dialog or banner'],
  ['?', 'This list'],
];

export function showShortcuts(): void {
  const table = h(
    'table',
    { class: 'shortcuts' },
    SHORTCUTS.map(([keys, what]) =>
      h('tr', {}, h('td', {}, keys.split(' / ').flatMap((k, i) => [i > 0 ? ' / ' : '', h('kbd', {}, k)])), h('td', {}, what)),
    ),
  );
  showModal('Keyboard shortcuts', table);
}

export function showAbout(platform: string): void {
  showModal(
    'About Prunescope',
    h(
      'div',
      {},
      h('p', {}, 'Prunescope looks inside an ONNX model, prunes its smallest-magnitude weights, and measures what that costs in accuracy and buys in speed.'),
      h('p', { class: 'muted' }, `Running as the ${platform} build; the engine works in a separate ${platform === 'desktop' ? 'process' : 'Web Worker'}.`),
    ),
  );
}

export function showFatal(error: unknown): void {
  document.body.replaceChildren(
    h('div', { class: 'fatal', role: 'alert' }, h('h2', {}, 'Prunescope could not start'), h('p', {}, errorText(error))),
  );
}
