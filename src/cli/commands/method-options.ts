// The pruning-method options shared by prune, export, eval and sweep (--method, --calib, --train,
// --epochs, --data-limit), progress on stderr, and Ctrl-C cancelling the running engine job.

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, type CliCommand, type ParsedArgs } from '../command';
import type { EngineClient, PendingRequest } from '../../engine/client';
import { findResources, SAMPLE_MODEL } from '../../engine/node/platform';
import type { DatasetSource, Progress, PruneMethod, PruneSpec, RequestType, ResultMap } from '../../engine/protocol';
import { numberOption, stringList } from './args';

export const METHODS: PruneMethod[] = ['magnitude', 'reconstruct', 'finetune'];

/** The spec fields of a method: everything but ratio, mode, select and overrides. */
export type MethodFields = Pick<PruneSpec, 'method' | 'calibration' | 'train' | 'dataLimit' | 'epochs'>;

export const dataOptions: CliCommand['options'] = {
  calib: {
    type: 'string',
    multiple: true,
    description: 'reconstruct: calibration samples, an IDX images + labels pair or one text file (default for the bundled sample model: its MNIST training split)',
  },
  train: {
    type: 'string',
    multiple: true,
    description: 'finetune: labelled training samples, an IDX images + labels pair or one text file (default for the bundled sample model: its MNIST training split)',
  },
  epochs: { type: 'string', description: 'finetune: at most N epochs at the target ratio, 1..100 (early stopping may end sooner)' },
  'data-limit': { type: 'string', description: 'use at most N calibration samples (reconstruct, default 1000) or training samples (finetune, default all)' },
};

export const methodOption: CliCommand['options'] = {
  method: {
    type: 'string',
    short: 'm',
    description: 'magnitude (default: drop the smallest |w|), reconstruct (refit each layer on --calib samples) or finetune (train kept weights on --train)',
  },
};

export const METHOD_HELP =
  '  Methods: magnitude removes the smallest |w| of each tensor; reconstruct chooses each layer’s mask\n' +
  '  and refits its kept weights to keep the layer’s outputs on unlabelled calibration samples\n' +
  '  (--calib, OBS / SparseGPT style); finetune prunes by magnitude then trains the kept weights on\n' +
  '  labelled samples (--train) while pruned weights stay exactly zero. reconstruct and finetune work\n' +
  '  on MLPs (Flatten / Gemm / Relu chains) and take seconds to minutes; progress goes to stderr, Ctrl-C\n' +
  '  cancels (nothing is written). For the bundled sample model they default to its MNIST training\n' +
  '  split (disjoint from the test split); any other model needs --calib / --train.';

/** True when `path` is the bundled sample model (the same file, or a byte-identical copy). */
export function isBundledSample(path: string): boolean {
  const dir = findResources();
  if (dir === undefined) return false;
  const sample = join(dir, SAMPLE_MODEL);
  try {
    if (realpathSync(path) === realpathSync(sample)) return true;
    if (statSync(path).size !== statSync(sample).size) return false;
    return readFileSync(path).equals(readFileSync(sample));
  } catch {
    return false;
  }
}

function parseMethod(text: string, option: string): PruneMethod {
  const m = text.trim();
  if (!METHODS.includes(m as PruneMethod)) throw new CliError(`${option} ${text}: expected magnitude, reconstruct or finetune`);
  return m as PruneMethod;
}

/** --method as one method (prune, export, eval). */
export function methodOf(args: ParsedArgs): PruneMethod {
  const v = args.values.method;
  return typeof v === 'string' ? parseMethod(v, '--method') : 'magnitude';
}

/** --method as a comma list (sweep): each method once, in the order given. */
export function methodList(args: ParsedArgs): PruneMethod[] {
  const v = args.values.method;
  if (typeof v !== 'string') return ['magnitude'];
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => parseMethod(s, '--method'));
  if (list.length === 0) throw new CliError('--method: give one or more of magnitude, reconstruct, finetune');
  if (new Set(list).size !== list.length) throw new CliError(`--method ${v}: a method is listed twice`);
  return list;
}

function dataSource(args: ParsedArgs, option: 'calib' | 'train', model: string, needed: boolean, method: string): DatasetSource | undefined {
  const paths = stringList(args, option);
  if (paths.length > 0) return { kind: 'paths', paths };
  if (!needed) return undefined;
  if (isBundledSample(model)) return { kind: 'sample', split: 'train' };
  const what = option === 'calib' ? 'calibration samples' : 'labelled training samples';
  throw new CliError(`--method ${method} needs ${what}: give --${option} IMAGES --${option} LABELS (an IDX pair) or --${option} FILE.txt`);
}

/**
 * The method fields of the spec for these methods: data for each slow method (required unless the
 * model is the bundled sample), --epochs and --data-limit checked.
 */
export function methodFields(args: ParsedArgs, model: string, methods: PruneMethod[]): Omit<MethodFields, 'method'> {
  const epochs = numberOption(args, 'epochs', (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'must be an integer from 1 to 100');
  const dataLimit = numberOption(args, 'data-limit', (n) => Number.isInteger(n) && n >= 1, 'must be an integer ≥ 1');
  const calibration = dataSource(args, 'calib', model, methods.includes('reconstruct'), 'reconstruct');
  const train = dataSource(args, 'train', model, methods.includes('finetune'), 'finetune');
  const slow = methods.some((m) => m !== 'magnitude');
  if (!slow) {
    for (const o of ['calib', 'train', 'epochs', 'data-limit']) {
      if (args.values[o] !== undefined) throw new CliError(`--${o} applies to --method reconstruct or finetune only`);
    }
  }
  return {
    ...(calibration ? { calibration } : {}),
    ...(train ? { train } : {}),
    ...(dataLimit !== undefined ? { dataLimit } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
  };
}

/**
 * Progress on stderr: on a terminal one line rewritten in place; otherwise, for slow jobs
 * (`lines`), one line per tenth of the work, so logs show a long method is alive.
 */
export function progressPrinter(options: { lines?: boolean } = {}): { onProgress(p: Progress): void; clear(): void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  let tenth = -1;
  return {
    onProgress(p) {
      const pctValue = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0;
      if (!tty) {
        if (options.lines !== true || Math.floor(pctValue / 10) <= tenth) return;
        tenth = Math.floor(pctValue / 10);
        process.stderr.write(`${pctValue}% ${p.message}\n`);
        return;
      }
      const pctText = p.total > 0 ? `${pctValue}%` : '';
      process.stderr.write(`\r\x1b[K${pctText} ${p.message}`.slice(0, (process.stderr.columns ?? 80) - 1));
      shown = true;
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * Awaits an engine request; Ctrl-C (SIGINT) asks the engine to cancel it, which then ends with a
 * 'cancelled' CliError (exit 130). Other engine errors pass through.
 */
export async function cancellable<T extends RequestType>(engine: EngineClient, pending: PendingRequest<T>): Promise<ResultMap[T]> {
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    engine.cancel(pending.id);
  };
  process.on('SIGINT', onSigint);
  try {
    return await pending.promise;
  } catch (e) {
    if (interrupted || (e as { code?: unknown }).code === 'cancelled') throw new CliError('cancelled (Ctrl-C); nothing was written', 130);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
