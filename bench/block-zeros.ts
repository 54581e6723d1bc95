// Structured zeros written into a model's Gemm / MatMul weights without core/prune (the bench and the
// block-kernel tests use it until the pruner's own N:M and block masks are merged): per layer, the
// R×C blocks (R outputs × C inputs, aligned from 0, edge blocks partial) with the smallest mean |w|
// are zeroed until `ratio` of the layer's weights are zero; N:M keeps the N largest |w| of every
// group of M consecutive inputs of each output. Layout: core/prune/layout.ts (outputs × inputs).
import type { Model, Tensor } from '../src/core/onnx/model';
import { layoutIndex, weightLayout, type WeightLayout } from '../src/core/prune/layout';

export type ZeroPattern = { kind: 'blocks'; rows: number; cols: number } | { kind: 'nm'; n: number; m: number };

/** The weights of every Gemm / MatMul node (2-D float initializers), with their layouts. */
function linearWeights(model: Model): { tensor: Tensor; layout: WeightLayout }[] {
  const out: { tensor: Tensor; layout: WeightLayout }[] = [];
  for (const n of model.graph.nodes) {
    if (n.opType !== 'Gemm' && n.opType !== 'MatMul') continue;
    const tensor = model.graph.initializers.find((t) => t.name === n.inputs[1]);
    if (!tensor || tensor.dims.length !== 2 || !(tensor.data instanceof Float32Array)) continue;
    const layout = weightLayout(model, tensor.name);
    if (typeof layout !== 'string') out.push({ tensor, layout });
  }
  return out;
}

function zeroBlocks(w: Float32Array, l: WeightLayout, rows: number, cols: number, ratio: number): void {
  const bo = Math.ceil(l.outputs / rows);
  const bi = Math.ceil(l.inputs / cols);
  const score = new Float64Array(bo * bi);
  const sizeOf = (b: number): number => {
    const o = Math.floor(b / bi) * rows;
    const i = (b % bi) * cols;
    return (Math.min(l.outputs, o + rows) - o) * (Math.min(l.inputs, i + cols) - i);
  };
  const each = (b: number, f: (at: number) => void): void => {
    const o0 = Math.floor(b / bi) * rows;
    const i0 = (b % bi) * cols;
    for (let o = o0; o < Math.min(l.outputs, o0 + rows); o++) for (let i = i0; i < Math.min(l.inputs, i0 + cols); i++) f(layoutIndex(l, o, i, 0));
  };
  for (let b = 0; b < score.length; b++) {
    let s = 0;
    each(b, (at) => (s += Math.abs(w[at])));
    score[b] = s / sizeOf(b);
  }
  const order = Array.from(score.keys()).sort((a, b) => score[a] - score[b]);
  const target = Math.round(ratio * w.length);
  let zeroed = 0;
  for (const b of order) {
    if (zeroed >= target) break;
    each(b, (at) => (w[at] = 0));
    zeroed += sizeOf(b);
  }
}

function zeroNM(w: Float32Array, l: WeightLayout, n: number, m: number): void {
  const group: number[] = [];
  for (let o = 0; o < l.outputs; o++) {
    for (let i0 = 0; i0 < l.inputs; i0 += m) {
      group.length = 0;
      for (let i = i0; i < Math.min(l.inputs, i0 + m); i++) group.push(layoutIndex(l, o, i, 0));
      group.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]));
      for (let g = n; g < group.length; g++) w[group[g]] = 0;
    }
  }
}

/** A copy of `model` with the pattern's zeros in every Gemm / MatMul weight (N:M ignores `ratio`). */
export function withStructuredZeros(model: Model, pattern: ZeroPattern, ratio: number): Model {
  const replaced = new Map<string, Tensor>();
  for (const { tensor, layout } of linearWeights(model)) {
    const w = Float32Array.from(tensor.data as Float32Array);
    if (pattern.kind === 'blocks') zeroBlocks(w, layout, pattern.rows, pattern.cols, ratio);
    else zeroNM(w, layout, pattern.n, pattern.m);
    replaced.set(tensor.name, { ...tensor, data: w });
  }
  const initializers = model.graph.initializers.map((t) => replaced.get(t.name) ?? t);
  return { ...model, graph: { ...model.graph, initializers } };
}
