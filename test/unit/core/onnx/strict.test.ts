// Protobuf structure is checked as strictly as protobuf's C++ parser (onnx.load) checks it: a nested
// field running past the end of its message, and a known field with the wrong wire type, are errors
// naming the file and the field path, not a silently mis-read model. (Each mutation below was also
// fed to python3-onnx 1.12's onnx.load, which rejects it, "Error parsing message", except the graph
// tagged as a varint: C++ keeps a known field of the wrong wire type as an unknown field and read
// the graph's bytes as top-level fields. Here every known field of the wrong wire type is refused.)
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeModel, decodeTensor } from '../../../../src/core/onnx/decode';
import { OnnxError } from '../../../../src/core/onnx/errors';
import { readBytes } from './corpus';
import { fBytes, fString, fVarint, varint } from './wire';
import { thrownBy } from '../../../support/errors';

const SAMPLE = path.resolve(__dirname, '../../../../resources/sample-mlp.onnx');

interface Field {
  no: number;
  wt: number;
  /** Offset of the tag. */
  start: number;
  /** Offset of the length prefix (length-delimited only). */
  lenAt: number;
  bodyStart: number;
  end: number;
}

/** The fields of the message in bytes[from, to): a minimal reader of the wire format, for locating. */
function fields(bytes: Uint8Array, from: number, to: number): Field[] {
  const out: Field[] = [];
  let p = from;
  const vint = (): number => {
    let v = 0;
    let s = 1;
    for (;;) {
      const b = bytes[p++];
      v += (b & 0x7f) * s;
      s *= 128;
      if (!(b & 0x80)) return v;
    }
  };
  while (p < to) {
    const start = p;
    const tag = vint();
    const no = Math.floor(tag / 8);
    const wt = tag % 8;
    const lenAt = p;
    let bodyStart = p;
    if (wt === 0) vint();
    else if (wt === 1) p += 8;
    else if (wt === 5) p += 4;
    else if (wt === 2) {
      const len = vint();
      bodyStart = p;
      p += len;
    } else throw new Error(`unexpected wire type ${wt}`);
    out.push({ no, wt, start, lenAt, bodyStart, end: p });
  }
  return out;
}

function sub(bytes: Uint8Array, f: Field): Field[] {
  return fields(bytes, f.bodyStart, f.end);
}

const errorOf = (fn: () => unknown): OnnxError => thrownBy(fn, OnnxError);

const sample = readBytes(SAMPLE);
const graph = fields(sample, 0, sample.length).find((f) => f.no === 7)!;
const nodes = sub(sample, graph).filter((f) => f.no === 1);
const inits = sub(sample, graph).filter((f) => f.no === 5);

describe('strict protobuf structure', () => {
  test('the sample model itself decodes (the check accepts what every writer writes)', () => {
    expect(decodeModel(sample, 'sample-mlp.onnx').graph.nodes.length).toBe(nodes.length);
  });

  test("a node whose length runs into the next node is refused, naming the node, not mis-read", () => {
    expect(nodes.length).toBeGreaterThan(1);
    const n0 = nodes[0];
    const len = n0.end - n0.bodyStart;
    expect(len).toBeLessThan(127); // a one-byte length, so the edit keeps every offset
    for (const extra of [1, 2, 3, 5, 8]) {
      const bad = sample.slice();
      bad[n0.lenAt] = len + extra;
      const e = errorOf(() => decodeModel(bad, 'mlp.onnx'));
      expect(e.code).toBe('not-onnx');
      expect(e.file).toBe('mlp.onnx');
      expect(e.message).toMatch(/^mlp\.onnx: graph\.node\[0\](\.\w+(\[\d+\])?)? \(at byte \d+\): .*past the end of its (enclosing )?message( at byte \d+)?; not a valid ONNX model$/);
    }
  });

  test('a string field running past its node (node length shortened) is refused', () => {
    const n1 = nodes[1];
    const len = n1.end - n1.bodyStart;
    const bad = sample.slice();
    bad[n1.lenAt] = len - 2;
    const e = errorOf(() => decodeModel(bad, 'mlp.onnx'));
    expect(e.message).toMatch(/^mlp\.onnx: graph\.node\[1\]\.\w+(\[\d+\])? \(at byte \d+\): declares \d+ bytes from byte \d+, past the end of its enclosing message at byte \d+/);
  });

  test('a known field with the wrong wire type is refused with its path', () => {
    // node[2].op_type (field 4, a string) tagged as a varint.
    const op = sub(sample, nodes[2]).find((f) => f.no === 4)!;
    const bad = sample.slice();
    bad[op.start] = (4 << 3) | 0;
    const e = errorOf(() => decodeModel(bad, 'mlp.onnx'));
    expect(e.code).toBe('not-onnx');
    expect(e.message).toMatch(/^mlp\.onnx: graph\.node\[2\]\.op_type \(at byte \d+\): wrong wire type varint \(string field: expected length-delimited\); not a valid ONNX model$/);

    // initializer[1].raw_data (field 9, bytes) tagged as 64-bit.
    const raw = sub(sample, inits[1]).find((f) => f.no === 9)!;
    const bad2 = sample.slice();
    bad2[raw.start] = (9 << 3) | 1;
    expect(errorOf(() => decodeModel(bad2, 'mlp.onnx')).message).toMatch(/^mlp\.onnx: graph\.initializer\[1\]\.raw_data \(at byte \d+\): wrong wire type 64-bit/);

    // initializer[0].data_type (field 2, an enum) as length-delimited.
    const dt = sub(sample, inits[0]).find((f) => f.no === 2)!;
    const bad3 = sample.slice();
    bad3[dt.start] = (2 << 3) | 2;
    expect(errorOf(() => decodeModel(bad3, 'mlp.onnx')).message).toMatch(/^mlp\.onnx: graph\.initializer\[0\]\.data_type \(at byte \d+\): wrong wire type length-delimited \(int32 field: expected varint\)/);

    // the graph itself (field 7, a message) as a varint.
    const bad4 = sample.slice();
    bad4[graph.start] = (7 << 3) | 0;
    expect(errorOf(() => decodeModel(bad4, 'mlp.onnx')).message).toMatch(/^mlp\.onnx: graph \(at byte \d+\): wrong wire type varint/);
  });

  test('repeated numbers are accepted packed or not (as every protobuf parser does); a packed list of partial elements is not', () => {
    const body = (dimsField: number[]) => new Uint8Array([...dimsField, ...fVarint(2, 1), ...fString(8, 'w'), ...fBytes(9, new Uint8Array(24))]);
    const unpacked = body([...fVarint(1, 2), ...fVarint(1, 3)]);
    const packed = body(fBytes(1, [2, 3]));
    expect(decodeTensor(unpacked, 't.pb').dims).toEqual([2, 3]);
    expect(decodeTensor(packed, 't.pb').dims).toEqual([2, 3]);
    // float_data (field 4, packed floats) of 6 bytes: one and a half floats.
    const half = new Uint8Array([...fVarint(1, 1), ...fVarint(2, 1), ...fBytes(4, [0, 0, 0x80, 0x3f, 0, 0])]);
    expect(errorOf(() => decodeTensor(half, 'half.pb')).message).toMatch(/^half\.pb: float_data \(at byte \d+\): a packed list of 6 bytes is not a whole number of 4-byte elements/);
  });

  test('unknown fields are still kept (skipped structurally, bounds checked)', () => {
    const t = new Uint8Array([...fVarint(1, 1), ...fVarint(2, 1), ...fBytes(4, [0, 0, 0x80, 0x3f]), ...varint((99 << 3) | 2), 2, 7, 7]);
    expect(decodeTensor(t, 'u.pb').preserved).toBeDefined();
    const over = new Uint8Array([...fBytes(3, [...varint((99 << 3) | 2), 5, 1, 2]), ...fString(8, 'w')]);
    // a SegmentProto (field 3) holding an unknown field that claims more bytes than the segment has.
    expect(errorOf(() => decodeTensor(over, 'seg.pb')).message).toMatch(/^seg\.pb: segment\.<field 99> \(at byte \d+\): declares 5 bytes/);
  });
});
