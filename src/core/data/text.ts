// The experiment's text format: one sample per line, its values separated by spaces, commas or
// tabs, then an integer label. Blank lines are ignored; every line must hold the same number of
// values. Values are kept exactly as written: a file of 0..255 integers stays 0..255, a file of
// 0..1 floats stays 0..1 (scale the file to what the model was trained on).
import { classCount, DatasetError, type Dataset } from './dataset';

const SEPARATORS = /[\s,]+/;

export function parseTextDataset(name: string, bytes: Uint8Array): Dataset {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetError(name, 'is neither an IDX file nor UTF-8 text');
  }
  const lines = text.split(/\r?\n/);
  let width = -1;
  let count = 0;
  const values: number[] = [];
  const labels: number[] = [];
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].trim();
    if (line === '') continue;
    const tokens = line.split(SEPARATORS);
    if (tokens.length < 2) {
      throw new DatasetError(name, `line ${li + 1} has ${tokens.length} value; a sample line needs its values then a label`);
    }
    if (width < 0) width = tokens.length;
    else if (tokens.length !== width) {
      throw new DatasetError(
        name,
        `line ${li + 1} has ${tokens.length} values, the lines before it have ${width} (every line: the sample's values, then its label)`,
      );
    }
    for (let t = 0; t < tokens.length - 1; t++) {
      const v = Number(tokens[t]);
      if (!Number.isFinite(v)) throw new DatasetError(name, `line ${li + 1}, value ${t + 1}: "${short(tokens[t])}" is not a number`);
      values.push(v);
    }
    const labelToken = tokens[tokens.length - 1];
    const label = Number(labelToken);
    if (!Number.isInteger(label) || label < 0 || label > 0x7fffffff) {
      throw new DatasetError(name, `line ${li + 1}: the label "${short(labelToken)}" (the last value) is not a non-negative integer`);
    }
    labels.push(label);
    count++;
  }
  if (count === 0) throw new DatasetError(name, 'holds no samples (no non-blank lines)');
  const labelArray = Int32Array.from(labels);
  return {
    name: name.replace(/^.*[\\/]/, ''),
    images: Float32Array.from(values),
    labels: labelArray,
    count,
    sampleShape: [width - 1],
    sampleSize: width - 1,
    classes: classCount(labelArray),
  };
}

function short(s: string): string {
  return s.length > 20 ? s.slice(0, 20) + '…' : s;
}
