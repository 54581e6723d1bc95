// Reading a dataset from its files: an IDX pair (images + labels, gzipped or not) or one text file.
import { classCount, DatasetError, type Dataset } from './dataset';
import { maybeGunzip } from './gzip';
import { looksLikeIdx, parseIdx, type IdxImages, type IdxLabels } from './idx';
import { parseTextDataset } from './text';

export interface DatasetFile {
  /** The file's name or path, used in messages and for the dataset's name. */
  name: string;
  bytes: Uint8Array;
}

/**
 * One text file, or two IDX files (one of images, one of labels, in any order: which is which
 * is decided by the IDX header, not the name). Gzip is detected by its magic number.
 */
export function parseDataset(files: DatasetFile[]): Dataset {
  if (files.length === 0) throw new DatasetError(undefined, 'no dataset files given');
  if (files.length > 2) {
    throw new DatasetError(undefined, `${files.length} files given (${files.map((f) => f.name).join(', ')}): a dataset is one text file or an IDX images + labels pair`);
  }
  const plain = files.map((f) => ({ name: f.name, bytes: maybeGunzip(f.name, f.bytes) }));
  if (plain.length === 1) {
    const f = plain[0];
    if (looksLikeIdx(f.bytes)) {
      const idx = parseIdx(f.name, f.bytes);
      throw new DatasetError(
        f.name,
        `is an IDX ${idx.kind} file; give it together with its ${idx.kind === 'images' ? 'labels' : 'images'} file`,
      );
    }
    return parseTextDataset(f.name, f.bytes);
  }
  const parsed = plain.map((f) => parseIdx(f.name, f.bytes));
  const imagesAt = parsed.findIndex((p) => p.kind === 'images');
  const labelsAt = parsed.findIndex((p) => p.kind === 'labels');
  if (imagesAt < 0 || labelsAt < 0) {
    const kind = parsed[0].kind;
    throw new DatasetError(
      undefined,
      `${plain[0].name} and ${plain[1].name} are both IDX ${kind} files (${kind === 'images' ? 'two or more dimensions' : 'one dimension'}); a pair must be one images file and one labels file`,
    );
  }
  const images = parsed[imagesAt] as IdxImages;
  const labels = parsed[labelsAt] as IdxLabels;
  if (images.count !== labels.count) {
    throw new DatasetError(
      undefined,
      `${plain[imagesAt].name} holds ${images.count} images but ${plain[labelsAt].name} holds ${labels.count} labels`,
    );
  }
  let sampleSize = 1;
  for (const d of images.sampleShape) sampleSize *= d;
  return {
    name: datasetName(plain[imagesAt].name),
    images: images.values,
    labels: labels.labels,
    count: images.count,
    sampleShape: images.sampleShape,
    sampleSize,
    classes: classCount(labels.labels),
  };
}

/** "…/t10k-images-idx3-ubyte.gz" → "t10k"; other names lose their folder only. */
export function datasetName(path: string): string {
  const base = path.replace(/^.*[\\/]/, '');
  const m = /^(.*?)[-_.]images?[-_.]idx\d[-_.]ubyte(\.gz)?$/i.exec(base);
  return m && m[1] !== '' ? m[1] : base;
}

/** The model input a dataset is checked against: its dims (batch first) and optionally its type text. */
export interface ModelInputShape {
  dims: (number | string | null)[];
  /** Display type such as "float32[N,3,32,32]"; built from dims when absent. */
  type?: string;
}

/**
 * Throws a DatasetError unless every sample has as many values as the model input's non-batch
 * dimensions hold (a symbolic or unknown non-batch dim accepts any size that its fixed dims divide)
 * and every label is below `classes`.
 */
export function checkDatasetFits(ds: Dataset, modelInput: ModelInputShape, classes: number): void {
  const rest = modelInput.dims.slice(1);
  const typeText = modelInput.type ?? `[${modelInput.dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
  let fixed = 1;
  let free = false;
  for (const d of rest) {
    if (typeof d === 'number' && d >= 0) fixed *= d;
    else free = true;
  }
  const fits = free ? fixed > 0 && ds.sampleSize % fixed === 0 : ds.sampleSize === fixed;
  if (!fits) {
    const needs = free ? `a multiple of ${fixed}` : `${fixed}`;
    throw new DatasetError(ds.name, `samples have ${ds.sampleSize} values, the model input ${typeText} needs ${needs}`);
  }
  let maxLabel = -1;
  for (let i = 0; i < ds.labels.length; i++) if (ds.labels[i] > maxLabel) maxLabel = ds.labels[i];
  if (maxLabel >= classes) {
    throw new DatasetError(ds.name, `labels go up to ${maxLabel} but the model has ${classes} outputs`);
  }
}
