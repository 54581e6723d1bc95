// ReduceMean, ReduceSum and ReduceMax over constant axes (an attribute, or the second input where
// the opset moved them there): global pooling written as `x.mean((2, 3))`, Keras' global pooling
// in a tf2onnx export, squeeze-excite gates. Gradients: the mean's spread evenly, the sum's copied,
// the max's to the first element that held it (as GlobalMaxPool).
import type { KernelFactory } from '../kernel';
import { GraphTrainError, attrInt, attrInts, normAxis, value, type Value } from '../value';

type Kind = 'mean' | 'sum' | 'max';

/** For each input element, the output element it reduces into; the output dims; the count per output. */
function reduction(x: Value, axes: ReadonlySet<number>, keepdims: boolean): { into: Int32Array; dims: number[]; count: number } {
  const r = x.dims.length;
  const outStride = new Array<number>(r).fill(0);
  for (let a = r - 1, s = 1; a >= 0; a--) {
    if (axes.has(a)) continue;
    outStride[a] = s;
    s *= x.dims[a];
  }
  const into = new Int32Array(x.data.length);
  const idx = new Array<number>(r).fill(0);
  let o = 0;
  for (let i = 0; i < into.length; i++) {
    into[i] = o;
    for (let a = r - 1; a >= 0; a--) {
      o += outStride[a];
      if (++idx[a] < x.dims[a]) break;
      o -= outStride[a] * x.dims[a];
      idx[a] = 0;
    }
  }
  const dims = keepdims ? x.dims.map((d, a) => (axes.has(a) ? 1 : d)) : x.dims.filter((_d, a) => !axes.has(a));
  let count = 1;
  for (const a of axes) count *= x.dims[a];
  return { into, dims, count };
}

function reduce(kind: Kind): KernelFactory {
  return (ctx) => {
    const { node, label } = ctx;
    const fromInput = node.inputs[1] !== undefined && node.inputs[1] !== '';
    const c = fromInput ? ctx.constant(1) : undefined;
    if (fromInput && c === undefined) throw new GraphTrainError(`${label}: its axes are computed; fine-tuning needs constant axes`);
    const given = c !== undefined ? Array.from(c.data, Math.round) : attrInts(node, 'axes');
    const keepdims = attrInt(node, 'keepdims', 1) === 1;
    const noop = attrInt(node, 'noop_with_empty_axes', 0) === 1;
    const axesOf = (x: Value): Set<number> => {
      if (given === undefined || given.length === 0) return new Set(noop ? [] : x.dims.map((_d, a) => a));
      return new Set(given.map((a) => normAxis(a, x.dims.length, label)));
    };
    return {
      forward([x]) {
        const { into, dims, count } = reduction(x!, axesOf(x!), keepdims);
        const out = value(dims);
        const y = out.data;
        if (kind === 'max') {
          const arg = new Int32Array(y.length).fill(-1);
          for (let i = 0; i < into.length; i++) {
            const o = into[i];
            if (arg[o] < 0 || x!.data[i] > x!.data[arg[o]]) arg[o] = i;
          }
          for (let o = 0; o < y.length; o++) y[o] = x!.data[arg[o]];
          return { outputs: [out], saved: arg };
        }
        for (let i = 0; i < into.length; i++) y[into[i]] += x!.data[i];
        if (kind === 'mean') for (let o = 0; o < y.length; o++) y[o] /= count;
        return { outputs: [out] };
      },
      backward(dOut, [x], _o, saved) {
        const dx = new Float32Array(x!.data.length);
        if (kind === 'max') {
          const arg = saved as Int32Array;
          for (let o = 0; o < arg.length; o++) dx[arg[o]] += dOut[o];
          return [dx];
        }
        const { into, count } = reduction(x!, axesOf(x!), keepdims);
        const scale = kind === 'mean' ? 1 / count : 1;
        for (let i = 0; i < dx.length; i++) dx[i] = dOut[into[i]] * scale;
        return [dx];
      },
    };
  };
}

export const reduceMean = reduce('mean');
export const reduceSum = reduce('sum');
export const reduceMax = reduce('max');
