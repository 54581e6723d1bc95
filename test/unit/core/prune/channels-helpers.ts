// Helpers of the channel-pruning tests: models from disk, random inputs, a model run in
// onnxruntime-node (the oracle) and in Prunescope's runtime, and the independent channel norms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type Model, type Tensor } from '../../../../src/core/onnx';
import { Session } from '../../../../src/core/runtime';
import { mulberry32 } from '../../../../src/core/train/random';

export const ROOT = join(__dirname, '..', '..', '..', '..');

export function loadModel(...parts: string[]): Model {
  const p = join(ROOT, ...parts);
  return decodeModel(new Uint8Array(readFileSync(p)), p);
}

export function init(m: Model, name: string): Tensor {
  const t = m.graph.initializers.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no initializer ${name}`);
  return t;
}

/** Uniform values in [0, 1), deterministic per seed. */
export function randomInput(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r());
}

export interface Outputs {
  dims: number[];
  data: Float32Array;
}

/** The first output of the model in onnxruntime-node, on one float input of the given dims. */
export async function runOrt(m: Model, dims: number[], data: Float32Array): Promise<Outputs> {
  const s = await ort.InferenceSession.create(encodeModel(m));
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', data, dims) });
  const t = out[s.outputNames[0]];
  const r = { dims: [...t.dims], data: Float32Array.from(t.data as Float32Array) };
  await s.release();
  return r;
}

/** The first output of the model in Prunescope's runtime (dense kernels). */
export function runOurs(m: Model, dims: number[], data: Float32Array): Outputs {
  const s = Session.create(m, { kernels: 'dense' });
  const out = s.run({ [s.inputs[0].name]: { dims, data, dataType: 1 } });
  const t = out[s.outputs[0].name];
  return { dims: t.dims, data: t.data as Float32Array };
}

export function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Σ|w| of each slice along axis `axis` of a float tensor (direct loops over its dims). */
export function l1Along(t: Tensor, axis: number): number[] {
  const w = t.data as Float32Array;
  const inner = t.dims.slice(axis + 1).reduce((s, v) => s * v, 1);
  const out = new Array<number>(t.dims[axis]).fill(0);
  for (let i = 0; i < w.length; i++) out[Math.floor(i / inner) % t.dims[axis]] += Math.abs(w[i]);
  return out;
}

/** The indices of the k smallest values (ties: lower index), ascending. */
export function smallest(v: number[], k: number): number[] {
  return v.map((x, i) => [x, i]).sort((p, q) => p[0] - q[0] || p[1] - q[1]).slice(0, k).map((p) => p[1]).sort((x, y) => x - y);
}

/** Σ|w| of each output channel of a Conv weight times |γ|/√(var+1e-5) of the BatchNormalization `bn` after it (its initializers). */
export function bnL1(m: Model, weight: string, bn: string): number[] {
  const g = init(m, `${bn}.weight`).data as Float32Array;
  const v = init(m, `${bn}.running_var`).data as Float32Array;
  return l1Along(init(m, weight), 0).map((x, c) => x * Math.abs(g[c] / Math.sqrt(v[c] + 1e-5)));
}
