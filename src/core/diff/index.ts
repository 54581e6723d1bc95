// Model diff: what differs between model A and model B (issue 16). Nodes of the main graphs are
// paired (match.ts), their weights paired (pairs.ts) and compared in place (tensors.ts), paired
// nodes compared (nodes.ts), and the counts summed up (summary.ts). In steps, so that a caller (the
// engine) can report progress per tensor and stop between tensors: planDiff, compareTensorPair for
// each pair, finishDiff. diffModels does all three at once.
import type { Model } from '../onnx/model';
import { matchNodes, type NodeMatching } from './match';
import { diffNodes, diffValues, nodeRef } from './nodes';
import { denseOf, pairTensors, type TensorPair } from './pairs';
import { summarize } from './summary';
import { compareTensors } from './tensors';
import { DEFAULT_DIFF_BINS, MAX_DIFF_BINS, type DiffOptions, type ModelDiff, type TensorDiff } from './types';

export * from './types';
export { matchNodes, type NodeMatching, type NodePair } from './match';
export { compareTensors, unravel } from './tensors';
export { attributeKey, attributeChanges } from './attributes';

export interface DiffPlan {
  a: Model;
  b: Model;
  matching: NodeMatching;
  pairs: TensorPair[];
  bins: number;
}

/** Checks a histogram bin count for a diff (0: no histograms). */
export function diffBins(bins: number | undefined): number {
  const n = bins ?? DEFAULT_DIFF_BINS;
  if (!Number.isInteger(n) || n < 0 || n > MAX_DIFF_BINS) throw new RangeError(`diff histogram bins must be a whole number from 0 (none) to ${MAX_DIFF_BINS}, got ${n}`);
  return n;
}

export function planDiff(a: Model, b: Model, opts: DiffOptions = {}): DiffPlan {
  const bins = diffBins(opts.bins);
  const matching = matchNodes(a.graph, b.graph);
  return { a, b, matching, pairs: pairTensors(a, b, matching), bins };
}

/** Compares the plan's i-th weight pair. */
export function compareTensorPair(plan: DiffPlan, i: number): TensorDiff {
  const p = plan.pairs[i];
  return compareTensors(p.a && denseOf(p.a), p.b && denseOf(p.b), p.how, plan.bins);
}

export function finishDiff(plan: DiffPlan, tensors: TensorDiff[]): ModelDiff {
  const { a, b, matching } = plan;
  const body = {
    nodes: diffNodes(a, b, matching, tensors),
    added: matching.added.map((i) => nodeRef(b.graph, i)),
    removed: matching.removed.map((i) => nodeRef(a.graph, i)),
    inputs: diffValues(a.graph.inputs, b.graph.inputs),
    outputs: diffValues(a.graph.outputs, b.graph.outputs),
    tensors,
  };
  return { summary: summarize(body, a.graph.nodes.length, b.graph.nodes.length), ...body };
}

/** The whole diff of A and B in one call. */
export function diffModels(a: Model, b: Model, opts: DiffOptions = {}): ModelDiff {
  const plan = planDiff(a, b, opts);
  return finishDiff(plan, plan.pairs.map((_, i) => compareTensorPair(plan, i)));
}
