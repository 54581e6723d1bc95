// Which tensors can be pruned, which are pruned by default, and a selection written as tensor
// names and op types (`Conv,Gemm`, minus an exclusion) resolved against them.
//
// Prunable: the weight input of Conv / ConvTranspose (input 1), Gemm (input 1) and MatMul (either
// input) of the main graph, when it is a float initializer or the `value` of a Constant node with
// at least two dimensions (MatMul) or three (Conv / ConvTranspose). Never a bias, never a
// normalisation parameter. Default selection: Conv, Gemm and MatMul weights; ConvTranspose weights
// are listed but not selected by default (they are the upsampling heads of segmentation /
// detection models, few weights whose errors land directly on the output map).
import { elementCount, type Model, type Node, type Tensor } from '../onnx/model';
import { constantTensor } from '../analysis/constants';
import { isPrunableType } from './magnitude';
import { PruneError } from './types';

/** The op types whose weights can be pruned, in the order groups are shown. */
export const PRUNABLE_OP_TYPES: readonly string[] = Object.freeze(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
/** The op types whose weights are selected by default. */
export const DEFAULT_PRUNE_OP_TYPES: readonly string[] = Object.freeze(['Conv', 'Gemm', 'MatMul']);

export interface PrunableTensor {
  name: string;
  /** Op types of the consumers that make it prunable (one in practice); the first is its group. */
  opTypes: string[];
  /** Those consumers' labels (their name, or "OpType #index"). */
  nodes: string[];
  dims: number[];
  /** Elements. */
  count: number;
  /** An initializer, or the value of a Constant node (pruning rewrites that node's value). */
  source: 'initializer' | 'constant';
  /** A depthwise kernel: Conv with group > 1 equal to its input channels (one input channel per group). */
  depthwise: boolean;
  /** The first / last prunable tensor in graph order: the layers where pruning usually costs most accuracy. */
  first: boolean;
  last: boolean;
  /** In the default selection. */
  byDefault: boolean;
}

function isDefaultDomain(node: Node): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

function intAttr(node: Node, name: string, dflt: number): number {
  const a = node.attributes.find((x) => x.name === name);
  return a && a.type === 'int' ? Number(a.value) : dflt;
}

/** Display name of a node: its name, or "OpType #index" when it has none. */
export function nodeLabel(node: Node, index: number): string {
  return node.name !== '' ? node.name : `${node.opType} #${index}`;
}

/** The main graph's dense tensors by name: initializers, then Constant-node values (initializers win). */
export function prunableSources(model: Model): Map<string, { tensor: Tensor; source: 'initializer' | 'constant'; node?: number }> {
  const out = new Map<string, { tensor: Tensor; source: 'initializer' | 'constant'; node?: number }>();
  for (const t of model.graph.initializers) out.set(t.name, { tensor: t, source: 'initializer' });
  model.graph.nodes.forEach((node, i) => {
    const a = node.opType === 'Constant' && isDefaultDomain(node) ? node.attributes.find((x) => x.name === 'value' && x.type === 'tensor') : undefined;
    if (a === undefined) return;
    const t = constantTensor(node);
    if (t && !out.has(t.name)) out.set(t.name, { tensor: t, source: 'constant', node: i });
  });
  return out;
}

/** The weight inputs of a node that can be pruned, with the least rank each needs. */
function weightInputs(node: Node): { name: string; rank: number }[] {
  if (!isDefaultDomain(node)) return [];
  const at = (i: number, rank: number): { name: string; rank: number }[] => (node.inputs[i] ? [{ name: node.inputs[i], rank }] : []);
  switch (node.opType) {
    case 'Conv':
    case 'ConvTranspose':
      return at(1, 3);
    case 'Gemm':
      return at(1, 2);
    case 'MatMul':
      return [...at(0, 2), ...at(1, 2)];
    default:
      return [];
  }
}

function isDepthwise(node: Node, dims: number[]): boolean {
  const group = intAttr(node, 'group', 1);
  if (group <= 1) return false;
  // Conv W: [M, C/group, k…]; ConvTranspose W: [C, M/group, k…]
  return node.opType === 'Conv' ? dims[1] === 1 : dims[0] === group;
}

/** Every prunable tensor of the main graph, in graph order (first use), without duplicates. */
export function prunableTensors(model: Model): PrunableTensor[] {
  const sources = prunableSources(model);
  const byName = new Map<string, PrunableTensor>();
  model.graph.nodes.forEach((node, i) => {
    for (const { name, rank } of weightInputs(node)) {
      const s = sources.get(name);
      if (s === undefined || s.tensor.dims.length < rank || !isPrunableType(s.tensor.dataType)) continue;
      let p = byName.get(name);
      if (p === undefined) {
        p = {
          name, opTypes: [], nodes: [], dims: [...s.tensor.dims], count: elementCount(s.tensor.dims), source: s.source,
          depthwise: false, first: false, last: false, byDefault: false,
        };
        byName.set(name, p);
      }
      if (!p.opTypes.includes(node.opType)) p.opTypes.push(node.opType);
      const label = nodeLabel(node, i);
      if (!p.nodes.includes(label)) p.nodes.push(label);
      if ((node.opType === 'Conv' || node.opType === 'ConvTranspose') && isDepthwise(node, p.dims)) p.depthwise = true;
    }
  });
  const list = [...byName.values()];
  for (const p of list) p.byDefault = p.opTypes.some((o) => DEFAULT_PRUNE_OP_TYPES.includes(o));
  if (list.length > 0) {
    list[0].first = true;
    list[list.length - 1].last = true;
  }
  return list;
}

/** The tensors pruned when a request names none: Conv, Gemm and MatMul weights (see prunableTensors). */
export function defaultPrunable(model: Model): string[] {
  return prunableTensors(model).filter((p) => p.byDefault).map((p) => p.name);
}

/** Items of a list option: repeated and/or comma-separated, trimmed, empty ones dropped. */
export function splitNames(items: readonly string[]): string[] {
  return items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

function unknownItem(item: string, option: string, list: readonly Pick<PrunableTensor, 'name' | 'opTypes'>[]): PruneError {
  const ops = PRUNABLE_OP_TYPES.filter((o) => list.some((p) => p.opTypes.includes(o)));
  const names = list.map((p) => p.name);
  const shown = names.length > 30 ? `${names.slice(0, 30).join(', ')} … (${names.length} in all)` : names.join(', ');
  const otherOp = PRUNABLE_OP_TYPES.includes(item) ? ` (the model has no prunable ${item} weight)` : '';
  return new PruneError(
    list.length === 0
      ? `${option} ${item}: the model has no prunable weights (Conv, ConvTranspose, Gemm or MatMul weights)`
      : `${option} ${item}: not a prunable tensor or op type${otherOp}. Op types: ${ops.join(', ')}. Tensors: ${shown}`,
  );
}

/**
 * The tensors a selection names, in graph order: `select` (tensor names and op types; undefined
 * or empty = the default selection) minus `exclude` (names and op types). An item that names no
 * prunable tensor or op type of the model is a PruneError listing what it could be.
 */
export function resolveSelection(
  list: readonly Pick<PrunableTensor, 'name' | 'opTypes' | 'byDefault'>[],
  select: readonly string[] | undefined,
  exclude: readonly string[] = [],
): string[] {
  const match = (item: string, option: string): Set<string> => {
    const byName = list.filter((p) => p.name === item);
    const byOp = list.filter((p) => p.opTypes.includes(item));
    if (byName.length === 0 && byOp.length === 0) throw unknownItem(item, option, list);
    return new Set([...byName, ...byOp].map((p) => p.name));
  };
  const sel = splitNames(select ?? []);
  const chosen = new Set<string>();
  if (sel.length === 0) for (const p of list) if (p.byDefault) chosen.add(p.name);
  for (const item of sel) for (const n of match(item, '--select')) chosen.add(n);
  for (const item of splitNames(exclude)) for (const n of match(item, '--exclude')) chosen.delete(n);
  return list.filter((p) => chosen.has(p.name)).map((p) => p.name);
}
