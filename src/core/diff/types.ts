// The result of comparing model A with model B (core/diff): matched, added and removed nodes of the
// main graph, graph inputs/outputs, weight tensors, and a summary. Small and plain (no tensor data),
// so the engine can send it as it is and a view can colour both graphs from it.
import type { Histogram } from '../stats/histogram';

/** How a node of A was paired with one of B (see match.ts). */
export type MatchHow = 'name' | 'neighbours' | 'position';

/** A node of one model: its index in the main graph's node list, name and op. */
export interface NodeRef {
  index: number;
  name: string;
  opType: string;
}

/** An attribute whose value differs; `before` absent: only in B, `after` absent: only in A. */
export interface AttributeChange {
  name: string;
  before?: string;
  after?: string;
}

/** An input or output (by position) whose recorded or inferred shape differs. */
export interface ShapeDiff {
  kind: 'input' | 'output';
  position: number;
  tensorA: string;
  tensorB: string;
  /** Type text such as float32[N,16,14,14]; '?' when neither recorded nor inferable. */
  before: string;
  after: string;
}

export interface NodeDiff {
  a: NodeRef;
  b: NodeRef;
  how: MatchHow;
  changed: boolean;
  /** Set when the names differ (pairs made by neighbours or position). */
  name?: { before: string; after: string };
  /** Set when the op type (or its domain) differs. */
  opType?: { before: string; after: string };
  attributes: AttributeChange[];
  shapes: ShapeDiff[];
  /**
   * Input positions whose source differs: another producer (not the matched one), a different graph
   * input, an added/removed input, or a weight whose shape, type or values changed.
   */
  changedInputs: number[];
}

/** A graph input or output compared by name. */
export interface ValueDiff {
  name: string;
  status: 'unchanged' | 'changed' | 'added' | 'removed';
  before?: string;
  after?: string;
}

export type TensorStatus = 'unchanged' | 'values' | 'shape' | 'dtype' | 'added' | 'removed' | 'not-compared';

/** One weight (initializer or Constant tensor of the main graph) compared with its counterpart. */
export interface TensorDiff {
  /** Name in A (absent: added) and in B (absent: removed). */
  nameA?: string;
  nameB?: string;
  /** How the two were paired: the same name, or the same input position of matched nodes. */
  how?: 'name' | 'node-input';
  status: TensorStatus;
  dtypeA?: string;
  dtypeB?: string;
  dimsA?: number[];
  dimsB?: number[];
  /** status 'shape': every dim of B ≤ A's, same rank, some smaller (a channel prune). */
  shrank?: boolean;
  /** Why not compared (status 'not-compared': data not loaded, strings). */
  note?: string;
  /** Elements (of A; of B for an added tensor). */
  count: number;
  /** Elements whose values differ (equal shapes only; ints bitwise, floats exactly, NaN = NaN). */
  changed?: number;
  zerosA?: number;
  zerosB?: number;
  sparsityA?: number;
  sparsityB?: number;
  /** The largest |B − A| (NaN against a number counts as infinite) and where: flat index and coordinates. */
  maxAbsDelta?: number;
  maxAt?: number[];
  /** Histograms of A and of B on one common bin range (changed real-valued tensors only). */
  histogramA?: Histogram;
  histogramB?: Histogram;
}

export interface DiffSummary {
  nodesA: number;
  nodesB: number;
  matchedByName: number;
  matchedByNeighbours: number;
  matchedByPosition: number;
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  tensorsCompared: number;
  tensorsChanged: number;
  tensorsAdded: number;
  tensorsRemoved: number;
  /** Pairs of equal values under another name (paired through a node input). */
  tensorsRenamed: number;
  inputsChanged: number;
  outputsChanged: number;
  paramsA: number;
  paramsB: number;
  nonzerosA: number;
  nonzerosB: number;
  identical: boolean;
  /** One line: "no differences", or the counts that differ. */
  text: string;
}

export interface ModelDiff {
  summary: DiffSummary;
  /** Every matched pair, in A's node order (unchanged ones too: a view colours both graphs). */
  nodes: NodeDiff[];
  /** Nodes only in B / only in A. */
  added: NodeRef[];
  removed: NodeRef[];
  inputs: ValueDiff[];
  outputs: ValueDiff[];
  /** Every weight: pairs in A's order, then those only in B. */
  tensors: TensorDiff[];
}

export interface DiffOptions {
  /** Histogram bins of changed tensors (default 32, at most 256; 0: no histograms, one pass less). */
  bins?: number;
}

export const DEFAULT_DIFF_BINS = 32;
export const MAX_DIFF_BINS = 256;
