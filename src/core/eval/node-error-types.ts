// The result of per-node error (node-error.ts), kept apart from the runtime so that clients (the
// engine protocol, the renderer) read these types and defaults without loading it.

/** One value's error against the original; a number, or why there is none. */
export interface ValueError {
  value: string;
  /**
   * ‖a − b‖ / ‖a‖ over the samples taken together (a: original, b: pruned). When ‖a‖ = 0 it is
   * 0 if b is 0 too, else 1 (and `zeroReference` is set).
   */
  relL2?: number;
  /** a·b / (‖a‖‖b‖); 1 when both are 0, 0 when only one is. */
  cosine?: number;
  /** The original value is 0 everywhere on these samples. */
  zeroReference?: boolean;
  /** The value's dims differ (channels removed): no number. Dims as computed on the first batch. */
  shapeChanged?: { original: number[]; pruned: number[] };
  /** The pruned model has no value of this name. */
  missing?: boolean;
}

/** Samples measured unless asked otherwise. */
export const DEFAULT_NODE_ERROR_SAMPLES = 256;
/** Samples per run: both models' values of one batch are held at once. */
export const DEFAULT_NODE_ERROR_BATCH = 16;

/** The error of one node of the original model's main graph. */
export interface NodeError {
  /** The node's index in the original model's main graph (graph.nodes). */
  index: number;
  name: string;
  opType: string;
  /** Its output values (those the graph reads, or the first one). */
  outputs: ValueError[];
}

export interface NodeErrorReport {
  /** Samples measured (the first ones of the dataset). */
  samples: number;
  /** Samples asked for (the dataset may hold fewer). */
  requested: number;
  /** Every node of the original's main graph, in graph order. */
  nodes: NodeError[];
  /** The model outputs' error (the original's graph outputs). */
  outputs: ValueError[];
  /** Share of samples whose top-1 class (argmax of the first output) is the same in both models; absent when that output is not one vector per sample. */
  top1Agreement?: number;
}

