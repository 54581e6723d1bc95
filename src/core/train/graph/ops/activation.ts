// Elementwise activations and their derivatives: Relu, Clip (ReLU6), LeakyRelu, Sigmoid,
// HardSigmoid, HardSwish, Tanh. Each gradient is dy · f′ computed from the input or the output.
// Relu, Clip and HardSwish run on WebAssembly SIMD where available (elementwise-wasm.ts).
import type { KernelFactory } from '../kernel';
import { GraphTrainError, attrFloat, value, type Value } from '../value';
import { mapOnWasm } from '../elementwise-wasm';

/** A kernel from y = f(x) and dy/dx = g(x, y). */
function unary(f: (x: number) => number, g: (x: number, y: number) => number): KernelFactory {
  return () => ({
    forward([x]) {
      const out = value([...x!.dims]);
      const xd = x!.data;
      const y = out.data;
      for (let i = 0; i < y.length; i++) y[i] = f(xd[i]);
      return { outputs: [out] };
    },
    backward(dOut, [x], [out]) {
      const xd = x!.data;
      const y = out.data;
      const dx = new Float32Array(xd.length);
      for (let i = 0; i < dx.length; i++) {
        const d = dOut[i];
        if (d !== 0) dx[i] = d * g(xd[i], y[i]);
      }
      return [dx];
    },
  });
}

export const relu: KernelFactory = () => ({
  forward([x]) {
    const w = mapOnWasm('relu', x!.data);
    if (w !== undefined) return { outputs: [value([...x!.dims], w)] };
    const out = value([...x!.dims]);
    const xd = x!.data;
    const y = out.data;
    for (let i = 0; i < y.length; i++) y[i] = xd[i] > 0 ? xd[i] : 0;
    return { outputs: [out] };
  },
  backward(dOut, [x]) {
    const xd = x!.data;
    const w = mapOnWasm('reluGrad', xd, dOut);
    if (w !== undefined) return [w];
    const dx = new Float32Array(xd.length);
    for (let i = 0; i < dx.length; i++) if (xd[i] > 0) dx[i] = dOut[i];
    return [dx];
  },
});

export const sigmoid = unary((x) => 1 / (1 + Math.exp(-x)), (_x, y) => y * (1 - y));
export const tanh = unary(Math.tanh, (_x, y) => 1 - y * y);
// HardSwish and Clip (MobileNet's hot activations) have their own loops: the shared loop of
// `unary` calls a different f per kernel, which V8 cannot inline.
export const hardSwish: KernelFactory = () => ({
  forward([x]) {
    const w = mapOnWasm('hardSwish', x!.data);
    if (w !== undefined) return { outputs: [value([...x!.dims], w)] };
    const out = value([...x!.dims]);
    const xd = x!.data;
    const y = out.data;
    for (let i = 0; i < y.length; i++) {
      const v = xd[i];
      y[i] = v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
    }
    return { outputs: [out] };
  },
  backward(dOut, [x]) {
    const xd = x!.data;
    const w = mapOnWasm('hardSwishGrad', xd, dOut);
    if (w !== undefined) return [w];
    const dx = new Float32Array(xd.length);
    for (let i = 0; i < dx.length; i++) {
      const v = xd[i];
      dx[i] = v < -3 ? 0 : v > 3 ? dOut[i] : (dOut[i] * (2 * v + 3)) / 6;
    }
    return [dx];
  },
});

export const leakyRelu: KernelFactory = ({ node }) => {
  const alpha = attrFloat(node, 'alpha', 0.01);
  return unary((x) => (x >= 0 ? x : alpha * x), (x) => (x > 0 ? 1 : alpha))({} as never);
};

export const hardSigmoid: KernelFactory = ({ node }) => {
  const alpha = attrFloat(node, 'alpha', 0.2);
  const beta = attrFloat(node, 'beta', 0.5);
  return unary(
    (x) => Math.max(0, Math.min(1, alpha * x + beta)),
    (x) => {
      const t = alpha * x + beta;
      return t > 0 && t < 1 ? alpha : 0;
    },
  )({} as never);
};

function scalar(v: Value | undefined, label: string, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (v.data.length !== 1) throw new GraphTrainError(`${label}: its ${what} is not a scalar`);
  return v.data[0];
}

/** Clip: bounds from the min / max attributes (opset < 11) or from constant inputs 1 and 2. */
export const clip: KernelFactory = (ctx) => {
  const { node, label } = ctx;
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.opset < 11) {
    lo = attrFloat(node, 'min', -Infinity);
    hi = attrFloat(node, 'max', Infinity);
  } else {
    for (const [i, what] of [[1, 'min'], [2, 'max']] as const) {
      const name = node.inputs[i];
      if (name === undefined || name === '') continue;
      const c = ctx.constant(i);
      if (c === undefined) throw new GraphTrainError(`${label}: its ${what} is computed, fine-tuning needs a constant bound`);
      const v = scalar(c, label, what)!;
      if (i === 1) lo = v;
      else hi = v;
    }
  }
  return {
    forward([x]) {
      const w = mapOnWasm('clip', x!.data, undefined, lo, hi);
      if (w !== undefined) return { outputs: [value([...x!.dims], w)] };
      const out = value([...x!.dims]);
      const xd = x!.data;
      const y = out.data;
      for (let i = 0; i < y.length; i++) {
        const v = xd[i];
        y[i] = v < lo ? lo : v > hi ? hi : v;
      }
      return { outputs: [out] };
    },
    backward(dOut, [x]) {
      const xd = x!.data;
      const w = mapOnWasm('clipGrad', xd, dOut, lo, hi);
      if (w !== undefined) return [w];
      const dx = new Float32Array(xd.length);
      for (let i = 0; i < dx.length; i++) if (xd[i] > lo && xd[i] < hi) dx[i] = dOut[i];
      return [dx];
    },
  };
};
