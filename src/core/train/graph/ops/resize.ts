// Resize and Upsample with constant scales or sizes (nearest, linear, cubic; every coordinate mode
// but outputs outside a tf_crop_and_resize roi): the runtime's separable passes (each output index
// of an axis reads a few input indices with weights) run forward, and their transposes backward —
// each output gradient spread back onto the input indices it read, by the same weights.
import { DataType } from '../../../onnx/model';
import { resizePasses, type ResizePass } from '../../../runtime/ops/resize';
import type { RtTensor } from '../../../runtime/tensor';
import type { KernelFactory } from '../kernel';
import { GraphTrainError, sizeOf, value, type Value } from '../value';

/** One pass along p.axis of x (dims) → a new array; `back`: the transpose (from an output-shaped gradient). */
function apply(x: Float32Array, dims: number[], p: ResizePass, back: boolean): Float32Array {
  const outer = sizeOf(dims.slice(0, p.axis));
  const inner = sizeOf(dims.slice(p.axis + 1));
  const { count, idx, w } = p.taps;
  const y = new Float32Array(outer * (back ? p.inLen : p.outLen) * inner);
  for (let q = 0; q < outer; q++) {
    const ib = q * p.inLen * inner;
    for (let o = 0; o < p.outLen; o++) {
      const ob = (q * p.outLen + o) * inner;
      for (let t = 0; t < count; t++) {
        const wt = w[o * count + t];
        if (wt === 0) continue;
        const r = ib + idx[o * count + t] * inner;
        if (back) for (let i = 0; i < inner; i++) y[r + i] += wt * x[ob + i];
        else for (let i = 0; i < inner; i++) y[ob + i] += wt * x[r + i];
      }
    }
  }
  return y;
}

function resize(upsample: boolean): KernelFactory {
  return (ctx) => {
    const { node, label, opset } = ctx;
    const given: (RtTensor | undefined)[] = [undefined];
    for (let i = 1; i < node.inputs.length; i++) {
      if (node.inputs[i] === '') {
        given.push(undefined);
        continue;
      }
      const c = ctx.constant(i);
      if (c === undefined) throw new GraphTrainError(`${label}: its ${upsample || i === 2 ? 'scales' : i === 3 ? 'sizes' : 'roi'} are computed; fine-tuning needs constant ones`);
      given.push({ dims: c.dims, data: c.data, dataType: DataType.FLOAT });
    }
    const plan = (x: Value): ReturnType<typeof resizePasses> => {
      try {
        return resizePasses(x.dims, given, { node, opset, label }, upsample);
      } catch (e) {
        throw new GraphTrainError(e instanceof Error ? e.message : String(e));
      }
    };
    return {
      forward([x]) {
        const { outDims, passes } = plan(x!);
        let data = x!.data;
        const dims = [...x!.dims];
        for (const p of passes) {
          data = apply(data, dims, p, false);
          dims[p.axis] = p.outLen;
        }
        return { outputs: [value(outDims, data === x!.data ? data.slice() : data)] };
      },
      backward(dOut, [x]) {
        const { outDims, passes } = plan(x!);
        let g = dOut;
        const dims = [...outDims];
        for (const p of [...passes].reverse()) {
          g = apply(g, dims, p, true);
          dims[p.axis] = p.inLen;
        }
        return [g === dOut ? dOut.slice() : g];
      },
    };
  };
}

export const resizeKernel = resize(false);
export const upsampleKernel = resize(true);
