// Mutations of real inputs: bytes (any file) and ONNX structure (through the wire tree of wire.ts).
import { cloneMsg, encodeMessage, fieldSpec, allowedWireTypes, ints, packVarints, sub, subs, walk, WT, type Field, type Msg } from './wire';

export interface Rng {
  (): number;
  int(n: number): number;
  pick<T>(a: readonly T[]): T;
  chance(p: number): boolean;
}

export function rngFrom(next: () => number): Rng {
  const r = (() => next()) as Rng;
  r.int = (n) => Math.floor(next() * n);
  r.pick = (a) => a[Math.floor(next() * a.length)];
  r.chance = (p) => next() < p;
  return r;
}

/** Weighted choice: [item, weight][] */
export function weighted<T>(r: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x < 0) return item;
  }
  return items[items.length - 1][0];
}

// Bytes ----------------------------------------------------------------------------------------

export type ByteOp = 'bitflip' | 'overwrite' | 'truncate' | 'insert' | 'duplicate';
export const BYTE_OPS: readonly ByteOp[] = ['bitflip', 'overwrite', 'truncate', 'insert', 'duplicate'];

const INTERESTING = [0x00, 0xff, 0x80, 0x7f, 0x01, 0x08, 0x0a, 0x12, 0x3a];

/** A position: near a structural offset (tags, length prefixes) when offsets are given, else anywhere. */
function position(r: Rng, n: number, offsets?: readonly number[]): number {
  if (n === 0) return 0;
  if (offsets && offsets.length > 0 && r.chance(0.7)) return Math.min(n - 1, r.pick(offsets) + r.int(3));
  return r.int(n);
}

export function mutateBytes(r: Rng, input: Uint8Array, op: ByteOp, offsets?: readonly number[]): { bytes: Uint8Array; what: string } {
  const n = input.length;
  const b = new Uint8Array(input);
  switch (op) {
    case 'bitflip': {
      const k = 1 + r.int(3);
      const at: number[] = [];
      for (let i = 0; i < k; i++) {
        const p = position(r, n, offsets);
        b[p] ^= 1 << r.int(8);
        at.push(p);
      }
      return { bytes: b, what: `bit flips at ${at.join(',')}` };
    }
    case 'overwrite': {
      const p = position(r, n, offsets);
      const k = 1 + r.int(4);
      for (let i = 0; i < k && p + i < n; i++) b[p + i] = r.chance(0.5) ? r.pick(INTERESTING) : r.int(256);
      return { bytes: b, what: `${k} bytes overwritten at ${p}` };
    }
    case 'truncate': {
      const p = position(r, n, offsets);
      return { bytes: b.slice(0, p), what: `truncated to ${p} of ${n} bytes` };
    }
    case 'insert': {
      const p = position(r, n, offsets);
      const k = 1 + r.int(16);
      const ins = Uint8Array.from({ length: k }, () => (r.chance(0.5) ? r.pick(INTERESTING) : r.int(256)));
      return { bytes: splice(b, p, 0, ins), what: `${k} bytes inserted at ${p}` };
    }
    case 'duplicate': {
      const a = position(r, n, offsets);
      const len = 1 + r.int(Math.max(1, Math.min(256, n - a)));
      const at = position(r, n, offsets);
      return { bytes: splice(b, at, 0, b.slice(a, a + len)), what: `span ${a}+${len} duplicated at ${at}` };
    }
  }
}

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

// Structure ------------------------------------------------------------------------------------

export type StructOp =
  | 'overrun'
  | 'wiretype'
  | 'drop'
  | 'dup'
  | 'dtype'
  | 'negdims'
  | 'hugedims'
  | 'segment'
  | 'elemtype0'
  | 'sparse-out-of-range'
  | 'sparse-negative'
  | 'sparse-duplicate'
  | 'sparse-unsorted'
  | 'sparse-count'
  | 'sparse-float-indices';

export interface StructResult {
  bytes: Uint8Array;
  what: string;
  /** The input must be refused (exit 2), and why accepting it is wrong. */
  mustRefuse?: string;
}

interface Located {
  msg: Msg;
  parent: Field | undefined;
  depth: number;
}

function messages(m: Msg): Located[] {
  const out: Located[] = [];
  walk(m, (msg, parent, depth) => out.push({ msg, parent, depth }));
  return out;
}

/** A tensor holding data (inline or external). */
export function holdsData(t: Msg): boolean {
  return t.fields.some(
    (f) => (f.num === 9 && (f.bytes?.length ?? 0) > 0) || [4, 5, 6, 7, 10, 11].includes(f.num) || (f.num === 14 && f.varint === 1n),
  );
}

function setVarint(m: Msg, num: number, v: bigint): void {
  m.fields = m.fields.filter((f) => f.num !== num);
  m.fields.push({ num, wt: WT.VARINT, varint: BigInt.asUintN(64, v) });
}

function setDims(m: Msg, num: number, dims: bigint[]): void {
  const at = m.fields.findIndex((f) => f.num === num);
  m.fields = m.fields.filter((f) => f.num !== num);
  const field: Field = { num, wt: WT.LEN, bytes: packVarints(dims) };
  if (dims.length === 0) return;
  m.fields.splice(at < 0 ? 0 : at, 0, field);
}

/** int64 values of a tensor (raw_data little-endian or int64_data). */
export function int64Values(t: Msg): bigint[] {
  const raw = t.fields.filter((f) => f.num === 9 && f.bytes).at(-1)?.bytes;
  if (raw) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: Math.floor(raw.length / 8) }, (_, i) => dv.getBigInt64(i * 8, true));
  }
  return ints(t, 7);
}

function setInt64Values(t: Msg, values: bigint[]): void {
  const raw = new Uint8Array(values.length * 8);
  const dv = new DataView(raw.buffer);
  values.forEach((v, i) => dv.setBigInt64(i * 8, v, true));
  const at = t.fields.findIndex((f) => f.num === 9 || f.num === 7);
  t.fields = t.fields.filter((f) => f.num !== 9 && f.num !== 7);
  t.fields.splice(at < 0 ? t.fields.length : at, 0, { num: 9, wt: WT.LEN, bytes: raw });
}

function product(dims: bigint[]): bigint {
  return dims.reduce((a, b) => a * b, 1n);
}

/** Applies one structure mutation to a copy of the model; undefined when the model has no target for it. */
export function mutateStructure(r: Rng, model: Msg, op: StructOp): StructResult | undefined {
  const m = cloneMsg(model);
  const all = messages(m);
  const tensors = all.filter((x) => x.msg.type === 'TensorProto' && holdsData(x.msg));
  const done = (what: string, mustRefuse?: string): StructResult => ({ bytes: encodeMessage(m), what, ...(mustRefuse ? { mustRefuse } : {}) });
  switch (op) {
    case 'overrun': {
      // A nested field whose length prefix claims more bytes than its enclosing message holds.
      const holders = all.filter((x) => x.msg.fields.some((f) => f.wt === WT.LEN));
      if (holders.length === 0) return undefined;
      const h = r.pick(holders);
      const lens = h.msg.fields.map((f, i) => [f, i] as const).filter(([f]) => f.wt === WT.LEN);
      const [f, i] = r.pick(lens);
      const after = encodeMessage({ type: h.msg.type, fields: h.msg.fields.slice(i + 1) }).length;
      f.lenDelta = after + 1 + r.int(8);
      return done(`${h.msg.type} field ${f.num} (#${i}) claims ${f.lenDelta} bytes more than it holds, past its enclosing message`, 'a nested field runs past the end of its enclosing message');
    }
    case 'wiretype': {
      const known: { msg: Msg; f: Field; name: string }[] = [];
      for (const x of all) for (const f of x.msg.fields) {
        const s = fieldSpec(x.msg.type, f.num);
        if (s) known.push({ msg: x.msg, f, name: `${x.msg.type}.${s.name}` });
      }
      if (known.length === 0) return undefined;
      const k = r.pick(known);
      const spec = fieldSpec(k.msg.type, k.f.num);
      if (!spec) return undefined;
      const allowed = allowedWireTypes(spec.kind);
      const choices = [WT.VARINT, WT.I64, WT.LEN, WT.I32].filter((w) => !allowed.includes(w));
      const wt = r.pick(choices);
      const old = k.f.wt;
      k.f.wt = wt;
      k.f.msg = undefined;
      k.f.lenDelta = undefined;
      if (wt === WT.VARINT) {
        k.f.bytes = undefined;
        k.f.varint = BigInt(r.int(300));
      } else {
        k.f.varint = undefined;
        const n = wt === WT.I32 ? 4 : wt === WT.I64 ? 8 : r.int(9);
        k.f.bytes = Uint8Array.from({ length: n }, () => r.int(256));
      }
      return done(`${k.name} written with wire type ${wt} instead of ${old}`, 'a known field with the wrong wire type');
    }
    case 'drop': {
      const holders = all.filter((x) => x.msg.fields.length > 0);
      const h = r.pick(holders);
      const i = r.int(h.msg.fields.length);
      const f = h.msg.fields[i];
      h.msg.fields.splice(i, 1);
      return done(`${h.msg.type} field ${f.num} (#${i}) dropped`);
    }
    case 'dup': {
      const holders = all.filter((x) => x.msg.fields.length > 0 && x.depth > 0);
      if (holders.length === 0) return undefined;
      const h = r.pick(holders);
      const i = r.int(h.msg.fields.length);
      const f = h.msg.fields[i];
      h.msg.fields.splice(i + 1, 0, { ...f, ...(f.msg ? { msg: cloneMsg(f.msg) } : {}) });
      return done(`${h.msg.type} field ${f.num} (#${i}) duplicated`);
    }
    case 'dtype': {
      if (tensors.length === 0) return undefined;
      const t = r.pick(tensors).msg;
      const v = r.pick([0n, 27n, 99n, -1n, 2147483647n]);
      setVarint(t, 2, v);
      return done(`a tensor's data_type set to ${v}`, 'a tensor holding data with an undefined data_type');
    }
    case 'negdims': {
      const ts = tensors.filter((x) => ints(x.msg, 1).length > 0);
      if (ts.length === 0) return undefined;
      const t = r.pick(ts).msg;
      const dims = ints(t, 1);
      // Negate two dims when there are two (the product still matches the data), else one.
      const a = r.int(dims.length);
      dims[a] = -dims[a] || -1n;
      if (dims.length > 1) {
        const b = (a + 1) % dims.length;
        dims[b] = -dims[b] || -1n;
      }
      setDims(t, 1, dims);
      return done(`a tensor's dims set to [${dims.join(',')}]`, 'a tensor with negative dims');
    }
    case 'hugedims': {
      if (tensors.length === 0) return undefined;
      const t = r.pick(tensors).msg;
      const dims = ints(t, 1);
      const huge = r.pick([1n << 31n, 1n << 40n, (1n << 62n) + 1n, (1n << 63n) - 1n]);
      if (dims.length === 0) dims.push(huge);
      else dims[r.int(dims.length)] = huge;
      setDims(t, 1, dims);
      return done(`a tensor's dims set to [${dims.join(',')}]`, "a tensor whose dims do not match its data");
    }
    case 'segment': {
      const ts = tensors.filter((x) => !x.msg.fields.some((f) => f.num === 14 && f.varint === 1n));
      if (ts.length === 0) return undefined;
      const t = r.pick(ts).msg;
      const dims = ints(t, 1);
      const n = product(dims);
      const grown = dims.length === 0 ? [2n] : [dims[0] * 2n + 1n, ...dims.slice(1)];
      setDims(t, 1, grown);
      t.fields.push({ num: 3, wt: WT.LEN, msg: { type: 'TensorProto.Segment', fields: [{ num: 1, wt: WT.VARINT, varint: 0n }, { num: 2, wt: WT.VARINT, varint: BigInt.asUintN(64, n) }] } });
      return done(`segment set and dims [${dims.join(',')}] → [${grown.join(',')}]`, 'a segmented tensor whose dims do not match its data');
    }
    case 'elemtype0': {
      const graph = sub(m, 7);
      const inputs = graph ? subs(graph, 11) : [];
      const typed = inputs.map((v) => sub(sub(v, 2) ?? { type: '', fields: [] }, 1)).filter((t): t is Msg => t !== undefined);
      if (typed.length === 0) return undefined;
      setVarint(r.pick(typed), 1, 0n);
      return done('a graph input elem_type set to 0');
    }
    default:
      return mutateSparse(r, m, op, done);
  }
}

function mutateSparse(r: Rng, m: Msg, op: StructOp, done: (what: string, mustRefuse?: string) => StructResult): StructResult | undefined {
  const sparse = messages(m).filter((x) => x.msg.type === 'SparseTensorProto');
  if (sparse.length === 0) return undefined;
  const s = r.pick(sparse).msg;
  const indices = sub(s, 2);
  const values = sub(s, 1);
  if (!indices || !values) return undefined;
  const dense = ints(s, 3);
  const size = product(dense);
  const idx = int64Values(indices);
  const idims = ints(indices, 1);
  if (idx.length === 0) return undefined;
  const linear = idims.length <= 1;
  const k = r.int(idx.length);
  switch (op) {
    case 'sparse-out-of-range':
      idx[k] = linear ? size + BigInt(r.int(1000)) : dense[k % dense.length] + BigInt(r.int(10));
      setInt64Values(indices, idx);
      return done(`sparse index #${k} set to ${idx[k]} (dense size ${size})`, 'a sparse index out of range');
    case 'sparse-negative':
      idx[k] = -1n - BigInt(r.int(5));
      setInt64Values(indices, idx);
      return done(`sparse index #${k} set to ${idx[k]}`, 'a negative sparse index');
    case 'sparse-duplicate': {
      if (!linear || idx.length < 2) return undefined;
      const j = Math.max(1, k);
      idx[j] = idx[j - 1];
      setInt64Values(indices, idx);
      return done(`sparse index #${j} duplicates #${j - 1}`, 'duplicate sparse indices');
    }
    case 'sparse-unsorted': {
      if (!linear || idx.length < 2) return undefined;
      const j = Math.max(1, k);
      [idx[j], idx[j - 1]] = [idx[j - 1], idx[j]];
      setInt64Values(indices, idx);
      return done(`sparse indices #${j - 1} and #${j} swapped`, 'unsorted sparse indices');
    }
    case 'sparse-count': {
      if (!linear) return undefined;
      const n = idx.length - 1 - r.int(Math.min(3, idx.length));
      setInt64Values(indices, idx.slice(0, n));
      setDims(indices, 1, [BigInt(n)]);
      return done(`${n} sparse indices for ${idx.length} values`, 'sparse indices and values of different counts');
    }
    case 'sparse-float-indices': {
      const raw = new Uint8Array(idx.length * 4);
      const dv = new DataView(raw.buffer);
      idx.forEach((v, i) => dv.setFloat32(i * 4, Number(v), true));
      indices.fields = indices.fields.filter((f) => f.num !== 9 && f.num !== 7 && f.num !== 2);
      indices.fields.push({ num: 2, wt: WT.VARINT, varint: 1n }, { num: 9, wt: WT.LEN, bytes: raw });
      return done('sparse indices stored as float32', 'sparse indices that are not integers');
    }
    default:
      return undefined;
  }
}

/** The dense dims of a sparse initializer replaced by [2^20, 2^20] (indices still in range): 2^40 elements. */
export function hugeSparse(model: Msg): Uint8Array | undefined {
  const m = cloneMsg(model);
  const s = messages(m).find((x) => x.msg.type === 'SparseTensorProto')?.msg;
  if (!s) return undefined;
  const dims = ints(s, 3);
  const size = product(dims);
  const big = [1n << 20n, 1n << 20n];
  const indices = sub(s, 2);
  if (!indices || size > product(big)) return undefined;
  setDims(s, 3, big);
  return encodeMessage(m);
}
