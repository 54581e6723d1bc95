// Ops that move values without arithmetic: Flatten, Reshape (constant shape), Identity, Dropout
// (inference: identity), Concat, Squeeze / Unsqueeze with constant axes, Transpose. Gradients move
// back the same way.
import type { Kernel, KernelFactory } from '../kernel';
import { GraphTrainError, attrInt, attrInts, normAxis, sizeOf, value, type Value } from '../value';

/** A kernel that only changes dims: the data passes as it is (copied, so no two values share an array). */
function view(dimsOf: (x: Value) => number[]): Kernel {
  return {
    forward([x]) {
      return { outputs: [value(dimsOf(x!), x!.data.slice())] };
    },
    backward(dOut) {
      return [dOut.slice()];
    },
  };
}

export const identity: KernelFactory = () => view((x) => [...x.dims]);

export const dropout: KernelFactory = ({ node, label }) => {
  if (node.outputs.length > 1 && node.outputs[1] !== '') throw new GraphTrainError(`${label}: its mask output is not supported`);
  return view((x) => [...x.dims]);
};

export const flatten: KernelFactory = ({ node, label }) => {
  const axis = attrInt(node, 'axis', 1);
  return view((x) => {
    const a = axis < 0 ? axis + x.dims.length : axis;
    if (a < 0 || a > x.dims.length) throw new GraphTrainError(`${label}: axis ${axis} is out of range for rank ${x.dims.length}`);
    return [sizeOf(x.dims.slice(0, a)), sizeOf(x.dims.slice(a))];
  });
};

export const reshape: KernelFactory = (ctx) => {
  const { node, label } = ctx;
  const shape = ctx.constant(1);
  if (shape === undefined) throw new GraphTrainError(`${label}: its shape is computed; fine-tuning needs a constant shape`);
  const target = Array.from(shape.data, Math.round);
  const allowZero = attrInt(node, 'allowzero', 0) !== 0;
  return view((x) => {
    const dims = target.map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
    const known = dims.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const free = dims.indexOf(-1);
    if (free >= 0) dims[free] = known === 0 ? 0 : sizeOf(x.dims) / known;
    if (sizeOf(dims) !== sizeOf(x.dims) || dims.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new GraphTrainError(`${label}: cannot reshape [${x.dims.join(', ')}] to [${target.join(', ')}]`);
    }
    return dims;
  });
};

function axesOf(ctx: Parameters<KernelFactory>[0]): number[] | undefined {
  const fromAttr = attrInts(ctx.node, 'axes');
  if (fromAttr !== undefined) return fromAttr;
  if (ctx.node.inputs[1] === undefined || ctx.node.inputs[1] === '') return undefined;
  const c = ctx.constant(1);
  if (c === undefined) throw new GraphTrainError(`${ctx.label}: its axes are computed; fine-tuning needs constant axes`);
  return Array.from(c.data, Math.round);
}

export const squeeze: KernelFactory = (ctx) => {
  const axes = axesOf(ctx);
  return view((x) => {
    const drop = new Set((axes ?? x.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => normAxis(a, x.dims.length, ctx.label)));
    return x.dims.filter((_d, i) => !drop.has(i));
  });
};

export const unsqueeze: KernelFactory = (ctx) => {
  const axes = axesOf(ctx);
  if (axes === undefined) throw new GraphTrainError(`${ctx.label} has no axes`);
  return view((x) => {
    const r = x.dims.length + axes.length;
    const at = new Set(axes.map((a) => normAxis(a, r, ctx.label)));
    const dims: number[] = [];
    let k = 0;
    for (let i = 0; i < r; i++) dims.push(at.has(i) ? 1 : x.dims[k++]);
    return dims;
  });
};

export const concat: KernelFactory = ({ node, label }) => {
  const axis = attrInt(node, 'axis', 0);
  const layout = (xs: Value[]): { a: number; outer: number; inner: number; dims: number[] } => {
    const r = xs[0].dims.length;
    const a = normAxis(axis, r, label);
    for (const x of xs) {
      if (x.dims.length !== r || x.dims.some((d, i) => i !== a && d !== xs[0].dims[i])) throw new GraphTrainError(`${label}: inputs of dims that do not concatenate along axis ${axis}`);
    }
    const dims = [...xs[0].dims];
    dims[a] = xs.reduce((s, x) => s + x.dims[a], 0);
    return { a, outer: sizeOf(dims.slice(0, a)), inner: sizeOf(dims.slice(a + 1)), dims };
  };
  return {
    forward(inputs) {
      const xs = inputs as Value[];
      const { a, outer, inner, dims } = layout(xs);
      const out = value(dims);
      const row = dims[a] * inner;
      let at = 0;
      for (const x of xs) {
        const w = x.dims[a] * inner;
        for (let o = 0; o < outer; o++) out.data.set(x.data.subarray(o * w, (o + 1) * w), o * row + at);
        at += w;
      }
      return { outputs: [out] };
    },
    backward(dOut, inputs, _o, _s, need) {
      const xs = inputs as Value[];
      const { a, outer, inner, dims } = layout(xs);
      const row = dims[a] * inner;
      let at = 0;
      return xs.map((x, i) => {
        const w = x.dims[a] * inner;
        const start = at;
        at += w;
        if (!need[i]) return undefined;
        const d = new Float32Array(outer * w);
        for (let o = 0; o < outer; o++) d.set(dOut.subarray(o * row + start, o * row + start + w), o * w);
        return d;
      });
    },
  };
};

/** x (dims) with its axes in the order `perm`: out[i…] = x[i permuted back]. */
function permute(x: Float32Array, dims: readonly number[], perm: readonly number[]): Float32Array {
  const r = dims.length;
  const out = new Float32Array(x.length);
  const outDims = perm.map((p) => dims[p]);
  // The stride in x of each output axis, walked with an odometer over the output's index.
  const inStride = new Array<number>(r).fill(1);
  for (let a = r - 2; a >= 0; a--) inStride[a] = inStride[a + 1] * dims[a + 1];
  const step = perm.map((p) => inStride[p]);
  const idx = new Array<number>(r).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = x[src];
    for (let a = r - 1; a >= 0; a--) {
      src += step[a];
      if (++idx[a] < outDims[a]) break;
      src -= step[a] * outDims[a];
      idx[a] = 0;
    }
  }
  return out;
}

export const transpose: KernelFactory = ({ node, label }) => {
  const given = attrInts(node, 'perm');
  const permOf = (rank: number): number[] => {
    const perm = given ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw new GraphTrainError(`${label}: perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
    return perm;
  };
  return {
    forward([x]) {
      const perm = permOf(x!.dims.length);
      return { outputs: [value(perm.map((p) => x!.dims[p]), permute(x!.data, x!.dims, perm))] };
    },
    backward(dOut, [x]) {
      const perm = permOf(x!.dims.length);
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      return [permute(dOut, perm.map((p) => x!.dims[p]), inverse)];
    },
  };
};
