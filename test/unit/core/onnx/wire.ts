// A tiny protobuf wire writer for tests: builds TensorProto/ModelProto bytes by hand, independently
// of the encoder under test.

export function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}

/** A field with a varint value. */
export function fVarint(no: number, v: number | bigint): number[] {
  return [...varint(no << 3), ...varint(v)];
}

/** A length-delimited field (bytes, string, sub-message, packed repeated). */
export function fBytes(no: number, body: ArrayLike<number>): number[] {
  return [...varint((no << 3) | 2), ...varint(body.length), ...Array.from(body)];
}

export function fString(no: number, s: string): number[] {
  return fBytes(no, new TextEncoder().encode(s));
}

export function leFloat32(values: number[]): number[] {
  const dv = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return Array.from(new Uint8Array(dv.buffer));
}

export function leFloat64(values: number[]): number[] {
  const dv = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => dv.setFloat64(i * 8, v, true));
  return Array.from(new Uint8Array(dv.buffer));
}

export function leInt64(values: bigint[]): number[] {
  const dv = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => dv.setBigInt64(i * 8, v, true));
  return Array.from(new Uint8Array(dv.buffer));
}

/** Bytes placed at `offset` inside a larger buffer, returned as a view (to control alignment). */
export function at(offset: number, bytes: number[]): Uint8Array {
  const buf = new Uint8Array(offset + bytes.length + 8);
  buf.set(bytes, offset);
  return buf.subarray(offset, offset + bytes.length);
}
