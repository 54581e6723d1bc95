// NumPy's .npz: a ZIP archive (APPNOTE.TXT) of .npy files, stored (np.savez) or deflated
// (np.savez_compressed). Entries are found through the central directory (ZIP64 extra fields of
// entries are honoured; archives needing a ZIP64 end record, over 4 GiB or 65,535 entries, are
// refused), each entry's CRC-32 is checked.
//
// Which arrays are the samples and the labels, in this order of preference:
//   1. arrays named alike: x and y (X / Y, images / labels, inputs / targets), with the same
//      suffix (x_test and y_test);
//   2. otherwise two arrays of the same first dimension N, one of integer class ids [N] or [N, 1]
//      (the labels), the other of shape [N, …] (the samples).
// An archive with two such pairs (Keras' mnist.npz: x_train, y_train, x_test, y_test) is refused,
// naming them: which split to use is the user's choice, never guessed.
import { inflateSync } from 'fflate';
import { DatasetError } from './dataset';
import { crc32 } from './gzip';
import { classIdShaped, parseNpy, parseNpyHeader, type NpyArray } from './npy';

/** True when the bytes start like a ZIP archive (a local file header, or an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

interface Entry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** The archive's entries from its central directory. */
function entries(file: string, b: Uint8Array): Entry[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let at = b.length - 22; at >= Math.max(0, b.length - 22 - 0xffff); at--) {
    if (v.getUint32(at, true) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new DatasetError(file, 'truncated or not a ZIP archive: its end-of-central-directory record is missing');
  const count = v.getUint16(eocd + 10, true);
  const cdSize = v.getUint32(eocd + 12, true);
  const cdOffset = v.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new DatasetError(file, 'is a ZIP64 archive (over 4 GiB or 65,535 arrays), not read here');
  if (cdOffset + cdSize > eocd) throw new DatasetError(file, 'truncated: the ZIP central directory lies past the end of the data');
  const out: Entry[] = [];
  let at = cdOffset;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || v.getUint32(at, true) !== 0x02014b50) throw new DatasetError(file, `the ZIP central directory is damaged at entry ${i + 1}`);
    const nameLen = v.getUint16(at + 28, true);
    const extraLen = v.getUint16(at + 30, true);
    const commentLen = v.getUint16(at + 32, true);
    const e: Entry = {
      name: decoder.decode(b.subarray(at + 46, at + 46 + nameLen)),
      flags: v.getUint16(at + 8, true),
      method: v.getUint16(at + 10, true),
      crc: v.getUint32(at + 16, true),
      compressed: v.getUint32(at + 20, true),
      size: v.getUint32(at + 24, true),
      offset: v.getUint32(at + 42, true),
    };
    // ZIP64 extended information (header id 1): the 8-byte values of the fields stored as 0xffffffff, in order.
    let x = at + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = v.getUint16(x, true);
      const len = v.getUint16(x + 2, true);
      if (id === 1) {
        let p = x + 4;
        const big = (): number => {
          const n = Number(v.getBigUint64(p, true));
          p += 8;
          return n;
        };
        if (e.size === 0xffffffff) e.size = big();
        if (e.compressed === 0xffffffff) e.compressed = big();
        if (e.offset === 0xffffffff) e.offset = big();
      }
      x += 4 + len;
    }
    out.push(e);
    at = xEnd + commentLen;
  }
  return out;
}

/** The uncompressed bytes of one entry, CRC-checked. */
function content(file: string, b: Uint8Array, e: Entry): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const where = `${file}: ${e.name}`;
  if (e.flags & 1) throw new DatasetError(where, 'is encrypted; save the arrays without a password');
  if (e.offset + 30 > b.length || v.getUint32(e.offset, true) !== 0x04034b50) throw new DatasetError(where, 'its local ZIP header is missing: the archive is damaged');
  const start = e.offset + 30 + v.getUint16(e.offset + 26, true) + v.getUint16(e.offset + 28, true);
  if (start + e.compressed > b.length) throw new DatasetError(where, `truncated: ${e.compressed} compressed bytes declared, ${Math.max(0, b.length - start)} present`);
  const raw = b.subarray(start, start + e.compressed);
  let data: Uint8Array;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    try {
      data = inflateSync(raw, { out: new Uint8Array(e.size) });
    } catch (err) {
      throw new DatasetError(where, `the deflated data is corrupt (${(err as Error).message})`);
    }
  } else throw new DatasetError(where, `uses ZIP compression method ${e.method}; only stored (np.savez) and deflate (np.savez_compressed) are read`);
  if (data.length !== e.size) throw new DatasetError(where, `inflates to ${data.length} bytes, the archive declares ${e.size}: the data is corrupt`);
  if (crc32(data) !== e.crc) throw new DatasetError(where, 'fails its CRC-32 check: the data is corrupt');
  return data;
}

/** The arrays of an .npz archive, by name without ".npy", in archive order (read lazily). */
export interface NpzArchive {
  names: string[];
  /** The header of an array (reads its entry). */
  header(name: string): ReturnType<typeof parseNpyHeader>;
  array(name: string): NpyArray;
}

export function openNpz(file: string, bytes: Uint8Array): NpzArchive {
  const list = entries(file, bytes).filter((e) => !e.name.endsWith('/'));
  const byName = new Map<string, Entry>();
  for (const e of list) {
    if (!e.name.endsWith('.npy')) throw new DatasetError(file, `holds ${e.name}, not an .npy array: an .npz archive holds .npy files only`);
    byName.set(e.name.slice(0, -4), e);
  }
  const cache = new Map<string, Uint8Array>();
  const bytesOf = (name: string): Uint8Array => {
    let c = cache.get(name);
    if (!c) {
      const e = byName.get(name);
      if (!e) throw new DatasetError(file, `has no array named ${name}`);
      c = content(file, bytes, e);
      cache.set(name, c);
    }
    return c;
  };
  return {
    names: [...byName.keys()],
    header: (name) => parseNpyHeader(`${file}: ${name}`, bytesOf(name)),
    array: (name) => parseNpy(`${file}: ${name}`, bytesOf(name)),
  };
}

const SAMPLE_NAMES = ['x', 'X', 'images', 'inputs'];
const LABEL_NAMES = ['y', 'Y', 'labels', 'targets'];

/** The sample and label array names of an archive by the rule above; throws saying what it holds. */
export function pickNpzArrays(file: string, npz: NpzArchive): { samples: string; labels: string } {
  const has = (n: string): boolean => npz.names.includes(n);
  const named: { samples: string; labels: string }[] = [];
  for (const n of npz.names) {
    const prefix = SAMPLE_NAMES.find((p) => n === p || n.startsWith(`${p}_`));
    if (prefix === undefined) continue;
    const suffix = n.slice(prefix.length);
    const label = LABEL_NAMES.map((l) => `${l}${suffix}`).find(has);
    if (label !== undefined) named.push({ samples: n, labels: label });
  }
  const shapes = npz.names.map((n) => ({ n, h: npz.header(n) }));
  const byShape: { samples: string; labels: string }[] = [];
  if (named.length === 0) {
    for (const a of shapes) {
      for (const b of shapes) {
        if (a === b || a.h.shape.length < 2 || a.h.shape[0] !== b.h.shape[0] || !classIdShaped(b.h)) continue;
        byShape.push({ samples: a.n, labels: b.n });
      }
    }
  }
  const pairs = named.length > 0 ? named : byShape;
  if (pairs.length === 1) return pairs[0];
  if (pairs.length > 1) {
    const list = pairs.map((p) => `${p.samples} / ${p.labels}`).join(', ');
    throw new DatasetError(file, `holds ${pairs.length} sample / label pairs (${list}); save the split to use on its own, e.g. np.savez('test.npz', x=x_test, y=y_test)`);
  }
  const held = shapes.length === 0 ? 'no arrays' : shapes.map((s) => `${s.n} [${s.h.shape.join(', ')}]`).join(', ');
  throw new DatasetError(
    file,
    `holds ${held}; expected arrays x and y (or images and labels), or samples [N, …] with integer labels [N] (np.savez(f, x=samples, y=labels))`,
  );
}
