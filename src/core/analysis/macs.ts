// Multiply-accumulates of a model's forward pass at a given batch size (default 1), per node and in
// total, from the shapes the model records or shape inference derives (./shapes).
//
// What counts: the multiply-accumulates of the linear ops, dense, as the graph states them (a zero
// weight still costs one: these are the MACs a dense runtime does):
//   Gemm                 M·K·N                      (alpha, beta and the bias add are not counted)
//   MatMul               (broadcast batch dims)·M·K·N
//   Conv                 output elements · (C_in / group) · kernel elements  = |Y| · |W| / C_out
//   ConvTranspose        input elements · (C_out / group) · kernel elements  = |X| · |W| / C_in
//   Einsum (2+ operands) the product of every label's size (and of the broadcast '...' dims): one
//                        multiply-add per point of the loop nest; one operand (a transpose, a sum): 0
// What does not count: pools (MaxPool, AveragePool, global pools: their window ops are compares or
// additions without a product, counted as 0), elementwise ops, activations, normalisation, and the
// ops inside subgraphs (If / Loop / Scan). A node of a counted op whose shapes cannot be derived is
// listed in `unknown` and left out of the total (which is then a lower bound).
//
// Batch: every graph input whose first dim is symbolic (e.g. "N") or unknown is given `batch` there,
// and that symbol takes the same value wherever the model records it (value_info, outputs).
// Sample: a dataset's sample shape, when given, sets the other symbolic dims of the first graph
// input of that rank (e.g. a language model's sequence length "T" from [N, T] token ids), so a
// model whose shapes depend on them gets a total instead of a lower bound.
import type { Dim, Graph, Model, ValueInfo } from '../onnx/model';
import { attrInt, attrString } from './shapes/dims';
import { inferShapes } from './shapes';

export interface NodeMacs {
  /** Index of the node in the main graph. */
  index: number;
  name: string;
  opType: string;
  macs: number;
}

export interface MacsReport {
  /** Sum of `nodes` (the known ones). */
  total: number;
  /** Every node of a counted op whose MACs are known, in graph order. */
  nodes: NodeMacs[];
  /** Nodes of a counted op whose shapes could not be derived: left out of the total. */
  unknown: { index: number; name: string; opType: string }[];
}

/** The ops whose multiply-accumulates are counted. */
export const MAC_OPS: readonly string[] = Object.freeze(['Gemm', 'MatMul', 'Conv', 'ConvTranspose', 'Einsum']);

type Shapes = Map<string, Dim[]>;

function withBatch(vi: ValueInfo, symbols: ReadonlyMap<string, number>, batch: number, first: boolean): ValueInfo {
  const t = vi.type;
  if (!t || t.kind !== 'tensor' || !t.shape) return vi;
  const shape = t.shape.map((d, i) => (typeof d === 'string' && symbols.has(d) ? symbols.get(d)! : first && i === 0 && (d === null || d === '') ? batch : d));
  return { ...vi, type: { ...t, shape } };
}

/** The value of each symbolic dim: the inputs' first dims are `batch`; `sample` sets the rest of the first input of its rank + 1. */
function symbolValues(g: Graph, inits: ReadonlySet<string>, batch: number, sample?: readonly number[]): Map<string, number> {
  const symbols = new Map<string, number>();
  const inputs = g.inputs.filter((vi) => !inits.has(vi.name) && vi.type?.kind === 'tensor' && vi.type.shape !== undefined && vi.type.shape.length > 0);
  for (const vi of inputs) {
    const d = vi.type?.kind === 'tensor' ? vi.type.shape?.[0] : undefined;
    if (typeof d === 'string' && d !== '') symbols.set(d, batch);
  }
  const fed = sample && inputs.find((vi) => vi.type?.kind === 'tensor' && vi.type.shape?.length === sample.length + 1);
  if (fed && sample && fed.type?.kind === 'tensor') {
    fed.type.shape?.forEach((d, i) => {
      if (i > 0 && typeof d === 'string' && d !== '' && !symbols.has(d)) symbols.set(d, sample[i - 1]);
    });
  }
  return symbols;
}

/** Every value's shape with the batch dims (and those `sample` gives) set: recorded, initializers, then inferred. */
export function shapesAtBatch(model: Model, batch = 1, sample?: readonly number[]): Shapes {
  const g = model.graph;
  const inits = new Set(g.initializers.map((t) => t.name));
  const symbols = symbolValues(g, inits, batch, sample);
  const graph: Graph = {
    ...g,
    inputs: g.inputs.map((vi) => withBatch(vi, symbols, batch, !inits.has(vi.name))),
    outputs: g.outputs.map((vi) => withBatch(vi, symbols, batch, false)),
    valueInfo: g.valueInfo.map((vi) => withBatch(vi, symbols, batch, false)),
  };
  const shapes: Shapes = new Map();
  for (const vi of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) {
    const t = vi.type;
    if (t && t.kind === 'tensor' && t.shape) shapes.set(vi.name, t.shape);
  }
  for (const t of g.initializers) shapes.set(t.name, t.dims);
  for (const s of g.sparseInitializers) shapes.set(s.values.name, s.dims);
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 13;
  for (const [name, t] of inferShapes(graph, opset)) shapes.set(name, t.shape);
  return shapes;
}

function known(s: Dim[] | undefined): s is number[] {
  return s !== undefined && s.every((d) => typeof d === 'number' && d >= 0);
}

function count(s: readonly number[]): number {
  let n = 1;
  for (const d of s) n *= d;
  return n;
}

/** Einsum's loop nest: every label's size times the broadcast '...' dims, from the operands' shapes. */
function einsumMacs(equation: string | undefined, ins: (Dim[] | undefined)[]): number | undefined {
  if (equation === undefined) return undefined;
  const terms = equation.replace(/\s/g, '').split('->')[0].split(',');
  if (terms.length !== ins.length) return undefined;
  if (terms.length < 2) return 0;
  const sizes = new Map<string, number>();
  const ellipsis: number[] = [];
  for (let k = 0; k < terms.length; k++) {
    const s = ins[k];
    if (!known(s)) return undefined;
    const [before, after] = terms[k].includes('...') ? terms[k].split('...') : [terms[k], undefined];
    const labels = [...before, ...(after ?? '')];
    const rest = s.length - labels.length;
    if (rest < 0 || (after === undefined && rest !== 0)) return undefined;
    [...before].forEach((l, i) => sizes.set(l, Math.max(sizes.get(l) ?? 1, s[i])));
    [...(after ?? '')].forEach((l, i) => sizes.set(l, Math.max(sizes.get(l) ?? 1, s[before.length + rest + i])));
    // '...' dims broadcast from the right.
    const dots = s.slice(before.length, before.length + rest);
    if (dots.length > ellipsis.length) ellipsis.unshift(...new Array<number>(dots.length - ellipsis.length).fill(1));
    const off = ellipsis.length - dots.length;
    dots.forEach((d, i) => (ellipsis[off + i] = Math.max(ellipsis[off + i], d)));
  }
  return count([...sizes.values()]) * count(ellipsis);
}

/** MACs of one node from its input and output shapes, or undefined when they are not known. */
function nodeMacs(op: string, ins: (Dim[] | undefined)[], out: Dim[] | undefined, transA: boolean, equation?: string): number | undefined {
  const [a, w] = ins;
  switch (op) {
    case 'Gemm': {
      if (!known(a) || a.length !== 2 || !known(out) || out.length !== 2) return undefined;
      return out[0] * out[1] * (transA ? a[0] : a[1]);
    }
    case 'MatMul': {
      if (!known(a) || a.length === 0 || !known(out)) return undefined;
      return count(out) * a[a.length - 1];
    }
    case 'Conv': {
      if (!known(w) || w.length < 3 || !known(out) || w[0] === 0) return undefined;
      return count(out) * count(w.slice(1));
    }
    case 'ConvTranspose': {
      if (!known(a) || !known(w) || w.length < 3) return undefined;
      return count(a) * count(w.slice(1));
    }
    case 'Einsum':
      return einsumMacs(equation, ins);
    default:
      return undefined;
  }
}

/** MACs of the main graph at `batch` (default 1) and, if given, a dataset's sample shape: per node of a counted op, and the total. */
export function modelMacs(model: Model, batch = 1, sample?: readonly number[]): MacsReport {
  const shapes = shapesAtBatch(model, batch, sample);
  const report: MacsReport = { total: 0, nodes: [], unknown: [] };
  model.graph.nodes.forEach((n, index) => {
    if ((n.domain !== '' && n.domain !== 'ai.onnx') || !MAC_OPS.includes(n.opType)) return;
    const ins = n.inputs.map((i) => (i === '' ? undefined : shapes.get(i)));
    const macs = nodeMacs(n.opType, ins, shapes.get(n.outputs[0] ?? ''), (attrInt(n, 'transA') ?? 0) !== 0, attrString(n, 'equation'));
    if (macs === undefined) report.unknown.push({ index, name: n.name, opType: n.opType });
    else {
      report.nodes.push({ index, name: n.name, opType: n.opType, macs });
      report.total += macs;
    }
  });
  return report;
}
