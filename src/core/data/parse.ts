// Reading a dataset from its files: an IDX pair (images + labels, gzipped or not) or one text file.
// IDX headers are read first (inflating only their bytes) so that a pair that cannot match is
// refused before its data is inflated, and each file is inflated no further than its header says.
import { classCount, DatasetError, type Dataset } from './dataset';
import { ContentReader } from './gzip';
import { idxHeaderBytes, looksLikeIdx, parseIdx, parseIdxHeader, type IdxHeader, type IdxImages, type IdxLabels } from './idx';
import { MAX_TEXT_BYTES, parseTextDataset } from './text';

export interface DatasetFile {
  /** The file's name or path, used in messages and for the dataset's name. */
  name: string;
  bytes: Uint8Array;
}

/** The IDX header of a file, inflating no more than it needs; undefined when the file is not IDX. */
function idxHeaderOf(reader: ContentReader): IdxHeader | undefined {
  const head = reader.head(4);
  if (!looksLikeIdx(head)) return undefined;
  return parseIdxHeader(reader.name, reader.head(idxHeaderBytes(head)));
}

/** The whole of an IDX file whose header is known: refused as soon as it inflates past what the header declares. */
function idxContent(reader: ContentReader, header: IdxHeader): Uint8Array {
  return reader.all(header.fileBytes, `decompresses to more than its header declares (${header.fileBytes} bytes for dimensions [${header.dims.join(', ')}])`);
}

/**
 * One text file, or two IDX files (one of images, one of labels, in any order: which is which
 * is decided by the IDX header, not the name). Gzip is detected by its magic number. A dataset
 * without samples is refused.
 */
export function parseDataset(files: DatasetFile[]): Dataset {
  if (files.length === 0) throw new DatasetError(undefined, 'no dataset files given');
  if (files.length > 2) {
    throw new DatasetError(undefined, `${files.length} files given (${files.map((f) => f.name).join(', ')}): a dataset is one text file or an IDX images + labels pair`);
  }
  const readers = files.map((f) => new ContentReader(f.name, f.bytes));
  if (readers.length === 1) {
    const r = readers[0];
    const header = idxHeaderOf(r);
    if (header) {
      throw new DatasetError(r.name, `is an IDX ${header.kind} file; give it together with its ${header.kind === 'images' ? 'labels' : 'images'} file`);
    }
    return parseTextDataset(r.name, r.all(MAX_TEXT_BYTES, `decompresses to more than ${MAX_TEXT_BYTES} bytes, the most a text dataset may hold`));
  }
  const headers = readers.map((r) => {
    const h = idxHeaderOf(r);
    if (!h) parseIdxHeader(r.name, r.head(4)); // throws: the wrong magic number
    return h as IdxHeader;
  });
  const imagesAt = headers.findIndex((h) => h.kind === 'images');
  const labelsAt = headers.findIndex((h) => h.kind === 'labels');
  if (imagesAt < 0 || labelsAt < 0) {
    const kind = headers[0].kind;
    throw new DatasetError(
      undefined,
      `${readers[0].name} and ${readers[1].name} are both IDX ${kind} files (${kind === 'images' ? 'two or more dimensions' : 'one dimension'}); a pair must be one images file and one labels file`,
    );
  }
  const imagesFile = readers[imagesAt].name;
  const labelsFile = readers[labelsAt].name;
  if (headers[imagesAt].count !== headers[labelsAt].count) {
    throw new DatasetError(labelsFile, `holds ${headers[labelsAt].count} labels but ${imagesFile} holds ${headers[imagesAt].count} images`);
  }
  if (headers[imagesAt].count === 0) throw new DatasetError(imagesFile, 'no samples (the IDX header declares 0 images)');
  const images = parseIdx(imagesFile, idxContent(readers[imagesAt], headers[imagesAt])) as IdxImages;
  const labels = parseIdx(labelsFile, idxContent(readers[labelsAt], headers[labelsAt])) as IdxLabels;
  let sampleSize = 1;
  for (const d of images.sampleShape) sampleSize *= d;
  if (sampleSize === 0) throw new DatasetError(imagesFile, `no samples: each image has dimensions [${images.sampleShape.join(', ')}], no values`);
  return {
    name: datasetName(imagesFile),
    file: imagesFile,
    labelsFile,
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
 * and every label is below `classes`. The error names the samples file, or the labels file for
 * labels (the full names given, else the dataset's name).
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
    throw new DatasetError(ds.file ?? ds.name, `samples have ${ds.sampleSize} values, the model input ${typeText} needs ${needs}`);
  }
  let maxLabel = -1;
  for (let i = 0; i < ds.labels.length; i++) if (ds.labels[i] > maxLabel) maxLabel = ds.labels[i];
  if (maxLabel >= classes) {
    throw new DatasetError(ds.labelsFile ?? ds.file ?? ds.name, `labels go up to ${maxLabel} but the model has ${classes} outputs`);
  }
}
