// NumPy files built byte by byte for tests, following the NPY format spec (numpy.lib.format) and
// the ZIP spec (PKWARE APPNOTE.TXT): independent of the readers under test.
import { crc32, deflateRawSync } from 'node:zlib';

/** An .npy file: magic, version, header length (2 bytes in 1.0, 4 in 2.0/3.0), dict padded to 64, data. */
export function npy(descr: string, shape: number[], data: Uint8Array, opts: { version?: number; fortran?: boolean } = {}): Uint8Array {
  const version = opts.version ?? 1;
  const lenBytes = version === 1 ? 2 : 4;
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${tuple}, }`;
  while ((6 + 2 + lenBytes + dict.length + 1) % 64 !== 0) dict += ' ';
  dict += '\n';
  const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([version, 0])]);
  const len = Buffer.alloc(lenBytes);
  if (lenBytes === 2) len.writeUInt16LE(dict.length);
  else len.writeUInt32LE(dict.length);
  return new Uint8Array(Buffer.concat([head, len, Buffer.from(dict, 'latin1'), Buffer.from(data)]));
}

/** A ZIP archive of the given entries, stored (method 0) or deflated (method 8). */
export function zip(files: { name: string; data: Uint8Array }[], method: 0 | 8 = 0): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const body = method === 8 ? deflateRawSync(f.data) : Buffer.from(f.data);
    const name = Buffer.from(f.name);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}
