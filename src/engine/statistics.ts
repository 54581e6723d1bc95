// Tensor statistics in the protocol's shape, counted on the platform's worker threads where it
// offers them (large float32 tensors in shared memory) and on this thread otherwise.
import { DataType, type Tensor } from '../core/onnx/model';
import { dtypeName, tensorToFloat32 } from '../core/onnx/tensor';
import { tensorStats, type Stats } from '../core/stats/tensor-stats';
import type { EnginePlatform } from './platform';
import type { TensorStatistics } from './protocol';

/** Statistics and histogram of one numeric tensor (converted to float32 when it is not). */
export function tensorStatistics(t: Tensor, bins?: number): TensorStatistics {
  return statisticsOf(t, tensorStats(tensorToFloat32(t), bins !== undefined ? { bins } : {}));
}

/**
 * A tensor's statistics on the platform's worker threads, when it offers them for this tensor;
 * resolves to undefined when the workers fail (the platform then stops offering them), and never
 * rejects (a cancelled request may leave some unread).
 */
function statisticsOnWorkers(platform: EnginePlatform, t: Tensor, bins: number | undefined): Promise<Stats | undefined> | undefined {
  const parallel = t.dataType === DataType.FLOAT && t.data instanceof Float32Array ? platform.parallelStats?.(t.data, bins) : undefined;
  return parallel?.catch(() => undefined);
}

/**
 * The statistics of `tensors`, to be taken in order: every large float32 one goes to the
 * platform's workers at once (they queue there, so the workers never wait for this thread between
 * tensors); the others, and any the workers fail on, are counted on this thread when taken.
 */
export function statisticsInOrder(platform: EnginePlatform, tensors: readonly Tensor[], bins: number | undefined): (i: number) => Promise<TensorStatistics> {
  const parallel = tensors.map((t) => statisticsOnWorkers(platform, t, bins));
  return async (i) => {
    const done = parallel[i] && (await parallel[i]);
    return done ? statisticsOf(tensors[i], done) : tensorStatistics(tensors[i], bins);
  };
}

/** The protocol's statistics of a tensor from its Stats. */
export function statisticsOf(t: Tensor, s: Stats): TensorStatistics {
  return {
    name: t.name,
    dims: t.dims,
    dtype: dtypeName(t.dataType),
    count: s.count,
    min: s.min,
    max: s.max,
    mean: s.mean,
    std: s.std,
    zeros: s.zeros,
    nonFinite: s.nonFinite,
    absP50: s.absP50,
    absP90: s.absP90,
    absP99: s.absP99,
    histogram: { min: s.histogram.min, max: s.histogram.max, counts: s.histogram.counts },
  };
}
