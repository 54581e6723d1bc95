// The dims of a batch of samples for a model input, the one rule for every place that feeds a
// model from a dataset (runFloat, evaluation, sensitivity, per-node error, calibration): the
// input's fixed dims; one symbolic dim inferred from the sample's size; several (a CNN exported
// with dynamic height and width) taken from the dataset's sample shape where it agrees with the
// fixed ones.
import type { Dim } from '../onnx/model';

/**
 * Dims of `batch` samples of `sampleSize` values each for an input declared `declared` (batch
 * first; none declared: [batch, sampleSize]); undefined when the samples do not fit it.
 */
export function batchDims(declared: readonly Dim[], batch: number, sampleSize: number, sampleShape?: readonly number[]): number[] | undefined {
  const d = declared.length > 0 ? declared : [null, null];
  const fits = sampleShape !== undefined && sampleShape.length === d.length - 1 && d.every((x, i) => i === 0 || typeof x !== 'number' || x === sampleShape[i - 1]);
  const dims = d.map((x, i) => (i === 0 ? batch : typeof x === 'number' ? x : fits ? sampleShape[i - 1] : -1));
  const unknown = dims.filter((x) => x < 0).length;
  const known = dims.reduce((s, x) => (x >= 0 ? s * x : s), 1);
  if (unknown === 1) dims[dims.indexOf(-1)] = known === 0 ? 0 : (batch * sampleSize) / known;
  if (unknown > 1 || dims.some((x) => x < 0 || !Number.isInteger(x)) || dims.reduce((s, x) => s * x, 1) !== batch * sampleSize) return undefined;
  return dims;
}
