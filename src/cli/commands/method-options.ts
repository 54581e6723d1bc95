// The pruning-method options shared by prune, export, eval and sweep (--method, --calib, --train,
// --epochs, --data-limit), progress on stderr, and Ctrl-C cancelling the running engine job.

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, type CliCommand, type ParsedArgs } from '../command';
import type { EngineClient, PendingRequest } from '../../engine/client';
import { findResources, SAMPLE_MODEL } from '../../engine/node/platform';
import { DATA_NOUN, DEFAULT_GLOBAL_ALLOCATION, FINETUNE_STARTS, type FinetuneStart, isPruneMethod, isReconstructAllocation, METHOD_REGISTRY, methodNames, PRUNE_METHODS, RECONSTRUCT_ALLOCATIONS, type MethodDataNeed, type ReconstructAllocation } from '../../core/prune/method-registry';
import type { DatasetSource, Progress, PruneMethod, PruneSpec, RequestType, ResultMap } from '../../engine/protocol';
import { numberOption, overridesOption, stringList } from './args';
import { checkNormalizeUsed, DATASET_FORMS, normalizeOf, normalizeOption, pathsSource } from './data-source';
import { cancelMessage, changedFiles, markFiles } from '../outputs';
import { isCancelled } from '../../core/errors';
import { owningCtrlC } from '../ctrl-c';

/** The option that gives each kind of method data. */
const DATA_OPTION: Record<Exclude<MethodDataNeed, 'none'>, 'calib' | 'train'> = { calibration: 'calib', training: 'train' };

/** The methods that need this kind of data, e.g. "reconstruct". */
function methodsNeeding(need: MethodDataNeed): string {
  return PRUNE_METHODS.filter((m) => METHOD_REGISTRY[m].data === need).join(', ');
}

/** The spec fields of a method: everything but ratio, mode, select and overrides. */
export type MethodFields = Pick<PruneSpec, 'method' | 'calibration' | 'train' | 'dataLimit' | 'epochs' | 'allocation' | 'distill' | 'learningRate' | 'start'>;

export const dataOptions: CliCommand['options'] = {
  ...normalizeOption,
  calib: {
    type: 'string',
    multiple: true,
    description: `${methodsNeeding('calibration')}: ${DATA_NOUN.calibration}: ${DATASET_FORMS} (default for the bundled sample model: its MNIST training split)`,
  },
  train: {
    type: 'string',
    multiple: true,
    description: `${methodsNeeding('training')}: ${DATA_NOUN.training}: ${DATASET_FORMS} (default for the bundled sample model: its MNIST training split)`,
  },
  epochs: {
    type: 'string',
    description: `finetune: at most N epochs at the target ratio, 1..100 (default ${METHOD_REGISTRY.finetune.defaults.epochs}; early stopping may end sooner)`,
  },
  distill: {
    type: 'string',
    description: 'finetune: 0 = no knowledge distillation from the unpruned model, 1 = distil (default 1)',
  },
  lr: {
    type: 'string',
    description: `finetune: Adam's learning rate, in (0, 1] (default ${METHOD_REGISTRY.finetune.defaults.learningRate}; it decays by 0.8 after each epoch at the target ratio)`,
  },
  start: {
    type: 'string',
    description:
      `finetune: the mask it trains from, ${FINETUNE_STARTS.join(' or ')} (default magnitude, reached in gradual steps; reconstruct: ` +
      `reconstruct's result on ${METHOD_REGISTRY.reconstruct.defaults.dataLimit} of the training samples, then trained in one step, distilling from the unpruned model)`,
  },
  allocation: {
    type: 'string',
    description:
      `reconstruct with --global: how the zeros are split between the layers, ${RECONSTRUCT_ALLOCATIONS.join(' or ')} (default ${DEFAULT_GLOBAL_ALLOCATION}: ` +
      'by each layer\'s measured effect on the model\'s outputs on the calibration samples, the same total; plan: as the one |w| threshold splits them). Not --allocate, which measures loss curves on labelled data',
  },
  'data-limit': {
    type: 'string',
    description: `use at most N calibration samples (reconstruct, wanda, default ${METHOD_REGISTRY.reconstruct.defaults.dataLimit}) or training samples (finetune, default all)`,
  },
};

/** --allocate-blocks (prune, eval): the ratio split across transformer blocks (core/prune/block-allocate.ts). */
export const allocateBlocksOption: CliCommand['options'] = {
  'allocate-blocks': {
    type: 'boolean',
    description:
      'reconstruct, wanda: split the ratio across the transformer blocks (nodes named /layer.3/, /h.3/, /blocks.3/…) by their measured sensitivity on the calibration samples; the overall count stays exact',
  },
};

export const methodOption: CliCommand['options'] = {
  method: {
    type: 'string',
    short: 'm',
    description: `pruning method: ${methodNames()} (default magnitude; see Methods above)`,
  },
};

/** Words of `text` in lines of at most `width` characters, each after `indent` spaces (the first after `first`). */
function wrap(text: string, first: string, indent: number, width = 100): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    if (line.trim() !== '' && line.length + 1 + word.length > width && line.length > indent) {
      lines.push(line);
      line = ' '.repeat(indent);
    }
    line += line.endsWith(' ') ? word : ` ${word}`;
  }
  lines.push(line);
  return lines.map((l) => `${l.trimEnd()}\n`).join('');
}

export const METHOD_HELP =
  '  Methods:\n' +
  PRUNE_METHODS.map((m) => {
    const info = METHOD_REGISTRY[m];
    const data = info.data === 'none' ? '' : ` Needs ${DATA_NOUN[info.data]} (--${DATA_OPTION[info.data]}).`;
    return wrap(`${info.description}${data}`, `    ${m.padEnd(12)}`, 16);
  }).join('') +
  '  reconstruct and wanda prune Gemm / MatMul / Conv weights of any model the runtime runs;\n' +
  '  finetune trains MLPs and CNNs (Conv, pools, BatchNormalization, residual Add…). They take\n' +
  '  seconds to minutes; progress goes to stderr, Ctrl-C cancels (nothing is written). For the\n' +
  '  bundled sample model they default to its MNIST training split (disjoint from the test split);\n' +
  '  any other model needs --calib / --train.';

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
  if (!isPruneMethod(m)) throw new CliError(`${option} ${text}: expected ${methodNames()}`);
  return m;
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
  if (list.length === 0) throw new CliError(`--method: give one or more of ${PRUNE_METHODS.join(', ')}`);
  if (new Set(list).size !== list.length) throw new CliError(`--method ${v}: a method is listed twice`);
  return list;
}

/** The data given for `need` (or the bundled training split for the sample model), when a method needs it. */
function dataSource(args: ParsedArgs, need: Exclude<MethodDataNeed, 'none'>, model: string, methods: PruneMethod[]): DatasetSource | undefined {
  const option = DATA_OPTION[need];
  const paths = stringList(args, option);
  if (paths.length > 0) return pathsSource(paths, option, normalizeOf(args));
  const needing = methods.find((m) => METHOD_REGISTRY[m].data === need);
  if (needing === undefined) return undefined;
  if (isBundledSample(model)) return { kind: 'sample', split: 'train' };
  throw new CliError(`--method ${needing} needs ${DATA_NOUN[need]}: give --${option} IMAGES --${option} LABELS (an IDX pair) or --${option} FILE.txt`);
}

/**
 * The method fields of the spec for these methods: data for each slow method (required unless the
 * model is the bundled sample), --epochs and --data-limit checked.
 */
export function methodFields(args: ParsedArgs, model: string, methods: PruneMethod[]): Omit<MethodFields, 'method'> {
  const epochs = numberOption(args, 'epochs', (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'must be an integer from 1 to 100');
  const distill = numberOption(args, 'distill', (n) => n === 0 || n === 1, 'must be 0 (off) or 1 (on)');
  const learningRate = numberOption(args, 'lr', (n) => n > 0 && n <= 1, 'must be a number in (0, 1], e.g. 1e-3');
  const dataLimit = numberOption(args, 'data-limit', (n) => Number.isInteger(n) && n >= 1, 'must be an integer ≥ 1');
  checkNormalizeUsed(args);
  const calibration = dataSource(args, 'calibration', model, methods);
  const train = dataSource(args, 'training', model, methods);
  const allocation = args.values.allocation as string | undefined;
  if (allocation !== undefined) {
    if (!isReconstructAllocation(allocation)) throw new CliError(`--allocation must be ${RECONSTRUCT_ALLOCATIONS.join(' or ')}, got "${allocation}"`);
    if (!methods.includes('reconstruct') || args.values.global !== true) throw new CliError('--allocation applies to --method reconstruct with --global');
  }
  const start = args.values.start as string | undefined;
  if (start !== undefined) {
    if (!(FINETUNE_STARTS as readonly string[]).includes(start)) throw new CliError(`--start must be ${FINETUNE_STARTS.join(' or ')}, got "${start}"`);
    if (!methods.includes('finetune')) throw new CliError('--start applies to --method finetune');
  }
  const slow = methods.some((m) => METHOD_REGISTRY[m].data !== 'none');
  if (!slow) {
    for (const o of ['calib', 'train', 'epochs', 'distill', 'lr', 'data-limit']) {
      if (args.values[o] !== undefined) throw new CliError(`--${o} applies to --method reconstruct, wanda or finetune only`);
    }
  }
  return {
    ...(calibration ? { calibration } : {}),
    ...(train ? { train } : {}),
    ...(dataLimit !== undefined ? { dataLimit } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(allocation !== undefined ? { allocation: allocation as ReconstructAllocation } : {}),
    ...(distill !== undefined ? { distill: distill === 1 } : {}),
    ...(learningRate !== undefined ? { learningRate } : {}),
    ...(start !== undefined ? { start: start as FinetuneStart } : {}),
  };
}

/**
 * The spec of a one-ratio command (prune, export, eval): --global, --override, --method and the
 * method's fields (--select / --exclude need the open model: see withSelection). Defaults are
 * left to the method registry (see resolveSpec).
 */
export function specFromArgs(args: ParsedArgs, model: string, ratio: number): PruneSpec {
  const overrides = overridesOption(args);
  const method = methodOf(args);
  const blocks = args.values['allocate-blocks'] === true;
  if (blocks && METHOD_REGISTRY[method].data !== 'calibration') throw new CliError(`--allocate-blocks measures the blocks on calibration samples: use it with --method ${methodsNeeding('calibration')} and --calib`);
  if (blocks && (args.values.global === true || overrides)) throw new CliError('--allocate-blocks sets every layer\'s ratio itself: not with --global or --override');
  return {
    ratio,
    mode: args.values.global === true ? 'global' : 'layer',
    ...(overrides ? { overrides } : {}),
    ...(method !== 'magnitude' ? { method } : {}),
    ...methodFields(args, model, [method]),
    ...(blocks ? { allocateBlocks: true } : {}),
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
 * 'cancelled' CliError (exit 130) saying truthfully what was written: nothing (the atomic writer
 * checks the cancel until its rename), or the files of `outputs` that were already in place when
 * the cancel came too late. Other engine errors pass through.
 */
export async function cancellable<T extends RequestType>(engine: EngineClient, pending: PendingRequest<T>, outputs: readonly string[] = []): Promise<ResultMap[T]> {
  let interrupted = false;
  const marks = markFiles(outputs);
  const onSigint = (): void => {
    interrupted = true;
    engine.cancel(pending.id);
  };
  try {
    return await owningCtrlC(marks, onSigint, () => pending.promise);
  } catch (e) {
    if (interrupted || (e as { code?: unknown }).code === 'cancelled') throw new CliError(cancelMessage(changedFiles(marks)), 130);
    throw e;
  }
}

/**
 * Runs `work` with a cancel token that Ctrl-C sets (a write the CLI makes itself, such as the sweep
 * CSV: the atomic writer then leaves nothing behind), ending with exit 130 and a true message.
 */
export async function withCtrlC<T>(outputs: readonly string[], work: (cancel: { readonly cancelled: boolean }) => Promise<T>): Promise<T> {
  const token = { cancelled: false };
  const marks = markFiles(outputs);
  try {
    return await owningCtrlC(marks, () => { token.cancelled = true; }, () => work(token));
  } catch (e) {
    if (token.cancelled || isCancelled(e)) throw new CliError(cancelMessage(changedFiles(marks)), 130);
    throw e;
  }
}
