// The value types of sensitivity analysis and ratio allocation (the engine protocol re-exports
// them) and the default ratios. No code that runs a model lives here: the renderer reads it.

/** 0.1 … 0.9 and 0.95: the default ratios of a sensitivity analysis (ten points per curve). */
export const SENSITIVITY_RATIOS: readonly number[] = Object.freeze([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]);

export interface AccuracyLoss {
  accuracy: number;
  /** Mean cross-entropy (natural log) of the true label: log-softmax of logits, or −log p after a Softmax. */
  loss: number;
}

export interface SensitivityPoint extends AccuracyLoss {
  /** The ratio asked for. */
  ratio: number;
  /** The fraction of the tensor actually pruned. */
  pruned: number;
}

/** One curve per tensor: accuracy and loss against the ratio, only that tensor pruned. */
export interface SensitivityCurve {
  tensor: string;
  /** Elements of the tensor. */
  params: number;
  /** The nodes that read it. */
  nodes: string[];
  /** Nodes run per point (the part downstream of the tensor); 0 when the output does not depend on it. */
  nodesRun: number;
  points: SensitivityPoint[];
  /** What the plans left out for this tensor (channels: a group kept whole, so nothing is pruned). */
  notes?: string[];
}

export interface SensitivityResult {
  samples: number;
  /** Canonical structure text the tensors were pruned in. */
  structure: string;
  /** The unpruned model on the same samples. */
  baseline: AccuracyLoss;
  curves: SensitivityCurve[];
  /** Nodes of the main graph. */
  totalNodes: number;
  /** Said about the whole analysis (an N:M structure fixes the ratio). */
  notes?: string[];
}

export interface AllocationRow {
  tensor: string;
  params: number;
  /** The ratio allocated to the tensor. */
  ratio: number;
  /** Predicted loss increase of this tensor alone at its ratio (its monotone curve, interpolated). */
  predictedLossIncrease: number;
}

export interface Allocation {
  /** The target overall sparsity over the analysed tensors (parameter-weighted). */
  target: number;
  /** The sparsity the rounded per-tensor counts give: Σ round(ratio × n) / Σ n. */
  sparsity: number;
  rows: AllocationRow[];
  /** Σ of the tensors' predicted loss increases (each pruned alone; interactions not modelled). */
  predictedLossIncrease: number;
  /** The per-layer overrides of a prune spec that apply the allocation. */
  overrides: Record<string, number>;
}

/** A pruning of the analysed tensors at the target sparsity, measured on the same samples. */
export interface AllocationComparison extends AccuracyLoss {
  name: 'allocated' | 'uniform per layer' | 'global';
  /** Sparsity of the analysed tensors as pruned. */
  sparsity: number;
}

/** The answer of a sensitivity request: the curves, and the allocation when one was asked for. */
export interface SensitivityReport extends SensitivityResult {
  allocation?: Allocation & { comparison: AllocationComparison[] };
}
