// One-node models run by Prunescope's runtime and by onnxruntime-node (the oracle), for operator
// cases that libonnx-testdata lacks (newer opsets, groups, int types, other modes).
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel } from '../../../../src/core/onnx';
import { DataType, type Node, type Tensor } from '../../../../src/core/onnx/model';
import { Session } from '../../../../src/core/runtime';
import { graph, model, node } from '../../../support/hand-models';
import { ortRunOnce } from '../../../support/ort';

export type Attrs = Node['attributes'];

/** Deterministic values in [-1, 1) (xorshift32). */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 31 - 1;
  };
}

/** The same sequence mapped to [0, 1): (prng + 1) / 2, exactly s / 2³². */
export function prng01(seed: number): () => number {
  const r = prng(seed);
  return () => (r() + 1) / 2;
}

export function randomFloats(n: number, seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, r);
}

export function int64s(name: string, values: number[]): Tensor {
  return { name, dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) };
}

export function f32s(name: string, dims: number[], values: ArrayLike<number>): Tensor {
  return { name, dataType: DataType.FLOAT, dims, data: Float32Array.from(values) };
}

export interface OpCase {
  op: string;
  opset: number;
  attrs?: Attrs;
  /** x (fed), then constant inputs ('' for an absent optional input). */
  x: { dims: number[]; data: Float32Array | Uint8Array; dataType?: number };
  consts?: (Tensor | '')[];
  outputs?: number;
}

export interface OpResult {
  name: string;
  ours: { dims: number[]; data: ArrayLike<number | bigint> };
  ort: { dims: readonly number[]; data: ArrayLike<number | bigint> };
}

/** Runs one node in both runtimes on the same model bytes. */
export async function runBoth(c: OpCase): Promise<OpResult[]> {
  const dt = c.x.dataType ?? DataType.FLOAT;
  const consts = c.consts ?? [];
  const outNames = Array.from({ length: c.outputs ?? 1 }, (_, i) => `y${i}`);
  const inputs = ['x', ...consts.map((t) => (t === '' ? '' : t.name))];
  const m = model(
    graph('op', {
      inputs: [{ name: 'x', type: { kind: 'tensor', elemType: dt, shape: c.x.dims } }],
      outputs: outNames.map((name, i) => ({ name, type: { kind: 'tensor', elemType: i === 1 && c.op === 'MaxPool' ? DataType.INT64 : dt } })),
      nodes: [node(c.op, inputs, outNames, c.attrs ?? [])],
      initializers: consts.filter((t): t is Tensor => t !== ''),
    }),
  );
  m.opsetImports = [{ domain: '', version: c.opset }];
  const bytes = encodeModel(m);
  const type = dt === DataType.UINT8 ? 'uint8' : 'float32';
  const want = (await ortRunOnce(bytes, { x: new ort.Tensor(type, c.x.data, c.x.dims) })).outputs;
  const got = Session.create(decodeModel(bytes), { kernels: 'dense' }).run({ x: { dims: c.x.dims, data: c.x.data, dataType: dt } });
  return outNames.map((name) => ({ name, ours: got[name], ort: { dims: want[name].dims, data: want[name].data as ArrayLike<number | bigint> } }));
}

/** Largest |a - b| / (1 + |b|) over all elements, or Infinity when the dims differ. */
export function relDiff(r: OpResult): number {
  if (r.ours.dims.join(',') !== r.ort.dims.join(',')) return Infinity;
  let d = 0;
  for (let i = 0; i < r.ort.data.length; i++) {
    const a = Number(r.ours.data[i]);
    const b = Number(r.ort.data[i]);
    d = Math.max(d, Math.abs(a - b) / (1 + Math.abs(b)));
  }
  return d;
}
