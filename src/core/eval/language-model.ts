// Language models on token ids: the next-token mean cross-entropy (positions 0..T−2 of a sequence
// predict its ids 1..T−1; natural log, per predicted token) and perplexity = exp(loss), for each
// runtime, in batches of sequences. Progress, Cancel and yielding as evaluate() does (Ticker).
import { isCancelled, ProblemError } from '../errors';
import type { TokenIds } from '../data/token-ids';
import { DEFAULT_BATCH, errorText, isPromise, Ticker } from './evaluate';
import { isAvailable, type EvalContext, type EvalSettings, type Runner, type RunnerName, type RunnerSlot, type RuntimeMeasure } from './types';

/** Something that maps `sequences` rows of `length` ids (back to back) to logits [sequences, length, V]. */
export interface TokenRunner {
  name: RunnerName;
  runIds(ids: Int32Array, sequences: number, length: number): Promise<Float32Array> | Float32Array;
}

export type TokenRunnerSlot = TokenRunner | { name: RunnerName; unavailable: string };

/** Sum of −log softmax(logits)[next id] over the predicted positions of these rows, and how many. */
export interface NextTokenNll {
  sum: number;
  count: number;
}

/**
 * −log p(id[s, p+1] | logits[s, p, :]) summed over rows s and positions p = 0..T−2 (log-sum-exp
 * with the row's largest logit taken out, in float64). Throws when an id is not below V.
 */
export function nextTokenNll(logits: ArrayLike<number>, ids: ArrayLike<number>, sequences: number, length: number, vocabulary: number): NextTokenNll {
  if (logits.length !== sequences * length * vocabulary) {
    throw new ProblemError('bad-model', `the model gave ${logits.length} logits for ${sequences} × ${length} ids; expected [${sequences}, ${length}, ${vocabulary}]`);
  }
  let sum = 0;
  for (let s = 0; s < sequences; s++) {
    for (let p = 0; p + 1 < length; p++) {
      const at = (s * length + p) * vocabulary;
      const next = ids[s * length + p + 1];
      if (!(next >= 0 && next < vocabulary)) {
        throw new ProblemError('bad-dataset', `token id ${next} (sequence ${s}, position ${p + 1}) is beyond the model's vocabulary of ${vocabulary}`);
      }
      let max = -Infinity;
      for (let j = 0; j < vocabulary; j++) if (logits[at + j] > max) max = logits[at + j];
      let z = 0;
      for (let j = 0; j < vocabulary; j++) z += Math.exp(logits[at + j] - max);
      sum += max + Math.log(z) - logits[at + next];
    }
  }
  return { sum, count: sequences * (length - 1) };
}

/** Mean next-token loss and perplexity from a summed NLL. */
export function lossAndPerplexity(nll: NextTokenNll): { loss: number; perplexity: number } {
  const loss = nll.count > 0 ? nll.sum / nll.count : NaN;
  return { loss, perplexity: Math.exp(loss) };
}

/**
 * Each runtime in turn on the first `limit` sequences, `batch` sequences a run (default 1000; 0
 * means one at a time): loss, perplexity and sequences per second, timed after one untimed run of
 * the first batch. A runtime that is unavailable
 * or fails is reported with `unavailable`; Cancel propagates as CancelledError.
 */
export async function evaluateLanguageModel(
  slots: readonly TokenRunnerSlot[],
  tokens: TokenIds,
  vocabulary: number | undefined,
  settings: EvalSettings,
  ctx: EvalContext,
  file?: string,
): Promise<RuntimeMeasure[]> {
  const limit = settings.limit;
  const n = limit !== undefined && limit >= 0 ? Math.min(limit, tokens.sequences) : tokens.sequences;
  if (n === 0) throw new ProblemError('bad-dataset', `${file ?? 'the token ids'}: no sequences`, file);
  if (vocabulary !== undefined && tokens.maxId >= vocabulary) {
    throw new ProblemError('bad-dataset', `${file ?? 'the token ids'}: token id ${tokens.maxId} is beyond the model's vocabulary of ${vocabulary} (ids 0..${vocabulary - 1})`, file);
  }
  const t = tokens.length;
  const batch = Math.max(1, settings.batch ?? DEFAULT_BATCH);
  const live = slots.filter((s): s is TokenRunner => !('unavailable' in s));
  const ticker = new Ticker(ctx, live.length * n);
  const results: RuntimeMeasure[] = [];
  let index = 0;
  for (const slot of slots) {
    if ('unavailable' in slot) {
      results.push({ runtime: slot.name, accuracy: NaN, unavailable: slot.unavailable });
      continue;
    }
    const offset = index++ * n;
    try {
      // One untimed run of the first batch: compilation and first-touch costs are not the
      // runtime's speed (classifiers are warmed the same way in evaluate()).
      const warm = slot.runIds(tokens.ids.subarray(0, Math.min(batch, n) * t), Math.min(batch, n), t);
      if (isPromise(warm)) await warm;
      const nll: NextTokenNll = { sum: 0, count: 0 };
      let ms = 0;
      for (let start = 0; start < n; start += batch) {
        const b = Math.min(batch, n - start);
        const ids = tokens.ids.subarray(start * t, (start + b) * t);
        const t0 = ctx.now();
        let out = slot.runIds(ids, b, t);
        if (isPromise(out)) out = await out;
        ms += ctx.now() - t0;
        // The vocabulary, when not given, is what the logits say: [b, T, V].
        const part = nextTokenNll(out, ids, b, t, vocabulary ?? out.length / (b * t));
        nll.sum += part.sum;
        nll.count += part.count;
        await ticker.tick(offset + start + b, () => `${slot.name}: ${start + b}/${n} sequences`);
      }
      const { loss, perplexity } = lossAndPerplexity(nll);
      results.push({ runtime: slot.name, accuracy: NaN, loss, perplexity, batchThroughput: ms > 0 ? n / (ms / 1000) : Infinity, workers: 1 });
    } catch (e) {
      if (isCancelled(e)) throw e;
      if (e instanceof ProblemError && e.kind === 'bad-dataset') throw e;
      results.push({ runtime: slot.name, accuracy: NaN, unavailable: `failed while running: ${errorText(e)}` });
    }
  }
  return results;
}

/** A runner of float samples (token ids as floats, the engine's runners) as a TokenRunner. */
export function tokenRunnerOf(r: Runner): TokenRunner {
  return { name: r.name, runIds: (ids, sequences) => r.runBatch(Float32Array.from(ids), sequences) };
}

/** The slots of evaluate() as token runners. */
export function tokenSlots(slots: readonly RunnerSlot[]): TokenRunnerSlot[] {
  return slots.map((s) => (isAvailable(s) ? tokenRunnerOf(s) : s));
}
