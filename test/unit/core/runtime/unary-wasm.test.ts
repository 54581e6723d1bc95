// The WebAssembly activations (kernels/unary-code.ts, unary-run.ts) against float64 formulas, on
// every kind: a sweep over the whole float range that matters (−100 … 100, steps through 0),
// special values (±0, ±Infinity, NaN, the exp clamp edges, tanh's branch point 0.625), an odd length
// (the last f32x4 half outside the data), and a tensor longer than one chunk. The exp kind is
// exact to 2e-7 within its clamp [−87.34, 88.38] and +∞ / 0 outside it (where float32 has at most
// 3.4e38 and 1.2e-38).
import { describe, expect, it } from 'vitest';
import { unaryWasm } from '../../../../src/core/runtime/kernels/unary-run';
import { erfSeries } from '../../../../src/core/runtime/ops/elementwise';
import { UNARY_KINDS, type UnaryKind } from '../../../../src/core/runtime/kernels/unary-code';

const ALPHA = 0.2;
const BETA = 0.5;
const sig = (v: number): number => 1 / (1 + Math.exp(-v));
const REF: Record<UnaryKind, (v: number) => number> = {
  sigmoid: sig,
  silu: (v) => v * sig(v),
  exp: Math.exp,
  tanh: Math.tanh,
  // erf by its Taylor series in float64 (ops/elementwise.ts erfSeries: the runtime's reference erf)
  gelu: (v) => 0.5 * v * (1 + erfSeries(v / Math.SQRT2)),
  gelutanh: (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
  hardsigmoid: (v) => Math.max(0, Math.min(1, ALPHA * v + BETA)),
  hardswish: (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)),
  relu: (v) => (v > 0 ? v : 0),
  leakyrelu: (v) => (v >= 0 ? v : ALPHA * v),
};

function inputs(): Float32Array {
  const xs: number[] = [0, -0, Infinity, -Infinity, NaN, 88.3762626647949, -88.3762626647949, 87.33, -87.33, 89, -89, 1e-30, -1e-30, 3, -3, 6, -6, 2.5, -2.5, 0.625, -0.625, 0.62, 0.63, 1e-4, -1e-4];
  for (let v = -100; v <= 100; v += 0.0137) xs.push(v);
  xs.push(0.5); // odd length
  return Float32Array.from(xs);
}

describe('WebAssembly activations', () => {
  it.each(UNARY_KINDS)('%s matches the float64 formula within 1e-6, NaN for NaN, on an odd length', (kind) => {
    const x = inputs();
    expect(x.length % 4).not.toBe(0);
    const y = new Float32Array(x.length);
    expect(unaryWasm(kind, x, y, ALPHA, BETA)).toBe(true);
    let worst = 0;
    const [hi, lo] = [Math.fround(88.3762626647949), Math.fround(-87.33654475)];
    for (let i = 0; i < x.length; i++) {
      if (kind === 'exp' && (x[i] > hi || x[i] < lo)) {
        expect(y[i], `exp(${x[i]})`).toBe(x[i] > hi ? Infinity : 0);
        continue;
      }
      const want = REF[kind](x[i]);
      if (Number.isNaN(want)) {
        expect(y[i], `${kind}(${x[i]})`).toBeNaN();
        continue;
      }
      if (!Number.isFinite(want)) {
        expect(y[i], `${kind}(${x[i]})`).toBe(want);
        continue;
      }
      // The exp-based kinds to 1e-6 relative (the Cephes polynomial's error is about 2e-7); the
      // piecewise-linear ones are computed in float32 as onnxruntime does (α and 1/6 rounded to
      // float32, cancellation where α·v + β crosses 0), so to 1e-6 of the input's size.
      const err = Math.abs(y[i] - want);
      const scale = kind === 'sigmoid' || kind === 'silu' || kind === 'exp' || kind === 'tanh' ? Math.abs(want) : Number.isNaN(x[i]) ? 1 : Math.max(1, Math.abs(x[i]));
      worst = Math.max(worst, err / Math.max(scale, 1e-30));
      expect(err, `${kind}(${x[i]}) = ${y[i]}, want ${want}`).toBeLessThanOrEqual(1e-6 * scale + 1e-30);
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('runs in place and over more than one chunk', () => {
    const n = (1 << 20) + 37;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.01) * 10);
    const want = Float32Array.from(x, (v) => sig(v));
    expect(unaryWasm('sigmoid', x, x)).toBe(true);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(x[i] - want[i]));
    expect(worst).toBeLessThan(1e-6);
  });
});
