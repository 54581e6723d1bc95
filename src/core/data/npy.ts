// NumPy's .npy format (numpy.lib.format, versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a
// major and minor version byte, the header length (uint16 little-endian in 1.0, uint32 in 2.0 and
// 3.0), then the header: a Python dict literal {'descr': '<f4', 'fortran_order': False,
// 'shape': (N, 28, 28), } (ASCII in 1.x/2.x, UTF-8 in 3.0), then the elements.
// Read here: numeric arrays of either byte order ('<', '>', '|' or '=' taken as little-endian), C
// order. Fortran order, object / structured / string dtypes are refused with what to do instead.
import { DatasetError } from './dataset';
import { MAX_IDX_ELEMENTS } from './idx';

export type NpyKind = 'f' | 'i' | 'u' | 'b';

/** What an .npy header declares. */
export interface NpyHeader {
  /** The descr as written, e.g. "<f4". */
  descr: string;
  kind: NpyKind;
  /** Bytes per element. */
  size: number;
  littleEndian: boolean;
  shape: number[];
  /** Product of the shape. */
  elements: number;
  /** Offset of the first element. */
  dataOffset: number;
}

/** An array read from an .npy file: its header and a view of its data bytes. */
export interface NpyArray {
  header: NpyHeader;
  data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** True when the bytes start with the .npy magic. */
export function looksLikeNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

/** NumPy's name of a dtype ('float32', 'uint8', …) for messages. */
export function dtypeName(h: Pick<NpyHeader, 'kind' | 'size'>): string {
  const base = { f: 'float', i: 'int', u: 'uint', b: 'bool' }[h.kind];
  return h.kind === 'b' ? 'bool' : `${base}${h.size * 8}`;
}

const SIZES: Record<NpyKind, number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };

function parseDescr(name: string, descr: string): Pick<NpyHeader, 'kind' | 'size' | 'littleEndian'> {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  const kind = m?.[2];
  if (!m || kind === 'O') {
    const what = kind === 'O' ? 'object arrays (dtype O, e.g. lists or mixed types)' : `dtype '${descr}'`;
    throw new DatasetError(name, `holds ${what}; save plain numeric arrays (e.g. np.asarray(x, dtype=np.float32))`);
  }
  const size = Number(m[3] || '0');
  if (kind === undefined || !(kind in SIZES) || !SIZES[kind as NpyKind].includes(size)) {
    throw new DatasetError(name, `has dtype '${descr}', which is not a number type read here (floats, integers, bool)`);
  }
  return { kind: kind as NpyKind, size, littleEndian: m[1] !== '>' };
}

/** The value of `key` in the header dict text, as its raw literal. */
function dictValue(text: string, key: string): string | undefined {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*`).exec(text);
  if (!m) return undefined;
  const rest = text.slice(m.index + m[0].length);
  if (rest.startsWith('(') || rest.startsWith('[')) {
    const close = rest.indexOf(rest[0] === '(' ? ')' : ']');
    return close < 0 ? undefined : rest.slice(0, close + 1);
  }
  return /^('[^']*'|"[^"]*"|[A-Za-z0-9_]+)/.exec(rest)?.[0];
}

/** Reads an .npy header (throws naming the file and the problem). */
export function parseNpyHeader(name: string, bytes: Uint8Array): NpyHeader {
  if (!looksLikeNpy(bytes)) throw new DatasetError(name, 'wrong magic: an .npy file starts with \\x93NUMPY');
  if (bytes.length < 10) throw new DatasetError(name, `truncated: ${bytes.length} bytes, shorter than an .npy header`);
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3) throw new DatasetError(name, `.npy format version ${major}.${minor} is not one read here (1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new DatasetError(name, 'truncated: the header length is missing');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (bytes.length < start + headerLen) {
    throw new DatasetError(name, `truncated: the header declares ${headerLen} bytes, the file has ${bytes.length - start} after the length`);
  }
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes.subarray(start, start + headerLen));
  } catch {
    throw new DatasetError(name, 'the .npy header is not valid text');
  }
  const descrRaw = dictValue(text, 'descr');
  const fortran = dictValue(text, 'fortran_order');
  const shapeRaw = dictValue(text, 'shape');
  if (!text.trimStart().startsWith('{') || descrRaw === undefined || fortran === undefined || shapeRaw === undefined) {
    throw new DatasetError(name, `the .npy header is not a dict with 'descr', 'fortran_order' and 'shape': ${text.trim().slice(0, 80)}`);
  }
  if (!/^['"]/.test(descrRaw)) {
    throw new DatasetError(name, `holds a structured dtype (${descrRaw.slice(0, 40)}); save one plain numeric array per file`);
  }
  const dtype = parseDescr(name, descrRaw.slice(1, -1));
  if (fortran === 'True') {
    throw new DatasetError(name, 'is stored in Fortran (column-major) order; save it in C order (np.save(f, np.ascontiguousarray(a)))');
  }
  if (fortran !== 'False') throw new DatasetError(name, `fortran_order is ${fortran}, not True or False`);
  const inner = shapeRaw.slice(1, -1).trim();
  const parts = inner === '' ? [] : inner.split(',').map((s) => s.trim()).filter((s, i, all) => s !== '' || i < all.length - 1);
  const shape = parts.map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) throw new DatasetError(name, `the .npy shape ${shapeRaw} is not a tuple of sizes`);
  let elements = 1;
  for (const d of shape) elements *= d;
  if (elements > MAX_IDX_ELEMENTS) {
    throw new DatasetError(name, `the header declares shape [${shape.join(', ')}]: ${elements} values, more than the ${MAX_IDX_ELEMENTS} a dataset file may hold`);
  }
  return { descr: descrRaw.slice(1, -1), ...dtype, shape, elements, dataOffset: start + headerLen };
}

/** Reads a whole .npy file: its header and a view of exactly the bytes its shape needs. */
export function parseNpy(name: string, bytes: Uint8Array): NpyArray {
  const header = parseNpyHeader(name, bytes);
  const need = header.elements * header.size;
  const have = bytes.length - header.dataOffset;
  if (have < need) {
    throw new DatasetError(name, `truncated: shape [${header.shape.join(', ')}] of ${dtypeName(header)} needs ${need} data bytes, the file has ${have}`);
  }
  if (have > need) throw new DatasetError(name, `${have - need} bytes after the array's data: not one .npy array (a damaged file?)`);
  return { header, data: bytes.subarray(header.dataOffset) };
}

/** Element i of an array as a number (int64 / uint64 beyond 2^53 lose precision). */
export function reader(a: NpyArray): (i: number) => number {
  const { kind, size, littleEndian: le } = a.header;
  const v = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  if (kind === 'f') {
    if (size === 4) return (i) => v.getFloat32(i * 4, le);
    if (size === 8) return (i) => v.getFloat64(i * 8, le);
    return (i) => halfToFloat(v.getUint16(i * 2, le));
  }
  if (kind === 'b' || size === 1) return kind === 'i' ? (i) => v.getInt8(i) : (i) => v.getUint8(i);
  if (size === 2) return kind === 'i' ? (i) => v.getInt16(i * 2, le) : (i) => v.getUint16(i * 2, le);
  if (size === 4) return kind === 'i' ? (i) => v.getInt32(i * 4, le) : (i) => v.getUint32(i * 4, le);
  return kind === 'i' ? (i) => Number(v.getBigInt64(i * 8, le)) : (i) => Number(v.getBigUint64(i * 8, le));
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** How sample values were converted, said to the user: uint8 is scaled by 1/255, floats are kept. */
export const UINT8_SCALING = 'uint8 values scaled by 1/255 to 0..1';

/**
 * The samples of an array of shape [N, …] as float32: float16/32/64 kept as stored, uint8 scaled by
 * 1/255 (as IDX files of unsigned bytes are: the pixels/255 convention of MNIST-style models).
 * Other types are refused. `what` names the array in messages ("x.npy", "test.npz: x").
 */
export function npySamples(what: string, a: NpyArray): { values: Float32Array; conversion?: string } {
  const { kind, size } = a.header;
  if (kind === 'u' && size === 1) {
    const out = new Float32Array(a.header.elements);
    for (let i = 0; i < out.length; i++) out[i] = a.data[i] / 255;
    return { values: out, conversion: UINT8_SCALING };
  }
  if (kind !== 'f') {
    throw new DatasetError(what, `samples are ${dtypeName(a.header)}; samples must be float32, float64 or uint8 (convert with x.astype(np.float32))`);
  }
  if (size === 4 && a.header.littleEndian && a.data.byteOffset % 4 === 0) {
    return { values: new Float32Array(a.data.buffer.slice(a.data.byteOffset, a.data.byteOffset + a.header.elements * 4)) };
  }
  const read = reader(a);
  const out = new Float32Array(a.header.elements);
  for (let i = 0; i < out.length; i++) out[i] = read(i);
  return { values: out };
}

/** Whether an array's header reads as class ids: integers of shape [N] or [N, 1]. */
export function classIdShaped(h: NpyHeader): boolean {
  return (h.kind === 'i' || h.kind === 'u') && (h.shape.length === 1 || (h.shape.length === 2 && h.shape[1] === 1));
}

/**
 * Class ids from labels as NumPy users save them: integers of shape [N] or [N, 1] (Keras' CIFAR-10
 * labels), floats that are whole numbers (labels that went through a float array), or one-hot
 * rows [N, K] (Keras' to_categorical). Each id in 0 … 2^31-1. `conversion` says what was read
 * other than plain integer ids.
 */
export function npyLabels(what: string, a: NpyArray): { labels: Int32Array; conversion?: string } {
  const { kind, shape } = a.header;
  const isFloat = kind === 'f';
  if (kind !== 'i' && kind !== 'u' && !isFloat) {
    throw new DatasetError(what, `labels are ${dtypeName(a.header)}; labels must be class ids (integers) or one-hot rows`);
  }
  const read = reader(a);
  const n = shape[0] ?? 0;
  if (shape.length === 2 && shape[1] > 1) {
    const k = shape[1];
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let hot = -1;
      for (let j = 0; j < k; j++) {
        const v = read(i * k + j);
        if (v === 1 && hot < 0) hot = j;
        else if (v !== 0) throw new DatasetError(what, `labels have shape [${shape.join(', ')}] but row ${i} is not one-hot (a single 1, zeros elsewhere); labels must be class ids [N] or one-hot rows [N, K]`);
      }
      if (hot < 0) throw new DatasetError(what, `labels have shape [${shape.join(', ')}] but row ${i} holds no 1; labels must be class ids [N] or one-hot rows [N, K]`);
      out[i] = hot;
    }
    return { labels: out, conversion: `one-hot labels [${shape.join(', ')}] read as class ids` };
  }
  if (shape.length !== 1 && !(shape.length === 2 && shape[1] === 1)) {
    throw new DatasetError(what, `labels have shape [${shape.join(', ')}]; labels must have shape [N] (one class id per sample) or be one-hot rows [N, K]`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (isFloat && !Number.isInteger(v)) throw new DatasetError(what, `label ${i} is ${v}; float labels must be whole numbers (class ids from 0)`);
    if (v < 0 || v > 0x7fffffff) throw new DatasetError(what, `label ${i} is ${v}; labels must be class ids from 0`);
    out[i] = v;
  }
  const notes = [...(shape.length === 2 ? [`labels [${shape.join(', ')}] read as [${n}]`] : []), ...(isFloat ? [`${dtypeName(a.header)} labels read as class ids`] : [])];
  return notes.length > 0 ? { labels: out, conversion: notes.join('; ') } : { labels: out };
}
