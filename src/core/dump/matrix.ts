// Tensors as text matrices, the experiment's `*_matrix.txt`: one row per line, values separated by
// single spaces, each line ended by '\n'. A scalar is one value, a 1-D tensor one line, an N-D
// tensor [dim0, product of the other dims]. Floats are written as the shortest decimal that reads
// back to the same value (float32 for float32 and narrower float types, float64 for doubles),
// integers as integers.
import { DataType, elementCount, type Tensor } from '../onnx/model';
import { OnnxError } from '../onnx/errors';
import { tensorToFloat32, tensorToFloat64 } from '../onnx/tensor';
import { formatFloat32, formatFloat64, parseNumberToken } from './numbers';

export interface MatrixShape {
  rows: number;
  cols: number;
}

/** Rows and columns of a tensor's matrix form. */
export function matrixShape(dims: readonly number[]): MatrixShape {
  if (dims.length === 0) return { rows: 1, cols: 1 };
  if (dims.length === 1) return { rows: 1, cols: dims[0] };
  return { rows: dims[0], cols: elementCount(dims.slice(1)) };
}

const NARROW_FLOATS: ReadonlySet<number> = new Set([
  DataType.FLOAT,
  DataType.FLOAT16,
  DataType.BFLOAT16,
  DataType.FLOAT8E4M3FN,
  DataType.FLOAT8E4M3FNUZ,
  DataType.FLOAT8E5M2,
  DataType.FLOAT8E5M2FNUZ,
  DataType.FLOAT8E8M0,
  DataType.FLOAT4E2M1,
]);

/** A function giving the text of element i, for every numeric tensor type. */
function elementFormatter(t: Tensor): (i: number) => string {
  const where = `tensor ${JSON.stringify(t.name)}`;
  if (t.data === undefined) {
    throw new OnnxError('external-missing', `${where} has no data (external data not loaded)`);
  }
  if (t.dataType === DataType.STRING || Array.isArray(t.data)) {
    throw new OnnxError('unsupported-type', `${where} holds strings; only numeric tensors dump as matrices`);
  }
  if (t.dataType === DataType.COMPLEX64 || t.dataType === DataType.COMPLEX128) {
    throw new OnnxError('unsupported-type', `${where} is complex; only real tensors dump as matrices`);
  }
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    const big = t.data;
    return (i) => String(big[i]);
  }
  if (NARROW_FLOATS.has(t.dataType)) {
    const f = tensorToFloat32(t);
    return (i) => formatFloat32(f[i]);
  }
  const d = tensorToFloat64(t);
  if (t.dataType === DataType.DOUBLE) return (i) => formatFloat64(d[i]);
  return (i) => String(d[i]);
}

const SPACE = 32;
const NEWLINE = 10;

/**
 * The matrix text in pieces of roughly `chunkChars` characters (split anywhere, also inside a
 * row): concatenated they equal tensorToMatrixText(t). For writing large tensors without one
 * giant string. The characters (all ASCII) are gathered in a byte buffer and decoded once per
 * piece, which is much cheaper than growing strings.
 */
export function* matrixTextChunks(t: Tensor, chunkChars = 1 << 20): Generator<string> {
  const { rows, cols } = matrixShape(t.dims);
  const fmt = elementFormatter(t);
  const limit = Math.max(1, chunkChars);
  let buf = new Uint8Array(limit + 64);
  const decoder = new TextDecoder('latin1');
  let len = 0;
  let i = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const s = fmt(i++);
      if (len + s.length + 1 > buf.length) {
        const grown = new Uint8Array(Math.max(buf.length * 2, len + s.length + 1));
        grown.set(buf.subarray(0, len));
        buf = grown;
      }
      for (let k = 0; k < s.length; k++) buf[len++] = s.charCodeAt(k);
      buf[len++] = c === cols - 1 ? NEWLINE : SPACE;
      if (len >= limit) {
        yield decoder.decode(buf.subarray(0, len));
        len = 0;
      }
    }
    if (cols === 0) buf[len++] = NEWLINE;
    if (len >= limit) {
      yield decoder.decode(buf.subarray(0, len));
      len = 0;
    }
  }
  if (len > 0) yield decoder.decode(buf.subarray(0, len));
}

/** The whole matrix text of a numeric tensor. */
export function tensorToMatrixText(t: Tensor): string {
  return [...matrixTextChunks(t)].join('');
}

export interface ParsedMatrix {
  rows: number;
  cols: number;
  /** Row-major values as parsed (float64: compare with Math.fround for float32 data). */
  values: Float64Array;
}

/**
 * Reads a matrix text back: lines of numbers separated by spaces (or tabs), every line with the
 * same count. Throws an Error naming the line for anything else.
 */
export function parseMatrixText(text: string): ParsedMatrix {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const rows = lines.length;
  let cols = -1;
  let values = new Float64Array(1024);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const line = lines[r].trim();
    const tokens = line === '' ? [] : line.split(/[ \t]+/);
    if (cols < 0) cols = tokens.length;
    else if (tokens.length !== cols) {
      throw new Error(`matrix line ${r + 1}: ${tokens.length} values, but line 1 has ${cols}`);
    }
    if (n + tokens.length > values.length) {
      const grown = new Float64Array(Math.max(values.length * 2, n + tokens.length));
      grown.set(values);
      values = grown;
    }
    for (const token of tokens) {
      const v = parseNumberToken(token);
      if (v === undefined) throw new Error(`matrix line ${r + 1}: ${JSON.stringify(token)} is not a number`);
      values[n++] = v;
    }
  }
  return { rows, cols: Math.max(cols, 0), values: values.slice(0, n) };
}
