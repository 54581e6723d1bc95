// SparseTensorProto → SparseTensor, with the rules onnx.checker applies to one.
import type { SparseTensorProto } from 'onnx-buf';
import { DataType, elementCount, type SparseTensor } from './model';
import { OnnxError } from './errors';
import { bytesPerElement as bytesOf, dtypeName } from './dtype';
import { Ctx, toSize } from './proto-read';
import { checkDims, tensorFrom } from './tensor-from-proto';

/**
 * The most bytes a tensor may take once dense: the largest typed array JavaScript engines make
 * (2^32 elements; V8 throws "Invalid typed array length" past it) of one byte each.
 */
export const MAX_DENSE_BYTES = 2 ** 32;

export function sparseFrom(s: SparseTensorProto, ctx: Ctx): SparseTensor {
  const name = s.values?.name ?? s.indices?.name ?? '';
  if (!s.values || !s.indices) ctx.fail(`sparse tensor ${JSON.stringify(name)}: no ${s.values ? 'indices' : 'values'}`);
  const out = {
    values: tensorFrom(s.values, ctx),
    indices: tensorFrom(s.indices, ctx),
    dims: s.dims.map((d) => toSize(d, `sparse tensor ${JSON.stringify(name)} dims`, ctx)),
  };
  checkSparse(out, ctx);
  return out;
}

/**
 * The rules onnx.checker applies to a SparseTensorProto, before anything densifies it: values 1-D
 * [NNZ]; indices int64, [NNZ] (linear) or [NNZ, rank] (coordinates); every index inside the dense
 * shape, in ascending (lexicographic) order without duplicates; and a dense shape that can be
 * materialised at all. The index checks wait for data still in an external file (call again then).
 */
export function checkSparse(s: SparseTensor, ctx: Ctx): void {
  const what = `sparse tensor ${JSON.stringify(s.values.name)}`;
  checkDims(s.dims, what, ctx);
  const dense = elementCount(s.dims);
  const bytes = dense * Math.max(1, bytesOf(s.values.dataType));
  if (!(bytes <= MAX_DENSE_BYTES)) {
    throw new OnnxError(
      'too-large',
      `${what}: its dense shape [${s.dims.join(', ')}] holds ${dense} elements (${bytes} bytes), more than a tensor can hold in memory (${MAX_DENSE_BYTES} bytes)`,
      ctx.file,
    );
  }
  if (s.values.dims.length !== 1) ctx.fail(`${what}: values have dims [${s.values.dims.join(', ')}]; they must be 1-D [NNZ]`);
  const nnz = s.values.dims[0];
  if (s.indices.dataType !== DataType.INT64) {
    ctx.fail(`${what}: indices are ${dtypeName(s.indices.dataType)}; they must be int64`);
  }
  const rank = s.dims.length;
  const id = s.indices.dims;
  const linear = id.length === 1 && id[0] === nnz;
  const coords = id.length === 2 && id[0] === nnz && id[1] === rank;
  if (!linear && !coords) {
    ctx.fail(`${what}: indices have dims [${id.join(', ')}]; for ${nnz} values of a rank-${rank} tensor they must be [${nnz}] or [${nnz}, ${rank}]`);
  }
  if (nnz > dense) ctx.fail(`${what}: ${nnz} values for a dense shape [${s.dims.join(', ')}] of ${dense} elements`);
  const idx = s.indices.data;
  if (!(idx instanceof BigInt64Array)) return; // still external
  const n = BigInt(dense);
  let prev = -1n;
  for (let k = 0; k < nnz; k++) {
    let lin: bigint;
    if (linear) {
      lin = idx[k];
      if (lin < 0n || lin >= n) ctx.fail(`${what}: index ${lin} (entry ${k}) is outside the dense shape [${s.dims.join(', ')}] of ${dense} elements`);
    } else {
      lin = 0n;
      for (let d = 0; d < rank; d++) {
        const c = idx[k * rank + d];
        if (c < 0n || c >= BigInt(s.dims[d])) {
          ctx.fail(`${what}: index ${c} (entry ${k}, axis ${d}) is outside the dense shape [${s.dims.join(', ')}]`);
        }
        lin = lin * BigInt(s.dims[d]) + c;
      }
    }
    if (lin <= prev) ctx.fail(`${what}: indices are not in ascending order without duplicates (entry ${k} is not after entry ${k - 1})`);
    prev = lin;
  }
}
