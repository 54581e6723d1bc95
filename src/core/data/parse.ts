// Reading a dataset from its files: an IDX pair (images + labels, gzipped or not) or one text file.
// IDX headers are read first (inflating only their bytes) so that a pair that cannot match is
// refused before its data is inflated, and each file is inflated no further than its header says.
import { classCount, DatasetError, type Dataset } from './dataset';
import { ContentReader } from './gzip';
import { IdxType, idxHeaderBytes, looksLikeIdx, parseIdx, parseIdxHeader, type IdxHeader, type IdxImages, type IdxLabels } from './idx';
import { looksLikeNpy } from './npy';
import { looksLikeZip } from './npz';
import { parseNpyPair, parseNpzDataset } from './numpy-dataset';
import { MAX_TEXT_BYTES, parseTextDataset } from './text';
import { parseTokenNpy } from './token-ids';

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
  const numpy = files.filter((f) => looksLikeNpy(f.bytes) || looksLikeZip(f.bytes));
  if (numpy.length > 0) return parseNumpy(files);
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
    ...(images.type === IdxType.UBYTE ? { conversion: `${imagesFile.replace(/^.*[\\/]/, '')}: unsigned bytes scaled by 1/255 to 0..1` } : {}),
  };
}

/** An .npz archive alone, or two .npy files. */
function parseNumpy(files: DatasetFile[]): Dataset {
  const kind = (f: DatasetFile): string => (looksLikeZip(f.bytes) ? 'npz' : looksLikeNpy(f.bytes) ? 'npy' : 'other');
  const kinds = files.map(kind);
  if (files.length === 1 && kinds[0] === 'npz') return parseNpzDataset(files[0].name, files[0].bytes);
  if (files.length === 2 && kinds[0] === 'npy' && kinds[1] === 'npy') return parseNpyPair(files);
  if (files.length === 1) return parseTokenNpy(files[0].name, files[0].bytes);
  const odd = files.find((f, i) => kinds[i] !== 'npy') as DatasetFile;
  throw new DatasetError(
    odd.name,
    kinds.includes('npz') ? 'an .npz archive is a dataset by itself: give it alone' : 'is not an .npy file (it lacks the \\x93NUMPY magic); an .npy pair is two .npy files',
  );
}

/** "…/t10k-images-idx3-ubyte.gz" → "t10k"; other names lose their folder only. */
export function datasetName(path: string): string {
  const base = path.replace(/^.*[\\/]/, '');
  const m = /^(.*?)[-_.]images?[-_.]idx\d[-_.]ubyte(\.gz)?$/i.exec(base);
  return m && m[1] !== '' ? m[1] : base;
}
