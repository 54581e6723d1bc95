// The plan as the engine's PruneReport (same structure; core does not import the engine's types).
import type { Model } from '../onnx/model';
import { estimateExportBytes } from './sparse';
import type { PrunePlan } from './types';

export interface PruneSummary {
  layers: { tensor: string; nodes: string[]; dims: number[]; n: number; kept: number; ratio: number; threshold: number }[];
  totalParams: number;
  prunableParams: number;
  keptParams: number;
  denseBytes: number;
  sparseBytes: number;
}

export function pruneSummary(model: Model, plan: PrunePlan): PruneSummary {
  const bytes = estimateExportBytes(model, plan);
  return {
    layers: plan.layers.map((l) => ({
      tensor: l.tensor, nodes: [...l.nodes], dims: [...l.dims], n: l.n, kept: l.kept, ratio: l.ratio, threshold: l.threshold,
    })),
    totalParams: plan.totalParams,
    prunableParams: plan.prunableParams,
    keptParams: plan.keptParams,
    denseBytes: bytes.dense,
    sparseBytes: bytes.sparse,
  };
}
