// The dataset a CLI option names: one folder is a folder of images (one subfolder per class);
// otherwise the files (an IDX pair, a text file, an .npy pair or one .npz). `--normalize` says how
// image pixels are normalised (0-1, the default, or MEAN/STD per channel) and applies to folders only.

import { statSync } from 'node:fs';
import { CliError, type CliCommand, type ParsedArgs } from '../command';
import { stringList } from './args';
import { parseNormalization, type DatasetSource, type DatasetSummary, type ImageNormalization } from '../../engine/protocol';

/** What --data / --calib / --train accept, for their help texts. */
export const DATASET_FORMS = 'an IDX images + labels pair, one text file, an .npy samples + labels pair, one .npz (arrays x and y), or a folder with one subfolder of PNG/JPEG images per class';

export const normalizeOption: CliCommand['options'] = {
  normalize: {
    type: 'string',
    description: 'image folders: 0-1 (pixels/255, the default), imagenet (the mean/std torchvision models expect) or MEAN/STD per channel, e.g. 0.5/0.5 or 0.485,0.456,0.406/0.229,0.224,0.225',
  },
};

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The --normalize option, or undefined. */
export function normalizeOf(args: ParsedArgs): ImageNormalization | undefined {
  const v = args.values.normalize;
  if (typeof v !== 'string') return undefined;
  try {
    return parseNormalization(v);
  } catch (e) {
    throw new CliError(`--normalize: ${(e as Error).message}`);
  }
}

/** The source for the paths given after one option; `normalize` must come with a folder. */
export function pathsSource(paths: string[], option: string, normalize: ImageNormalization | undefined): DatasetSource {
  if (paths.length === 1 && isFolder(paths[0])) {
    return { kind: 'folder', path: paths[0], ...(normalize ? { normalize } : {}) };
  }
  if (paths.some(isFolder)) throw new CliError(`--${option}: a folder of images is given alone (one folder, one subfolder per class)`);
  return { kind: 'paths', paths };
}

/** Refuses --normalize when no dataset option names a folder (it would silently do nothing). */
export function checkNormalizeUsed(args: ParsedArgs): void {
  const folder = ['data', 'calib', 'train'].some((o) => {
    const p = stringList(args, o);
    return p.length === 1 && isFolder(p[0]);
  });
  if (args.values.normalize !== undefined && !folder) {
    throw new CliError('--normalize applies to a folder of images; no dataset option names a folder');
  }
}

/** How the run names its data: the file, or the bundled split said as such when no --data was given. */
export function datasetName(ds: DatasetSummary, source: DatasetSource): string {
  return source.kind === 'sample' ? `the bundled MNIST ${source.split ?? 'test'} split (no --data given)` : ds.name;
}

/** What the engine did to the values and the class names, said after the dataset's name (empty when nothing). */
export function datasetNote(ds: DatasetSummary): string {
  const parts: string[] = [];
  if (ds.tokens) parts.push(ds.tokens);
  if (ds.conversion) parts.push(ds.conversion);
  if (ds.fed) parts.push(`fed beside them: ${ds.fed}`);
  if (ds.classNames) {
    const shown = ds.classNames.slice(0, 20).map((n, i) => `${i} ${n}`).join(', ');
    parts.push(`classes ${shown}${ds.classNames.length > 20 ? `, … (${ds.classNames.length})` : ''}`);
  }
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
