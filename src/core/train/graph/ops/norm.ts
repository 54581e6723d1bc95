// BatchNormalization in inference form: the running mean and variance stay frozen (they are never
// trained), y = scale · (x − mean) / √(var + ε) + bias per channel; scale and bias get gradients
// (they train when they are trainable parameters, like biases). The loops run on WebAssembly SIMD
// where available (norm-wasm.ts).
import type { KernelFactory } from '../kernel';
import { GraphTrainError, attrFloat, attrInt, value } from '../value';
import { batchNormBackwardWasm, batchNormForwardWasm } from './norm-wasm';

export const batchNorm: KernelFactory = ({ node, label }) => {
  if (attrInt(node, 'training_mode', 0) !== 0) throw new GraphTrainError(`${label} is in training mode; fine-tuning needs its frozen statistics`);
  if (node.outputs.slice(1).some((o) => o !== '')) throw new GraphTrainError(`${label}: its running mean / variance outputs are not supported`);
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const channels = (dims: number[]): [number, number, number] => {
    if (dims.length < 2) throw new GraphTrainError(`${label}: input of rank ${dims.length}, expected [N, C, …]`);
    return [dims[0], dims[1], dims.slice(2).reduce((a, b) => a * b, 1)];
  };
  const invStd = (v: Float32Array): Float64Array => Float64Array.from(v, (x) => 1 / Math.sqrt(x + eps));
  return {
    forward([x, scale, bias, mean, variance]) {
      const [N, C, S] = channels(x!.dims);
      for (const t of [scale, bias, mean, variance]) if (t === undefined || t.data.length !== C) throw new GraphTrainError(`${label}: its parameters do not have ${C} values`);
      const inv = invStd(variance!.data);
      const out = value([...x!.dims]);
      const xd = x!.data;
      const y = out.data;
      const a = Float64Array.from(inv, (v, c) => scale!.data[c] * v);
      const b = Float64Array.from(a, (v, c) => bias!.data[c] - mean!.data[c] * v);
      if (batchNormForwardWasm(xd, y, N, C, S, a, b)) return { outputs: [out], saved: inv };
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const a = scale!.data[c] * inv[c];
          const b = bias!.data[c] - mean!.data[c] * a;
          const o = (n * C + c) * S;
          for (let i = o; i < o + S; i++) y[i] = xd[i] * a + b;
        }
      }
      return { outputs: [out], saved: inv };
    },
    backward(dOut, [x, scale, , mean], _o, saved, need) {
      const [N, C, S] = channels(x!.dims);
      const inv = saved as Float64Array;
      const xd = x!.data;
      const dx = need[0] ? new Float32Array(xd.length) : undefined;
      const ds = new Float64Array(C);
      const db = new Float64Array(C);
      const a = Float64Array.from(inv, (v, c) => scale!.data[c] * v);
      if (batchNormBackwardWasm(xd, dOut, dx, ds, db, N, C, S, a, mean!.data)) {
        for (let c = 0; c < C; c++) ds[c] *= inv[c];
        return [dx, need[1] ? Float32Array.from(ds) : undefined, need[2] ? Float32Array.from(db) : undefined];
      }
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const a = scale!.data[c] * inv[c];
          const m = mean!.data[c];
          const o = (n * C + c) * S;
          let s = 0;
          let t = 0;
          for (let i = o; i < o + S; i++) {
            const g = dOut[i];
            s += g * (xd[i] - m);
            t += g;
            if (dx !== undefined) dx[i] = g * a;
          }
          ds[c] += s * inv[c];
          db[c] += t;
        }
      }
      return [dx, need[1] ? Float32Array.from(ds) : undefined, need[2] ? Float32Array.from(db) : undefined];
    },
  };
};
