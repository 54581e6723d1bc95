// Datasets from NumPy files: an .npy pair (samples [N, …] and integer labels [N], told apart by
// their shapes, in any order) or one .npz archive (arrays chosen by pickNpzArrays' rule). Samples
// of floats or uint8 (pixels, scaled to 0..1) feed a float input; samples of other integer types are
// token ids (integerSamples) and feed an integer input.
import { classCount, DatasetError, type Dataset } from './dataset';
import { classIdShaped, dtypeName, npyLabels, npySamples, parseNpy, type NpyArray } from './npy';
import { openNpz, pickNpzArrays } from './npz';
import { integerValues, tokenNpz } from './token-ids';

/** Integer samples other than uint8 (which reads as pixels): token ids of a classifier. */
function isIdArray(a: NpyArray): boolean {
  return a.header.kind === 'i' || (a.header.kind === 'u' && a.header.size > 1);
}

/** "dir/test.npz" → "test.npz"; "dir/x_test.npy" → "x_test". */
function baseName(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}

function build(
  name: string,
  samples: { what: string; file: string; a: NpyArray },
  labels: { what: string; file: string; a: NpyArray },
  arrays?: { samples: string; labels: string },
): Dataset {
  const shape = samples.a.header.shape;
  if (shape.length < 2) {
    throw new DatasetError(samples.what, `has shape [${shape.join(', ')}]; samples must have shape [N, …] (one row per sample)`);
  }
  const { labels: ys, conversion: labelConversion } = npyLabels(labels.what, labels.a);
  if (ys.length !== shape[0]) {
    throw new DatasetError(labels.what, `holds ${ys.length} labels but ${samples.what} holds ${shape[0]} samples`);
  }
  if (shape[0] === 0) throw new DatasetError(samples.what, 'no samples (N = 0)');
  const sampleShape = shape.slice(1);
  const sampleSize = sampleShape.reduce((p, d) => p * d, 1);
  if (sampleSize === 0) throw new DatasetError(samples.what, `no values: each sample has shape [${sampleShape.join(', ')}]`);
  const ids = isIdArray(samples.a);
  const { values, conversion: sampleConversion } = ids ? { values: Float32Array.from(integerValues(samples.what, samples.a)), conversion: 'integer ids' } : npySamples(samples.what, samples.a);
  const conversion = [
    ...(sampleConversion ? [`${arrays ? arrays.samples : baseName(samples.file)}: ${sampleConversion}`] : []),
    ...(labelConversion ? [`${arrays ? arrays.labels : baseName(labels.file)}: ${labelConversion}`] : []),
  ].join('; ');
  return {
    name,
    file: samples.file,
    ...(labels.file !== samples.file ? { labelsFile: labels.file } : {}),
    images: values,
    labels: ys,
    count: shape[0],
    sampleShape,
    sampleSize,
    classes: classCount(ys),
    ...(conversion !== '' ? { conversion } : {}),
    ...(arrays ? { arrays } : {}),
    ...(ids ? { integerSamples: true as const } : {}),
  };
}

/** One .npz archive. */
export function parseNpzDataset(file: string, bytes: Uint8Array): Dataset {
  const npz = openNpz(file, bytes);
  const tokens = tokenNpz(file, npz);
  if (tokens) return tokens;
  const pick = pickNpzArrays(file, npz);
  const what = (n: string): string => `${file}: ${n}`;
  return build(
    baseName(file),
    { what: what(pick.samples), file, a: npz.array(pick.samples) },
    { what: what(pick.labels), file, a: npz.array(pick.labels) },
    pick,
  );
}

/** Two .npy files: the one of integer class ids ([N] or [N, 1]) holds the labels, the other the samples. */
export function parseNpyPair(files: { name: string; bytes: Uint8Array }[]): Dataset {
  const arrays = files.map((f) => ({ what: f.name, file: f.name, a: parseNpy(f.name, f.bytes) }));
  // Labels: the array of rank 1, else one of integer class ids [N, 1] (the other being the samples).
  let li = arrays.findIndex((x) => x.a.header.shape.length === 1);
  if (li < 0) li = arrays.findIndex((x) => classIdShaped(x.a.header));
  const si = arrays.findIndex((x, k) => k !== li && x.a.header.shape.length !== 1);
  if (li < 0 || si < 0) {
    const desc = arrays.map((x) => `${x.what} [${x.a.header.shape.join(', ')}] ${dtypeName(x.a.header)}`).join(' and ');
    throw new DatasetError(undefined, `${desc}: an .npy pair is samples of shape [N, …] and labels of shape [N] or [N, 1]`);
  }
  const name = baseName(arrays[si].file).replace(/\.npy$/i, '');
  return build(name, arrays[si], arrays[li]);
}
