// ONNX sparse tensors (COO) back to dense tensors, for statistics and matrix dumps.
import { elementCount, type SparseTensor, type Tensor, type TensorData } from '../onnx/model';
import { OnnxError } from '../onnx/errors';

/** Index values as numbers (int64 indices arrive as BigInt64Array). */
function indexAt(data: TensorData, i: number): number {
  const v = (data as ArrayLike<number | bigint>)[i];
  return typeof v === 'bigint' ? Number(v) : v;
}

/**
 * The dense tensor of a sparse one: zeros everywhere except the stored values. Indices are either
 * [nnz] linear positions or [nnz, rank] coordinates, as ONNX allows. Throws OnnxError for indices
 * outside the shape or values/indices that do not match.
 */
export function sparseToDense(s: SparseTensor): Tensor {
  const name = s.values.name;
  const fail = (what: string): never => {
    throw new OnnxError('bad-model', `sparse tensor ${JSON.stringify(name)}: ${what}`);
  };
  const values = s.values.data;
  const indices = s.indices.data;
  if (values === undefined || indices === undefined) return fail('values or indices not loaded');
  if (Array.isArray(values) || Array.isArray(indices)) return fail('string sparse tensors are not supported');
  const n = elementCount(s.dims);
  const nnz = elementCount(s.values.dims);
  const Ctor = values.constructor as { new (length: number): Exclude<TensorData, Uint8Array[]> };
  const dense = new Ctor(n);
  const rank = s.dims.length;
  const perEntry = s.indices.dims.length === 2 ? s.indices.dims[1] : 1;
  if (indices.length !== nnz * perEntry || (perEntry !== 1 && perEntry !== rank)) {
    return fail(`indices of shape [${s.indices.dims.join(',')}] do not fit ${nnz} values of a rank-${rank} tensor`);
  }
  for (let k = 0; k < nnz; k++) {
    let pos: number;
    if (perEntry === 1 && s.indices.dims.length !== 2) pos = indexAt(indices, k);
    else {
      pos = 0;
      for (let d = 0; d < rank; d++) {
        const c = indexAt(indices, k * rank + d);
        if (c < 0 || c >= s.dims[d]) return fail(`coordinate ${c} of entry ${k} is outside dimension ${d} (size ${s.dims[d]})`);
        pos = pos * s.dims[d] + c;
      }
    }
    if (!(pos >= 0 && pos < n)) return fail(`index ${pos} of entry ${k} is outside the ${n} elements`);
    (dense as unknown as ArrayLike<number | bigint> & { [i: number]: number | bigint })[pos] = (values as ArrayLike<number | bigint>)[k];
  }
  return { name, dataType: s.values.dataType, dims: [...s.dims], data: dense };
}
