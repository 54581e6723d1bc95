// The experiment's text format: one sample per line, its values separated by spaces, commas or
// tabs, then an integer label. Blank lines are ignored; every line must hold the same number of
// values. Values are kept exactly as written: a file of 0..255 integers stays 0..255, a file of
// 0..1 floats stays 0..1 (scale the file to what the model was trained on).
// Values are decimal numbers only: digits with an optional sign, point and exponent ("0x1", "0b1",
// "Infinity" and empty fields between commas are refused with their line and column).
// Parsed from the bytes directly (tens of MB for 10,000 MNIST lines): plain decimals are converted
// exactly (integer / power of ten, both exact doubles, one correctly rounded division), anything
// else (exponents, long mantissas) goes through Number() once it matches the decimal grammar.
import { classCount, DatasetError, type Dataset } from './dataset';

const SPACE = 0x20, TAB = 0x09, COMMA = 0x2c, CR = 0x0d, LF = 0x0a;
const POW10: number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** The largest text dataset read (1 GiB): a sample line of 784 values takes a few kB. */
export const MAX_TEXT_BYTES = 2 ** 30;

/** A decimal number as the text format allows it. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

const decoder = new TextDecoder('utf-8');

/** The token's value, or NaN when it is not a finite decimal number. */
function parseToken(b: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (b[i] === 0x2d || b[i] === 0x2b) {
    neg = b[i] === 0x2d;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  for (; i < end; i++) {
    const c = b[i];
    if (c >= 0x30 && c <= 0x39) {
      mant = mant * 10 + (c - 0x30);
      digits++;
      if (seenDot) frac++;
    } else if (c === 0x2e && !seenDot) {
      seenDot = true;
    } else break;
  }
  if (i === end && digits > 0 && digits <= 15 && frac <= 22) {
    const v = frac === 0 ? mant : mant / POW10[frac];
    return neg ? -v : v;
  }
  const text = decoder.decode(b.subarray(start, end));
  if (!DECIMAL.test(text)) return NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : NaN;
}

/** Throws unless the bytes are UTF-8 (checked in pieces: the text may be longer than a string may be). */
function checkUtf8(name: string, bytes: Uint8Array): void {
  const check = new TextDecoder('utf-8', { fatal: true });
  try {
    const step = 1 << 20;
    for (let at = 0; at < bytes.length; at += step) check.decode(bytes.subarray(at, at + step), { stream: true });
    check.decode();
  } catch {
    throw new DatasetError(name, 'is neither an IDX file nor UTF-8 text');
  }
}

export function parseTextDataset(name: string, bytes: Uint8Array): Dataset {
  if (bytes.length > MAX_TEXT_BYTES) throw new DatasetError(name, `is ${bytes.length} bytes, more than the ${MAX_TEXT_BYTES} a text dataset may hold`);
  checkUtf8(name, bytes);
  const tokenText = (s: number, e: number): string => {
    const t = decoder.decode(bytes.subarray(s, e));
    return t.length > 20 ? t.slice(0, 20) + '…' : t;
  };
  let values = new Float32Array(1 << 16);
  let used = 0;
  const labels: number[] = [];
  let width = -1;
  let lineNo = 0;
  let pos = 0;
  const n = bytes.length;
  /** "line L, column C" of the byte at `at` in the line starting at `lineStart` (columns count characters from 1). */
  const where = (lineStart: number, at: number): string => `line ${lineNo}, column ${decoder.decode(bytes.subarray(lineStart, at)).length + 1}`;
  while (pos < n) {
    lineNo++;
    const lineStart = pos;
    let lineEnd = bytes.indexOf(LF, pos);
    if (lineEnd < 0) lineEnd = n;
    // Tokens of this line: the last one is the label. A comma separates two fields: neither may be empty.
    let count = 0;
    let lastStart = -1;
    let lastEnd = -1;
    let fieldOpen = false; // a comma was seen and no token after it yet
    let commaAt = -1;
    let i = pos;
    while (i < lineEnd) {
      const c = bytes[i];
      if (isBlank(c)) {
        i++;
        continue;
      }
      if (c === COMMA) {
        if (fieldOpen || count === 0) throw new DatasetError(name, `${where(lineStart, i)}: an empty value before this comma`);
        fieldOpen = true;
        commaAt = i;
        i++;
        continue;
      }
      const s = i;
      while (i < lineEnd && !isBlank(bytes[i]) && bytes[i] !== COMMA) i++;
      fieldOpen = false;
      if (lastStart >= 0) {
        // the previous token was a value, not the label
        const v = parseToken(bytes, lastStart, lastEnd);
        if (Number.isNaN(v)) throw new DatasetError(name, `${where(lineStart, lastStart)} (value ${count}): "${tokenText(lastStart, lastEnd)}" is not a number (values are decimal numbers)`);
        if (used === values.length) {
          const grown = new Float32Array(values.length * 2);
          grown.set(values);
          values = grown;
        }
        values[used++] = v;
      }
      lastStart = s;
      lastEnd = i;
      count++;
    }
    if (fieldOpen) throw new DatasetError(name, `${where(lineStart, commaAt)}: an empty value after this comma`);
    pos = lineEnd + 1;
    if (count === 0) continue;
    if (count < 2) throw new DatasetError(name, `line ${lineNo} has ${count} value; a sample line needs its values then a label`);
    if (width < 0) width = count;
    else if (count !== width) {
      throw new DatasetError(name, `line ${lineNo} has ${count} values, the lines before it have ${width} (every line: the sample's values, then its label)`);
    }
    const label = parseToken(bytes, lastStart, lastEnd);
    if (!Number.isInteger(label) || label < 0 || label > 0x7fffffff) {
      throw new DatasetError(name, `${where(lineStart, lastStart)}: the label "${tokenText(lastStart, lastEnd)}" (the last value) is not a non-negative integer`);
    }
    labels.push(label);
  }
  if (labels.length === 0) throw new DatasetError(name, 'no samples (the file has no non-blank lines)');
  const labelArray = Int32Array.from(labels);
  return {
    name: name.replace(/^.*[\\/]/, ''),
    file: name,
    images: values.slice(0, used),
    labels: labelArray,
    count: labels.length,
    sampleShape: [width - 1],
    sampleSize: width - 1,
    classes: classCount(labelArray),
  };
}
