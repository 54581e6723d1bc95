// The application state shared by the views, with change notifications per field.

import type { EvalPoint, ModelSummary, NodeMetricsReport, NodeSummary, PruneReport, PruneSpec, SensitivityReport } from '../engine/protocol';
import { folding } from './folded-nodes';
import { defaultMethodSettings, type MethodSettings } from './method-spec';

export type EngineState = 'starting' | 'ready' | 'busy' | 'stopped';

export interface Selection {
  node: NodeSummary | null;
  graphPath: string[];
}

export interface AppState {
  model: ModelSummary | null;
  /** Path (desktop) or file name (browser) of the open model. */
  modelLabel: string;
  /**
   * The open model is the bundled sample (File › Open Sample): only then is the bundled MNIST data
   * the default for evaluation and the data-aware methods; any other model waits for the user's data.
   */
  modelIsSample: boolean;
  /** The Dumps panel's choice: show and export the model pruned at the current spec (else the original). */
  dumpPruned: boolean;
  /** Width of the side panel in CSS pixels (the drag handle's), remembered across sessions. */
  sidebarWidth: number;
  selection: Selection;
  spec: PruneSpec;
  /** Data, calibration size and epochs for the data-aware methods (the Prune panel's choices). */
  methodSettings: MethodSettings;
  report: PruneReport | null;
  engine: EngineState;
  /** The last evaluation results (current ratio or sweep), for the chart, table and CSV. */
  results: EvalPoint[];
  theme: 'light' | 'dark';
  // issue 16: metrics
  /** Per-node metrics of the open model (metrics.ts asks the engine after each open). */
  metrics: NodeMetricsReport | null;
  /** The same of the model the current report prunes, when known (magnitude, or an applied method). */
  metricsAfter: NodeMetricsReport | null;
  /** The graph overlays the "Colour by" control lists (overlays.ts: provideOverlay); set again when one's data changes. */
  overlays: readonly { id: string; label: string; hint?: string }[];
  /** The "Colour by" control's choice ('' none): the user's, or a run's (overlays.ts chooseOverlay). */
  overlayChoice: string;
  /** The Sensitivity tab's last finished analysis and the test set it ran on (Export Report includes it). */
  sensitivity: { dataset: string; result: SensitivityReport } | null;
  /** The model the open one is compared with (the Compare tab; Export Report includes the diff). */
  comparison: { modelId: number; label: string } | null;
}

type Listener<K extends keyof AppState> = (value: AppState[K], state: AppState) => void;

export class Store {
  readonly state: AppState = {
    model: null,
    modelLabel: '',
    modelIsSample: false,
    dumpPruned: false,
    sidebarWidth: 470,
    selection: { node: null, graphPath: [] },
    spec: { ratio: 0, mode: 'layer', overrides: {} },
    methodSettings: defaultMethodSettings(null),
    report: null,
    engine: 'starting',
    results: [],
    theme: 'light',
    metrics: null,
    metricsAfter: null,
    overlays: [],
    overlayChoice: '',
    sensitivity: null,
    comparison: null,
  };
  private readonly listeners = new Map<keyof AppState, Listener<never>[]>();

  set<K extends keyof AppState>(key: K, value: AppState[K]): void {
    this.state[key] = value;
    for (const listener of this.listeners.get(key) ?? []) (listener as Listener<K>)(value, this.state);
  }

  on<K extends keyof AppState>(key: K, listener: Listener<K>): void {
    const list = this.listeners.get(key) ?? [];
    list.push(listener as Listener<never>);
    this.listeners.set(key, list);
  }
}

/**
 * The weight tensors a node uses: its inputs that are initializers, and (in the main graph) its
 * non-first inputs fed by a Constant node, as exporters like PaddlePaddle store weights that way; a
 * weight renamed by an Identity (folded-nodes.ts) is named as the weight it renames.
 */
export function nodeInitializers(model: ModelSummary | null, node: NodeSummary | null, graphPath: string[]): string[] {
  if (!model || !node) return [];
  if (node.opType === 'Constant' && graphPath.length === 0 && node.attributes.some((a) => a.name === 'value')) return [node.outputs[0]];
  const graph = graphPath.length > 0 ? findSubgraph(model, graphPath) : model.graph;
  const names = new Set((graph ?? model.graph).initializers.map((i) => i.name));
  for (const i of model.graph.initializers) names.add(i.name);
  const constants = new Set<string>();
  if (graphPath.length === 0) {
    for (const n of model.graph.nodes) {
      if (n.opType === 'Constant' && n.attributes.some((a) => a.name === 'value')) constants.add(n.outputs[0]);
    }
  }
  const renamed = graphPath.length === 0 ? folding(model.graph).source : new Map<string, string>();
  return node.inputs.map((name) => renamed.get(name) ?? name).filter((name, i) => name !== '' && (names.has(name) || (i > 0 && constants.has(name))));
}

function findSubgraph(model: ModelSummary, path: string[]): ModelSummary['graph'] | null {
  // graphPath names nodes and attributes down from the main graph; search every subgraph by name.
  const target = path[path.length - 1];
  const visit = (graph: ModelSummary['graph']): ModelSummary['graph'] | null => {
    if (graph.name === target) return graph;
    for (const node of graph.nodes) {
      for (const sub of node.subgraphs) {
        if (sub.attribute === target || sub.graph.name === target) return sub.graph;
        const found = visit(sub.graph);
        if (found) return found;
      }
    }
    return null;
  };
  return visit(model.graph);
}
