// Does a dataset fit a model? One line saying which part does not and what the model expects.
//
// Samples fit a model input whose non-batch dims are all fixed when they have the same number of
// values AND the same layout: the shapes are equal once leading 1s are dropped ([28, 28] feeds
// [1, 28, 28]), or either side is flat ([784] feeds [1, 28, 28], [28, 28] feeds [784]). The same
// values in another layout ([28, 28, 1] for [1, 28, 28]: channels last for channels first) are
// refused: feeding them would silently scramble the pixels. A symbolic non-batch dim accepts any
// sample size its fixed dims divide. Labels must be below the model's output count.
import { DatasetError, type Dataset } from './dataset';
import { checkTokensFit } from './token-fit';

/** The model input a dataset is checked against. */
export interface ModelInputShape {
  /** Dims, batch first. */
  dims: (number | string | null)[];
  /** Display type such as "float32[N,3,32,32]"; built from dims when absent. */
  type?: string;
  /** The input's name, for messages. */
  name?: string;
  /** ONNX element type code when known: float samples feed a float type, integer samples (token ids) int64 or int32. */
  elemType?: number;
}

/** ONNX float element types: FLOAT, FLOAT16, DOUBLE, BFLOAT16. */
const FLOAT_TYPES = new Set([1, 10, 11, 16]);
/** Integer input types token ids are fed as (the runtimes feed int64 and int32). */
const INTEGER_INPUTS = new Set([6, 7]);
const FLOAT_NAMES: Record<number, string> = { 1: 'float32', 10: 'float16', 11: 'float64', 16: 'bfloat16' };
const TYPE_NAMES: Record<number, string> = { 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 12: 'uint32', 13: 'uint64' };

const list = (s: readonly unknown[]): string => `[${s.join(', ')}]`;

function stripOnes(s: readonly number[]): number[] {
  let i = 0;
  while (i < s.length - 1 && s[i] === 1) i++;
  return s.slice(i);
}

/** Where the samples come from, for the message: "test.npz: x has" or "file: samples have". */
function samplesSubject(ds: Dataset): { file: string; subject: string } {
  const file = ds.file ?? ds.name;
  return ds.arrays ? { file, subject: `${ds.arrays.samples} has samples of shape` } : { file, subject: 'samples have shape' };
}

export function checkDatasetFits(ds: Dataset, input: ModelInputShape, classes: number): void {
  // Token ids (a language-model test set): checked against the input [N, T] and the vocabulary.
  if (ds.tokens) return checkTokensFit({ ...ds, tokens: ds.tokens }, { input, vocabulary: classes });
  const rest = input.dims.slice(1);
  const named = input.name !== undefined ? `model input '${input.name}'` : 'the model input';
  const { file, subject } = samplesSubject(ds);
  const typeName = (t: number): string => TYPE_NAMES[t] ?? `element type ${t}`;
  if (input.elemType !== undefined && INTEGER_INPUTS.has(input.elemType)) {
    if (!ds.integerSamples) throw new DatasetError(file, `samples are float values; ${named} takes ${typeName(input.elemType)}`);
  } else if (input.elemType !== undefined && !FLOAT_TYPES.has(input.elemType)) {
    throw new DatasetError(file, `samples are ${ds.integerSamples ? 'integers' : 'float values'}; ${named} takes ${typeName(input.elemType)}`);
  } else if (ds.integerSamples) {
    const which = ds.arrays ? `${ds.arrays.samples} holds` : 'samples are';
    throw new DatasetError(file, `${which} integers (read as token ids); ${named} takes ${input.elemType === undefined ? 'floats' : (FLOAT_NAMES[input.elemType] ?? 'floats')}: save the samples as floats (x.astype(np.float32), scaled as the model was trained)`);
  }
  const fixedDims = rest.every((d): d is number => typeof d === 'number' && d >= 0);
  if (fixedDims) {
    const want = rest as number[];
    const size = want.reduce((p, d) => p * d, 1);
    const got = `${subject} ${list(ds.sampleShape)}`;
    if (ds.sampleSize !== size) {
      throw new DatasetError(file, `${got} (${ds.sampleSize} values); ${named} expects ${list(want)} (${size} values)`);
    }
    const a = stripOnes(ds.sampleShape);
    const b = stripOnes(want);
    const sameLayout = a.length <= 1 || b.length <= 1 || (a.length === b.length && a.every((d, i) => d === b[i]));
    if (!sameLayout) {
      throw new DatasetError(file, `${got}; ${named} expects ${list(want)}: the same number of values in another layout (transpose the samples to ${list(want)})`);
    }
  } else {
    let fixed = 1;
    for (const d of rest) if (typeof d === 'number' && d >= 0) fixed *= d;
    const typeText = input.type ?? `[${input.dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
    if (!(fixed > 0 && ds.sampleSize % fixed === 0)) {
      throw new DatasetError(file, `${subject} ${list(ds.sampleShape)} (${ds.sampleSize} values); ${named} ${typeText} needs a multiple of ${fixed} values`);
    }
  }
  let maxLabel = -1;
  for (let i = 0; i < ds.labels.length; i++) if (ds.labels[i] > maxLabel) maxLabel = ds.labels[i];
  if (maxLabel >= classes) {
    const labelsFile = ds.labelsFile ?? ds.file ?? ds.name;
    const which = ds.arrays ? `${ds.arrays.labels}: ` : '';
    throw new DatasetError(labelsFile, `${which}labels go up to ${maxLabel} but the model has ${classes} outputs`);
  }
}

/** The size and layout images must be brought to for a model input. */
export interface ImageTarget {
  channels: 1 | 3;
  /** 0 when the model input's dim is symbolic: then the first image's size is used (imageTargetFrom). */
  height: number;
  width: number;
  /** Channels first ([N, C, H, W]), last ([N, H, W, C]), or no channel dim ([N, H, W], one channel). */
  layout: 'nchw' | 'nhwc' | 'nhw';
}

/**
 * The image size a model input takes: [N, C, H, W] or [N, H, W, C] with C = 1 or 3 (channels
 * first when both read so), or [N, H, W]. H and W are fixed sizes or symbolic (0 here: the first
 * image's size is then used, see imageTargetFrom). Anything else is refused: a folder of images
 * cannot be brought to it.
 */
export function imageTarget(input: ModelInputShape, folder: string): ImageTarget {
  const rest = input.dims.slice(1);
  const named = input.name !== undefined ? `model input '${input.name}'` : 'the model input';
  const shown = list(input.dims.map((d) => (d === null ? '?' : d)));
  /** A size: its value, 0 when symbolic, -1 when not a size at all. */
  const n = (d: unknown): number => (typeof d === 'number' ? (d > 0 ? d : -1) : 0);
  const ok = (...ds: unknown[]): boolean => ds.every((d) => n(d) >= 0);
  if (rest.length === 3 && (rest[0] === 1 || rest[0] === 3) && ok(rest[1], rest[2])) {
    return { channels: rest[0], height: n(rest[1]), width: n(rest[2]), layout: 'nchw' };
  }
  if (rest.length === 3 && (rest[2] === 1 || rest[2] === 3) && ok(rest[0], rest[1])) {
    return { channels: rest[2], height: n(rest[0]), width: n(rest[1]), layout: 'nhwc' };
  }
  if (rest.length === 2 && ok(rest[0], rest[1])) return { channels: 1, height: n(rest[0]), width: n(rest[1]), layout: 'nhw' };
  throw new DatasetError(folder, `is a folder of images, but ${named} ${shown} is not an image input ([N, C, H, W] or [N, H, W, C] with 1 or 3 channels)`);
}

/** The target with its symbolic H / W taken from the first image's size. */
export function imageTargetFrom(target: ImageTarget, first: { width: number; height: number }): ImageTarget {
  return { ...target, height: target.height || first.height, width: target.width || first.width };
}
