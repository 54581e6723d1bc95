// The IDX format of MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic 00 00 TT DD
// (TT = element type, DD = number of dimensions), DD big-endian uint32 sizes, then the elements
// big-endian, row-major. A file with one dimension holds labels; two or more, samples (images).
import { DatasetError } from './dataset';

export const IdxType = {
  UBYTE: 0x08,
  SBYTE: 0x09,
  SHORT: 0x0b,
  INT: 0x0c,
  FLOAT: 0x0d,
  DOUBLE: 0x0e,
} as const;
export type IdxTypeCode = (typeof IdxType)[keyof typeof IdxType];

const ELEMENT_BYTES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double',
};

export interface IdxImages {
  kind: 'images';
  type: IdxTypeCode;
  count: number;
  sampleShape: number[];
  /**
   * The values: unsigned bytes scaled by 1/255 to 0..1 (MNIST's convention); every other element
   * type kept as written.
   */
  values: Float32Array;
}

export interface IdxLabels {
  kind: 'labels';
  type: IdxTypeCode;
  count: number;
  labels: Int32Array;
}

/** True when the bytes start like an IDX file (00 00, a known type, at least one dimension). */
export function looksLikeIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] in ELEMENT_BYTES && bytes[3] >= 1;
}

/**
 * The most elements an IDX file may declare (2³⁰: 4 GiB of float32 values once read); a header
 * declaring more is refused before any data is read.
 */
export const MAX_IDX_ELEMENTS = 2 ** 30;

/** What an IDX header declares. */
export interface IdxHeader {
  kind: 'images' | 'labels';
  type: IdxTypeCode;
  dims: number[];
  count: number;
  headerBytes: number;
  elements: number;
  /** Bytes of the whole file: header and data. */
  fileBytes: number;
}

/** Bytes of the header of the IDX file starting with `bytes` (at least its first 4 bytes). */
export function idxHeaderBytes(bytes: Uint8Array): number {
  return 4 + 4 * (bytes[3] ?? 0);
}

/**
 * Reads the header of an IDX file from its first bytes (at least idxHeaderBytes of them when the
 * file has that many): the magic, the dimensions, and the size the file must then have.
 */
export function parseIdxHeader(name: string, bytes: Uint8Array): IdxHeader {
  if (bytes.length < 4) throw new DatasetError(name, `too short for an IDX file (${bytes.length} bytes)`);
  const magicHex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  if (bytes[0] !== 0 || bytes[1] !== 0 || !(bytes[2] in ELEMENT_BYTES) || bytes[3] < 1) {
    throw new DatasetError(
      name,
      `wrong magic number 0x${magicHex}: an IDX file starts with 00 00, a type byte (08, 09, 0b, 0c, 0d or 0e) and the number of dimensions`,
    );
  }
  const type = bytes[2] as IdxTypeCode;
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DatasetError(name, `truncated header: ${rank} dimensions need ${headerBytes} bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  let elements = 1;
  for (const d of dims) elements *= d;
  if (elements > MAX_IDX_ELEMENTS) {
    throw new DatasetError(name, `the header declares dimensions [${dims.join(', ')}]: ${elements} values, more than the ${MAX_IDX_ELEMENTS} a dataset file may hold`);
  }
  if (rank === 1 && (type === IdxType.FLOAT || type === IdxType.DOUBLE)) {
    throw new DatasetError(name, `labels must be integers, this IDX file holds ${TYPE_NAMES[type]} values`);
  }
  return { kind: rank === 1 ? 'labels' : 'images', type, dims, count: dims[0], headerBytes, elements, fileBytes: headerBytes + elements * ELEMENT_BYTES[type] };
}

/** Parses one (already gunzipped) IDX file: labels when it has one dimension, images otherwise. */
export function parseIdx(name: string, bytes: Uint8Array): IdxImages | IdxLabels {
  const { type, dims, count, headerBytes, elements } = parseIdxHeader(name, bytes);
  const rank = dims.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = ELEMENT_BYTES[type];
  const expected = headerBytes + elements * size;
  if (bytes.length < expected) {
    throw new DatasetError(
      name,
      `truncated data: dimensions [${dims.join(', ')}] of ${TYPE_NAMES[type]} need ${elements * size} bytes after the header, the file has ${bytes.length - headerBytes}`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetError(name, `${bytes.length - expected} unexpected bytes after the data of dimensions [${dims.join(', ')}]`);
  }

  if (rank === 1) {
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const v = readElement(view, type, headerBytes + i * size);
      if (v < 0) throw new DatasetError(name, `label ${i} is negative (${v})`);
      labels[i] = v;
    }
    return { kind: 'labels', type, count, labels };
  }

  const values = new Float32Array(elements);
  if (type === IdxType.UBYTE) {
    const data = bytes.subarray(headerBytes, expected);
    const scale = new Float32Array(256);
    for (let b = 0; b < 256; b++) scale[b] = b / 255;
    for (let i = 0; i < elements; i++) values[i] = scale[data[i]];
  } else {
    for (let i = 0; i < elements; i++) values[i] = readElement(view, type, headerBytes + i * size);
  }
  return { kind: 'images', type, count, sampleShape: dims.slice(1), values };
}

function readElement(view: DataView, type: IdxTypeCode, offset: number): number {
  switch (type) {
    case IdxType.UBYTE: return view.getUint8(offset);
    case IdxType.SBYTE: return view.getInt8(offset);
    case IdxType.SHORT: return view.getInt16(offset, false);
    case IdxType.INT: return view.getInt32(offset, false);
    case IdxType.FLOAT: return view.getFloat32(offset, false);
    case IdxType.DOUBLE: return view.getFloat64(offset, false);
  }
}

/** Writes an IDX file (not gzipped) of the given element type; values are written as given (no scaling). */
export function encodeIdx(type: IdxTypeCode, dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  let elements = 1;
  for (const d of dims) elements *= d;
  if (values.length !== elements) throw new Error(`encodeIdx: ${values.length} values for dimensions [${dims.join(', ')}]`);
  const size = ELEMENT_BYTES[type];
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + elements * size);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < elements; i++) {
    const o = header + i * size;
    const v = values[i];
    switch (type) {
      case IdxType.UBYTE: view.setUint8(o, v); break;
      case IdxType.SBYTE: view.setInt8(o, v); break;
      case IdxType.SHORT: view.setInt16(o, v, false); break;
      case IdxType.INT: view.setInt32(o, v, false); break;
      case IdxType.FLOAT: view.setFloat32(o, v, false); break;
      case IdxType.DOUBLE: view.setFloat64(o, v, false); break;
    }
  }
  return out;
}
