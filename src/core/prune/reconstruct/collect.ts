// The statistics of one target, read from the calibration rows that reach it: the pruned model's
// rows x (and, when the earlier pruning changed them, the unpruned model's rows x₀ at the same
// sample and position), a seeded sample of at most a row budget per group, folded into one
// GroupMoments per group as each batch of calibration samples is run. When the target's output
// flows into a residual Add, the drift of the Add's other input (unpruned minus pruned, through
// the BatchNormalization scales in between) is added to the target, so this layer corrects it too.
import type { Model } from '../../onnx/model';
import { mulberry32 } from '../../train/random';
import { valueBatches, type Feed } from './activations';
import { GroupMoments } from './moments';
import { chooseRows, rowReader } from './patches';
import type { Steps } from './solver';
import type { ResidualPath, Target } from './targets';

/**
 * Rows per group folded into a layer's H: every row when few; otherwise enough for a
 * well-determined fit (16 per column) and as many more as ~2·10⁹ multiply-adds of H allow.
 */
export function rowBudget(d: number, groups: number, available: number): number {
  return Math.min(available, Math.max(16 * d, Math.floor(2e9 / (groups * d * d))));
}

export interface CollectOptions {
  /** [pruned] or [pruned, unpruned] models; with two, the rows x₀ come from the second. */
  models: Model[];
  feed: Feed;
  /** The unpruned weights, rows × cols per group. */
  w: Float64Array;
  maxRows?: number;
  seed: number;
  /** The residual drift to correct (needs two models). */
  residual?: ResidualPath;
  progress: (f: number) => void;
}

/** Where output channel `o` of row `r` sits in the target's output tensor of `dims`. */
function outputIndex(t: Target, dims: number[], r: number, o: number): number {
  if (t.kind !== 'conv') return r * dims[dims.length - 1] + o;
  const positions = dims.slice(2).reduce((a, b) => a * b, 1);
  const sample = Math.floor(r / positions);
  return (sample * dims[1] + o) * positions + (r - sample * positions);
}

export function* collect(t: Target, opts: CollectOptions): Steps<{ moments: GroupMoments[]; available: number }> {
  const { rows, cols: d, groups } = t;
  const { models, feed, w, residual } = opts;
  const dense = models.length > 1;
  const size = rows * d;
  const moments = Array.from({ length: groups }, (_, g) => new GroupMoments(d, w.subarray(g * size, (g + 1) * size), rows, dense));
  const rand = mulberry32(opts.seed);
  const x = new Float64Array(d);
  const x0 = new Float64Array(d);
  const extra = new Float64Array(rows);
  let available = 0;
  let budget = 0;
  let owed = 0;
  const values = residual !== undefined && dense ? [t.input, residual.other] : [t.input];
  yield* valueBatches(models, values, feed, (xs, first, n) => {
    const reader = rowReader(t, xs[0][0].dims);
    if (first === 0) {
      available = Math.round((reader.count / n) * feed.count);
      budget = opts.maxRows !== undefined ? Math.min(available, opts.maxRows) : rowBudget(d, groups, available);
    }
    // this batch's share of the budget, carried so the total comes out right
    owed += (budget * reader.count) / Math.max(1, available);
    const take = Math.min(reader.count, Math.round(owed));
    owed -= take;
    const chosen = chooseRows(reader.count, take, rand);
    const a = xs[0][0].data as Float32Array;
    const b = dense ? (xs[1][0].data as Float32Array) : a;
    const s = values.length > 1 ? xs[0][1] : undefined;
    const s0 = values.length > 1 ? (xs[1][1].data as Float32Array) : undefined;
    const outDims = s?.dims;
    const outSize = outDims?.reduce((p, q) => p * q, 1);
    if (s !== undefined && (outSize !== reader.count * rows * groups || (t.kind === 'conv' && (outDims?.[1] !== rows * groups || (outDims.slice(2).reduce((p, q) => p * q, 1) * n) !== reader.count)))) {
      throw new Error(`${t.label}: the residual input "${residual?.other}" [${outDims?.join(', ')}] does not match the node's output`);
    }
    for (const r of chosen) {
      for (let g = 0; g < groups; g++) {
        reader.read(a, r, g, x, 0);
        if (dense) reader.read(b, r, g, x0, 0);
        if (s !== undefined && s0 !== undefined && outDims !== undefined && residual !== undefined) {
          const sd = s.data as Float32Array;
          for (let o = 0; o < rows; o++) {
            const og = g * rows + o;
            const i = outputIndex(t, outDims, r, og);
            extra[o] = (s0[i] - sd[i]) / residual.scale[og];
          }
          moments[g].add(x, 0, x0, 0, extra);
        } else moments[g].add(x, 0, dense ? x0 : undefined);
      }
    }
    opts.progress((first + n) / feed.count);
  });
  for (const m of moments) m.finish();
  return { moments, available };
}
