// Node Buffers from readFileSync are often views on a shared pool at an odd offset, and their
// slice() does not copy. Decoding one must give the same values as decoding a plain copy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, decodeTensor } from '../../../../src/core/onnx';

const node = '/usr/share/libonnx-testdata/data/node';

describe('decoding Node Buffers', () => {
  it('reads small test tensors from a pooled Buffer as from a plain copy', () => {
    for (const test of ['test_relu', 'test_gemm_default_single_elem_vector_bias', 'test_cast_FLOAT_to_DOUBLE']) {
      const file = `${node}/${test}/test_data_set_0/input_0.pb`;
      const pooled = readFileSync(file);
      const plain = new Uint8Array(pooled);
      const a = decodeTensor(pooled, file).data as ArrayLike<number>;
      const b = decodeTensor(plain, file).data as ArrayLike<number>;
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('reads unaligned raw data inside a Buffer at an odd pool offset', () => {
    const file = `${node}/test_relu/test_data_set_0/input_0.pb`;
    const plain = new Uint8Array(readFileSync(file));
    // Place the same bytes at offsets 1..7 of a larger Buffer.
    for (let shift = 1; shift < 8; shift++) {
      const big = Buffer.alloc(plain.length + 16);
      big.set(plain, shift);
      const view = big.subarray(shift, shift + plain.length);
      expect(Array.from(decodeTensor(view, file).data as Float32Array)).toEqual(
        Array.from(decodeTensor(plain, file).data as Float32Array),
      );
    }
  });

  it('decodes a model from a pooled Buffer with the same initializer values', () => {
    const file = '/usr/share/libonnx-testdata/data/node/test_gemm_default_vector_bias/model.onnx';
    const pooled = readFileSync(file);
    const a = decodeModel(pooled, file);
    const b = decodeModel(new Uint8Array(pooled), file);
    expect(a.graph.nodes.map((n) => n.opType)).toEqual(b.graph.nodes.map((n) => n.opType));
    for (let i = 0; i < a.graph.initializers.length; i++) {
      expect(Array.from(a.graph.initializers[i].data as Float32Array)).toEqual(
        Array.from(b.graph.initializers[i].data as Float32Array),
      );
    }
  });
});
