// The registry of graph overlays the "Colour by" control lists (issue 16). A part that has a measure
// per node calls provideOverlay once, and overlaysChanged() whenever its data changes (the control
// then asks the provider again); the store's `overlays` event carries the list.

import type { GraphOverlay } from './views/graph/overlay';
import type { Store } from './state';

export type { GraphOverlay, MeasureOverlay, MarksOverlay } from './views/graph/overlay';

interface Provider {
  id: string;
  label: string;
  /** A tooltip for the choice: what the colours mean and which nodes stay neutral. */
  hint?: string;
  get(): GraphOverlay | null;
}

const providers = new Map<string, Provider>();
let store: Store | null = null;

/** Lists the choices that have data now (a Diff with no comparison open, an error overlay before a run: not listed). */
function publish(): void {
  const ready = [...providers.values()].filter((p) => p.get() !== null);
  store?.set('overlays', ready.map(({ id, label, hint }) => ({ id, label, ...(hint ? { hint } : {}) })));
}

/** Binds the registry to the app's store (app start). */
export function installOverlays(s: Store): void {
  store = s;
  publish();
}

/** Adds (or replaces) a choice; `get` answers the overlay for the open model, or null when it has none yet. */
export function provideOverlay(id: string, label: string, get: () => GraphOverlay | null, hint?: string): void {
  providers.set(id, { id, label, get, ...(hint ? { hint } : {}) });
  publish();
}

/** Tells the control that a provider's overlay changed (new data, a new model). */
export function overlaysChanged(): void {
  publish();
}

/** The overlay of the choice `id`, or null (no such choice, or no data). */
export function overlayOf(id: string): GraphOverlay | null {
  return providers.get(id)?.get() ?? null;
}

/** Shows the choice `id` in the "Colour by" control, as if the user picked it (a finished run shows its result). */
export function chooseOverlay(id: string): void {
  store?.set('overlayChoice', id);
}
