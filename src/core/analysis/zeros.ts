// Counting the zero elements of a tensor of any element type.
import { DataType, type Tensor } from '../onnx/model';
import { tensorToFloat32 } from '../onnx/tensor';

/** Types whose stored array holds the element values themselves (not bits or packed nibbles). */
export const PLAIN_INTEGERS: ReadonlySet<number> = new Set([
  DataType.INT8,
  DataType.UINT8,
  DataType.INT16,
  DataType.UINT16,
  DataType.INT32,
  DataType.UINT32,
  DataType.BOOL,
]);

/** Elements equal to zero (+0 or −0); 0 for tensors without loaded numeric data. */
export function countZeros(t: Tensor): number {
  const d = t.data;
  if (d === undefined || Array.isArray(d)) return 0;
  let z = 0;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < d.length; i++) if (d[i] === 0n) z++;
    return z;
  }
  if (t.dataType === DataType.FLOAT16 || t.dataType === DataType.BFLOAT16) {
    const bits = d as Uint16Array;
    for (let i = 0; i < bits.length; i++) if ((bits[i] & 0x7fff) === 0) z++;
    return z;
  }
  let values: ArrayLike<number>;
  if (d instanceof Float32Array || d instanceof Float64Array || PLAIN_INTEGERS.has(t.dataType)) values = d;
  else {
    try {
      values = tensorToFloat32(t); // 8-bit / 4-bit floats and packed integers
    } catch {
      return 0;
    }
  }
  for (let i = 0; i < values.length; i++) if (values[i] === 0) z++;
  return z;
}
