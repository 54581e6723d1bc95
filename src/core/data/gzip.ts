// A dataset file's content: gzip (RFC 1952, any number of members, detected by the magic 1f 8b,
// not by the name) is inflated incrementally, as far as the reader asks and never past the size
// the caller allows, so that a small file inflating to gigabytes is refused after the bytes its
// header promises, not after all of them. Every member's CRC32 and ISIZE are checked, bytes after
// the last member are refused, and anything else is returned as is.
import { Gunzip } from 'fflate';
import { DatasetError } from './dataset';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as gzip stores it) of `data`, continuing from `crc` (0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** A gzip member holding no data, fed after the file's own bytes to learn where its last member ends. */
const SENTINEL = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** Compressed bytes fed per step: one step inflates to at most ~1032× this (DEFLATE's limit). */
const STEP = 16 * 1024;

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** The content of a dataset file, read as far as asked. */
export class ContentReader {
  readonly gzip: boolean;
  private out: Uint8Array;
  private length = 0;
  /** Output bytes allowed before `tooLarge` is thrown (Infinity while only the head is read). */
  private max = Infinity;
  private tooLarge = '';
  private inflater?: Gunzip;
  /** Compressed bytes fed so far (the sentinel excluded). */
  private fed = 0;
  private ended = false;
  /** Start offsets of the members after the first (the last one, once ended, is the sentinel's). */
  private readonly starts: number[] = [0];
  private memberCrc = 0;
  private memberSize = 0;
  private afterSentinel = 0;

  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array,
  ) {
    this.gzip = isGzip(bytes);
    this.out = this.gzip ? new Uint8Array(Math.min(1 << 16, Math.max(1024, bytes.length * 4))) : bytes;
    if (this.gzip) {
      this.checkHeader(0);
      const g = new Gunzip();
      g.ondata = (chunk) => this.take(chunk);
      g.onmember = (offset) => this.member(offset);
      this.inflater = g;
    } else {
      this.length = bytes.length;
      this.ended = true;
    }
  }

  /** Bytes inflated so far (for gzip: what a bound on inflation is checked against). */
  get inflated(): number {
    return this.length + this.afterSentinel;
  }

  /** At least the first `n` bytes of the content (all of it when it is shorter). */
  head(n: number): Uint8Array {
    while (this.length < n && !this.ended) this.step();
    return this.out.subarray(0, this.length);
  }

  /**
   * The whole content. For gzip, throws "NAME: <tooLarge>" as soon as the inflated content
   * exceeds `max` bytes (a plain file is returned whatever its size: it is in memory already).
   */
  all(max: number, tooLarge: string): Uint8Array {
    if (this.gzip) {
      this.max = max;
      this.tooLarge = tooLarge;
      if (this.length > max) this.refuse();
      while (!this.ended) this.step();
    }
    return this.length === this.out.length ? this.out : this.out.slice(0, this.length);
  }

  private refuse(): never {
    throw new DatasetError(this.name, this.tooLarge);
  }

  private checkHeader(at: number): void {
    const b = this.bytes;
    if (b.length - at < 10) return; // a short header is reported as truncated by the inflater
    if (b[at + 2] !== 8) throw new DatasetError(this.name, `gzip member at byte ${at} uses compression method ${b[at + 2]}, not deflate (8)`);
    if (b[at + 3] & 0xe0) throw new DatasetError(this.name, `gzip member at byte ${at} has reserved header flags set (0x${b[at + 3].toString(16)}): the data is corrupt`);
  }

  /** Inflated bytes of the current member. */
  private take(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.starts.length > 1 && this.starts[this.starts.length - 1] === this.bytes.length) {
      this.afterSentinel += chunk.length; // the data went wrong: diagnosed in finish()
      return;
    }
    this.memberCrc = crc32(chunk, this.memberCrc);
    this.memberSize += chunk.length;
    const need = this.length + chunk.length;
    if (need > this.max) this.refuse();
    if (need > this.out.length) {
      const grown = new Uint8Array(Math.min(this.max, Math.max(need, this.out.length * 2)));
      grown.set(this.out.subarray(0, this.length));
      this.out = grown;
    }
    this.out.set(chunk, this.length);
    this.length = need;
  }

  /** A new member starts at `offset`: the one before it ends with its 8-byte trailer. */
  private member(offset: number): void {
    this.checkTrailer(offset - 8, this.starts.length);
    this.starts.push(offset);
    this.memberCrc = 0;
    this.memberSize = 0;
    if (offset < this.bytes.length) this.checkHeader(offset);
  }

  private checkTrailer(at: number, index: number): void {
    const b = this.bytes;
    const what = this.starts.length > 1 || at + 8 < b.length ? `gzip member ${index} (at byte ${this.starts[index - 1]})` : 'the gzip data';
    if (at < 0 || at + 8 > b.length) throw new DatasetError(this.name, `${what} is truncated: its trailer is missing`);
    const crc = readU32(b, at);
    const size = readU32(b, at + 4);
    if (crc !== this.memberCrc) {
      throw new DatasetError(this.name, `${what} fails its CRC32 check (stored ${hex(crc)}, computed ${hex(this.memberCrc)}): the data is corrupt`);
    }
    if (size !== this.memberSize % 2 ** 32) {
      throw new DatasetError(this.name, `${what} declares ${size} bytes (ISIZE) but inflates to ${this.memberSize}: the data is corrupt`);
    }
  }

  private step(): void {
    const g = this.inflater as Gunzip;
    const b = this.bytes;
    try {
      if (this.fed < b.length) {
        const end = Math.min(b.length, this.fed + STEP);
        const chunk = b.subarray(this.fed, end);
        this.fed = end;
        g.push(chunk, false);
        return;
      }
      g.push(SENTINEL, true);
    } catch (e) {
      if (e instanceof DatasetError) throw e;
      this.diagnose((e as Error).message);
    }
    this.ended = true;
    // The sentinel must have started a member exactly at the end of the file's bytes, and held nothing.
    if (this.starts[this.starts.length - 1] !== b.length || this.afterSentinel > 0) this.diagnose('the data does not end where its last member does');
    this.starts.pop();
  }

  /** Explains an inflate failure: garbage after a complete member, or a truncated / corrupt member. */
  private diagnose(detail: string): never {
    const b = this.bytes;
    const from = this.starts[this.starts.length - 1];
    if (from === b.length) throw new DatasetError(this.name, `the gzip data is corrupt (${detail})`);
    // The current member's trailer (CRC32 and ISIZE of what it inflated to), if it is complete.
    const crc = this.memberCrc;
    const size = this.memberSize % 2 ** 32;
    for (let at = from + 10; at + 8 <= b.length; at++) {
      if (readU32(b, at) === crc && readU32(b, at + 4) === size) {
        const extra = b.length - (at + 8);
        if (extra > 0) throw new DatasetError(this.name, `${extra} bytes after the end of the gzip data (from byte ${at + 8}) are not gzip: the file is damaged`);
        break;
      }
    }
    throw new DatasetError(this.name, `the gzip data is truncated or corrupt (${detail})`);
  }
}

/** The file's whole content, gunzipped when it is gzip (decided by the magic, not by the name). */
export function maybeGunzip(name: string, bytes: Uint8Array, max = Infinity, tooLarge = 'decompresses to more bytes than allowed'): Uint8Array {
  return new ContentReader(name, bytes).all(max, tooLarge);
}
