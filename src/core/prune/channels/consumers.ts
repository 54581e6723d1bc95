// For a channel plan: the layers whose inputs shrink (the next Conv / Gemm / MatMul after removed
// channels), with the input indices they lose — what a reconstruction refits on calibration data.
import type { Model } from '../../onnx/model';
import { nodeLabel } from '../prunable';
import type { PrunePlan } from '../types';
import { channelAnalysis } from './unshare';

export interface ChannelConsumer {
  /** The consumer's weight and the index / label of its node. */
  tensor: string;
  node: number;
  nodeName: string;
  opType: string;
  /** The weight axis of its inputs, the indices removed along it (ascending), its dims after the plan. */
  axis: number;
  removed: number[];
  keptDims: number[];
}

const WEIGHT_OPS = new Set(['Conv', 'Gemm', 'MatMul']);

/** The inputs axis of a weight of `opType` (Conv [M, C, k…]; Gemm transB 0 [K, N] / 1 [N, K]; MatMul […, K, N]). */
function inputAxis(opType: string, rank: number, transB: boolean): number {
  if (opType === 'Conv') return 1;
  if (opType === 'Gemm') return transB ? 1 : 0;
  return rank - 2;
}

export function channelConsumers(given: Model, plan: PrunePlan): ChannelConsumer[] {
  if (plan.structure !== 'channels') return [];
  const ix = channelAnalysis(given).ix;
  const out: ChannelConsumer[] = [];
  for (const s of plan.shapeChanges ?? []) {
    if (s.value !== undefined) continue;
    for (const u of ix.uses.get(s.tensor) ?? []) {
      const n = ix.nodes[u.node];
      if (!WEIGHT_OPS.has(n.opType) || u.slot !== 1) continue;
      if (n.opType === 'Conv' && n.attributes.some((a) => a.name === 'group' && Number(a.value) !== 1)) continue;
      const transB = n.attributes.some((a) => a.name === 'transB' && Number(a.value) !== 0);
      if (inputAxis(n.opType, s.before.length, transB) !== s.axis) continue;
      const last = (plan.shapeChanges ?? []).filter((x) => x.tensor === s.tensor && x.value === undefined).at(-1)!;
      out.push({ tensor: s.tensor, node: u.node, nodeName: nodeLabel(n, u.node), opType: n.opType, axis: s.axis, removed: s.removed, keptDims: last.after });
    }
  }
  return out;
}
