// A labelled dataset in memory, and the error every dataset problem is reported with.
import { ProblemError } from '../errors';
import type { TokenIds } from './token-ids';

/** Samples back to back as float32, one integer label each. */
export interface Dataset {
  /** A display name, derived from the file name(s). */
  name: string;
  /** The file the samples come from (the IDX images file or the text file), as given: for messages. */
  file?: string;
  /** The file the labels come from, when it is another one (the IDX labels file). */
  labelsFile?: string;
  /** count × sampleSize values, sample after sample. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
  /** Shape of one sample, e.g. [28, 28] for MNIST IDX files or [784] for a text file. */
  sampleShape: number[];
  /** Number of values per sample (the product of sampleShape). */
  sampleSize: number;
  /** Number of classes the labels imply: the largest label + 1 (0 for an empty set). */
  classes: number;
  /**
   * What was done to the stored values, said to the user wherever the dataset is described
   * (e.g. "x: uint8 values scaled by 1/255 to 0..1"); absent when they are used as stored.
   */
  conversion?: string;
  /** Class names by label id (an image folder's subfolders, sorted). */
  classNames?: string[];
  /** The arrays of an .npz archive the samples and labels were taken from. */
  arrays?: { samples: string; labels: string };
  /** Where an image sample keeps its channels (image folders, made for the model's input layout). */
  layout?: 'nchw' | 'nhwc';
  /**
   * The samples are integers (token ids [N, T] of a classifier such as a BERT-style encoder), kept
   * as floats in `images` (exact below 2^24): they fit an integer model input only.
   */
  integerSamples?: true;
  /** A language-model test set: token ids [N, T] with no labels (core/data/token-ids.ts). */
  tokens?: TokenIds;
}

/** A dataset that cannot be read or does not fit a model. `file` names the file at fault, if any. */
export class DatasetError extends ProblemError {
  constructor(file: string | undefined, problem: string) {
    super('bad-dataset', file === undefined ? problem : `${file}: ${problem}`, file);
    this.name = 'DatasetError';
  }
}

/** Largest label + 1, or 0 when there are no labels. */
export function classCount(labels: Int32Array): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max + 1;
}
