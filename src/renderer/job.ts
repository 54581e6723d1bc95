// Slow work started from a menu or a button outside the Prune panel (an export or a dump of a model
// pruned by reconstruct / fine-tune whose result the engine's cache no longer holds) shows a progress
// card with Cancel over the graph, like the panels' own progress bars. `ensurePruned` runs the
// engine's 'prune' job for a spec first (answered at once from the cache when it holds it), so the
// export or dump that follows never recomputes silently.

import type { PruneSpec } from '../engine/protocol';
import type { AppContext } from './context';
import { h } from './dom';
import { METHOD_REGISTRY, methodLacksData, methodOf } from './method-spec';

export interface JobCard {
  progress(fraction: number, text: string): void;
  close(): void;
}

let host: HTMLElement | null = null;

export function setJobHost(el: HTMLElement): void {
  host = el;
}

/** Shows a progress card titled `title`; Cancel calls `onCancel`. */
export function showJob(title: string, onCancel: () => void): JobCard {
  const bar = h('div', { class: 'progress-bar' });
  const track = h('div', { class: 'progress-track', role: 'progressbar', 'aria-label': title, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, bar);
  const text = h('div', { class: 'progress-text', 'data-testid': 'job-progress' }, 'Starting…');
  const cancel = h('button', { class: 'btn small', 'data-testid': 'job-cancel' }, 'Cancel');
  const card = h('div', { class: 'job-card', role: 'status', 'data-testid': 'job' }, h('div', { class: 'job-title' }, title), track, h('div', { class: 'job-row' }, text, cancel));
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    text.textContent = 'Cancelling…';
    onCancel();
  });
  (host ?? document.body).append(card);
  return {
    progress(fraction, message) {
      const pct = Math.max(0, Math.min(100, fraction * 100));
      bar.style.width = `${pct}%`;
      track.setAttribute('aria-valuenow', String(Math.round(pct)));
      if (!cancel.disabled) text.textContent = message;
    },
    close: () => card.remove(),
  };
}

export class JobCancelled extends Error {
  readonly code = 'cancelled';
  constructor(what: string) {
    super(`Cancelled: ${what} was not made.`);
  }
}

/**
 * Makes sure the engine holds the model pruned by `spec` before `what` (e.g. "the export") uses it:
 * magnitude needs nothing; a data-aware method runs as a 'prune' job with progress and Cancel
 * (at once when cached). Throws JobCancelled when the user cancels, and refuses a method whose data
 * was never chosen instead of letting the engine fall back to the bundled digits.
 */
export async function ensurePruned(ctx: AppContext, modelId: number, spec: PruneSpec, what: string): Promise<void> {
  const method = methodOf(spec);
  if (method === 'magnitude') return;
  const info = METHOD_REGISTRY[method];
  if (methodLacksData(method, ctx.store.state.methodSettings)) {
    throw new Error(`${info.label} needs data for ${what}: choose it in the Prune panel first.`);
  }
  const request = ctx.platform.client.request({ type: 'prune', modelId, spec }, { onProgress: (p) => card?.progress(p.total > 0 ? p.done / p.total : 0, p.message || `${p.done} / ${p.total}`) });
  // A cached answer comes at once: show the card only if the job is still running a moment later.
  let card: JobCard | null = null;
  let cancelled = false;
  const timer = setTimeout(() => {
    card = showJob(`${info.name} at ${spec.ratio} for ${what}`, () => {
      cancelled = true;
      ctx.platform.client.cancel(request.id);
    });
  }, 150);
  try {
    await request.promise;
  } catch (error) {
    if (cancelled || (error instanceof Error && 'code' in error && error.code === 'cancelled')) throw new JobCancelled(what);
    throw error;
  } finally {
    clearTimeout(timer);
    (card as JobCard | null)?.close();
  }
}

/**
 * Runs `use` with the id of a second engine model holding the model pruned by `spec` (encoded by the
 * engine, opened from those bytes), for the requests that take no spec (the JSON rendering); closes it after.
 */
export async function withPrunedCopy<T>(ctx: AppContext, modelId: number, spec: PruneSpec, name: string, use: (copyId: number) => Promise<T>): Promise<T> {
  const client = ctx.platform.client;
  await ensurePruned(ctx, modelId, spec, `the pruned ${name}`);
  const pruned = await client.call({ type: 'export', modelId, spec, format: 'dense' });
  if (!pruned.bytes) throw new Error('The engine returned no bytes for the pruned model.');
  const copy = await client.call({ type: 'open', source: { kind: 'bytes', name, bytes: pruned.bytes } });
  try {
    return await use(copy.modelId);
  } finally {
    void client.call({ type: 'close', modelId: copy.modelId }).catch(() => undefined);
  }
}
