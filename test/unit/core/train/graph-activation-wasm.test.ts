// Relu, Clip and HardSwish on WebAssembly SIMD (elementwise-wasm.ts) against their definitions,
// computed here in float64 from the ONNX formulas: values on and around every kink (0, Clip's
// bounds, ±3), odd lengths (a partial f32x4 step) and a length over one chunk.
import { describe, expect, it } from 'vitest';
import type { Node } from '../../../../src/core/onnx/model';
import { GRAPH_OPS, type Value } from '../../../../src/core/train/graph';
import { withoutGemmWasm } from '../../../../src/core/train/graph/gemm-wasm';
import { mulberry32 } from '../../../../src/core/train';

const kinks = [0, -0, 3, -3, 6, -1, 1, 2.5, -2.5, 3.0000002, -3.0000002, 2.9999998, -2.9999998, 6.0000005, 5.9999995, 1e-30, -1e-30, 100, -100];

function data(n: number): Float32Array {
  const r = mulberry32(n);
  return Float32Array.from({ length: n }, (_v, i) => (i < kinks.length ? kinks[i] : (r() * 2 - 1) * 8));
}

interface Def {
  op: string;
  f: (x: number) => number;
  df: (x: number) => number;
  inputs?: Value[];
}

const defs: Def[] = [
  { op: 'Relu', f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0) },
  { op: 'Clip', f: (x) => Math.min(Math.max(x, 0), 6), df: (x) => (x > 0 && x < 6 ? 1 : 0), inputs: [{ dims: [], data: Float32Array.of(0) }, { dims: [], data: Float32Array.of(6) }] },
  { op: 'HardSwish', f: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)), df: (x) => (x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6) },
];

function run(d: Def, n: number): void {
  const extra = d.inputs ?? [];
  const node: Node = { name: d.op, opType: d.op, domain: '', inputs: ['x', ...extra.map((_v, i) => `c${i}`)], outputs: ['y'], attributes: [] };
  const kernel = GRAPH_OPS[d.op]({ node, label: d.op, opset: 17, constant: (i) => (i > 0 ? extra[i - 1] : undefined) });
  const x: Value = { dims: [n], data: data(n) };
  const f = kernel.forward([x, ...extra]);
  const g = data(n + 1).subarray(1);
  const [dx] = kernel.backward(g, [x, ...extra], f.outputs, f.saved, [true, false, false]);
  for (let i = 0; i < n; i++) {
    const v = x.data[i];
    const want = d.f(v);
    if (Math.abs(f.outputs[0].data[i] - want) > 1e-6 * Math.max(1, Math.abs(want))) throw new Error(`${d.op}(${v}) is ${f.outputs[0].data[i]}, the definition gives ${want}`);
    const wantD = g[i] * d.df(v);
    if (Math.abs(dx![i] - wantD) > 1e-6 * Math.max(1, Math.abs(wantD))) throw new Error(`${d.op}' at ${v} · ${g[i]} is ${dx![i]}, the definition gives ${wantD}`);
  }
  expect(dx!.length).toBe(n);
}

describe('graph trainer activations on WebAssembly and in JS', () => {
  for (const d of defs) {
    for (const n of [kinks.length, 4 * 1000 + 3, (1 << 18) + 5]) {
      it(`${d.op}, ${n} values (WebAssembly)`, () => run(d, n));
      it(`${d.op}, ${n} values (JS)`, () => withoutGemmWasm(() => run(d, n)));
    }
  }
});
