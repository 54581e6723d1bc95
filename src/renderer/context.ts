// What every view receives: the store, the platform, and the shared command registry.

import type { MenuCommand } from '../shared/api';
import type { Platform } from './engine-link';
import type { GraphView } from './graph-host';
import type { Store } from './state';

export type Command = MenuCommand | 'export-current-dump';

export interface AppContext {
  store: Store;
  platform: Platform;
  /** Commands by name; views register the ones they implement. */
  commands: Map<Command, () => void | Promise<void>>;
  run(command: Command): void;
  /** Shows an error banner for a failed action. */
  fail(title: string, error: unknown): void;
  /** Switches the sidebar to a tab. */
  showTab(tab: TabName): void;
  /** The graph view once a model has been shown. */
  graph(): GraphView | null;
}

export type TabName = 'properties' | 'histograms' | 'prune' | 'evaluate' | 'dumps' | 'sensitivity' | 'compare';
