// `prunescope sweep MODEL [--data IMAGES LABELS | X.npy Y.npy | SET.npz | FOLDER] [--normalize 0-1|MEAN/STD] [--ratios LIST] [--method LIST] [--global] [--batch N] [--limit N] [--workers N] [--csv FILE]`
// `prunescope eval MODEL [--ratio R] [--data IMAGES LABELS]`
// The experiment's table: per prune ratio, accuracy and time for the whole test set at batch 1,
// and throughput at a large batch, for the sparse and dense runtimes and onnxruntime side by side.

import { CliError, type CliCommand, type CliIO, type ParsedArgs } from '../command';
import { sweepCsv } from '../../core/dump';
import { DEFAULT_MAX_WORKERS, DEFAULT_RATIOS, isWorkerCount, MAX_WORKERS, MIN_TIMED_SAMPLES, parseRatioList, ROUNDS, RUNNER_NAMES } from '../../core/eval';
import { envWorkers } from '../../engine/node/parallel/runner';
import { writeFileAtomic } from '../../engine/node/files';
import type { DatasetSource, DatasetSummary, EvalOptions, EvalPoint, PruneSpec, RuntimeName } from '../../engine/protocol';
import { allocateBlocksOption, cancellable, dataOptions, METHOD_HELP, methodFields, methodList, methodOf, progressPrinter, specFromArgs, withCtrlC } from './method-options';
import { checkOutput, inputFiles } from '../outputs';
import { checkNormalizeUsed, datasetName, datasetNote, DATASET_FORMS, normalizeOf, pathsSource } from './data-source';
import { SELECT_HELP, selectOptions, withSelection } from './select-options';
import { call, numberOption, oneModel, overridesOption, startEngine, stringList } from './prune';
import { cells, columnWidths, header, originalNote, rowText, structureText, threadsOf, type Threads } from './sweep-table';

const RUNTIMES: readonly RuntimeName[] = RUNNER_NAMES;

const commonOptions: CliCommand['options'] = {
  data: { type: 'string', multiple: true, description: `test set: ${DATASET_FORMS} (default: the bundled MNIST test split)` },
  global: { type: 'boolean', description: 'one magnitude threshold across all pruned tensors' },
  override: { type: 'string', multiple: true, description: 'NAME=R: a different ratio for one tensor' },
  ...selectOptions,
  batch: { type: 'string', description: 'large-batch size for the throughput column (default 1000, 0 = skip)' },
  limit: { type: 'string', description: 'use only the first N samples' },
  runtimes: { type: 'string', description: 'comma list of sparse,dense,onnxruntime (default all)' },
  'no-batch1': { type: 'boolean', description: 'skip the batch-1 timing' },
  json: { type: 'boolean', description: "print the results as JSON (every point's measures, its exported file's facts and the unpruned model's onnxruntime figures) instead of the table" },
  workers: { type: 'string', description: `threads for the large batch: the sparse runtime's workers and onnxruntime's intra-op threads (default: $PRUNESCOPE_WORKERS, else one per core, at most ${DEFAULT_MAX_WORKERS})` },
};

function evalSetup(args: ParsedArgs): { dataset: DatasetSource; options: EvalOptions; runtimes: readonly RuntimeName[] } {
  const data = stringList(args, 'data');
  checkNormalizeUsed(args);
  const dataset: DatasetSource = data.length > 0 ? pathsSource(data, 'data', normalizeOf(args)) : { kind: 'sample' };
  const batch = numberOption(args, 'batch', (n) => Number.isInteger(n) && n >= 0, 'must be an integer ≥ 0');
  const limit = numberOption(args, 'limit', (n) => Number.isInteger(n) && n >= 1, 'must be an integer ≥ 1');
  const workers = numberOption(args, 'workers', isWorkerCount, `must be a whole number from 1 to ${MAX_WORKERS}`);
  if (workers === undefined) {
    try {
      envWorkers();
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  let runtimes = RUNTIMES;
  if (typeof args.values.runtimes === 'string') {
    const list = args.values.runtimes.split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const r of list) if (!RUNTIMES.includes(r as RuntimeName)) throw new CliError(`--runtimes: unknown runtime "${r}" (sparse, dense, onnxruntime)`);
    runtimes = list as RuntimeName[];
  }
  const options: EvalOptions = { runtimes: [...runtimes], batch1: args.values['no-batch1'] !== true };
  if (batch !== undefined) options.batch = batch;
  if (limit !== undefined) options.limit = limit;
  if (workers !== undefined) options.workers = workers;
  return { dataset, options, runtimes };
}

/** Reads and checks the dataset for the model first (an image folder shows its progress; Ctrl-C stops it). */
async function describeData(engine: ReturnType<typeof startEngine>, dataset: DatasetSource, modelId: number): Promise<DatasetSummary> {
  const progress = progressPrinter();
  const pending = engine.request({ type: 'dataset', source: dataset, modelId }, { onProgress: (p) => progress.onProgress(p) });
  return call(cancellable(engine, pending)).finally(() => progress.clear());
}

/**
 * Throws (exit 2) when no runtime could run the model at any point: one line naming the model file
 * and why each runtime could not run it.
 */
function requireSomeRuntime(points: EvalPoint[], model: string): void {
  if (points.some((p) => p.results.some((m) => m.unavailable === undefined))) return;
  const why = new Map<string, string>();
  for (const p of points) for (const m of p.results) if (!why.has(m.runtime)) why.set(m.runtime, m.unavailable ?? 'not run');
  const reasons = [...why].map(([r, text]) => `${r}: ${text.replace(/\s*\n\s*/g, ' ').replace(/[.;]+$/, '')}`).join('; ');
  throw new CliError(`${model}: no runtime could run this model (${reasons})`);
}

function notes(points: EvalPoint[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of points) for (const m of p.results) if (m.unavailable && !seen.has(m.runtime)) {
    seen.add(m.runtime);
    out.push(`${m.runtime}: n/a (${m.unavailable})`);
  }
  return out;
}

/** The notes under a table, after a blank line: runtimes that could not run, and how ×orig was measured. */
function finish(points: EvalPoint[], runtimes: readonly RuntimeName[], io: CliIO): void {
  const lines = notes(points);
  const o = originalNote(points, runtimes);
  if (o !== undefined) lines.push(o);
  if (lines.length > 0) io.out(`\n${lines.join('\n')}\n`);
}

/** --json: the model, the dataset and the points as the engine gave them. */
function jsonText(model: string, ds: DatasetSummary, points: EvalPoint[]): string {
  return `${JSON.stringify({ model, dataset: ds.name, samples: ds.samples, points }, null, 2)}\n`;
}

export const sweepCommand: CliCommand = {
  name: 'sweep',
  summary: 'accuracy and time at many prune ratios (the experiment’s table)',
  usage:
    'prunescope sweep MODEL [--data IMAGES LABELS] [--ratios LIST] [--method LIST] [--calib PATH...] [--train PATH...]\n' +
    '                 [--epochs N] [--data-limit N] [--global] [--select LIST] [--exclude LIST] [--batch N] [--limit N] [--workers N] [--csv FILE] [--json]\n' +
    '                 [--data X.npy Y.npy | --data SET.npz | --data FOLDER [--normalize 0-1|MEAN/STD]]\n' +
    '  LIST: comma separated ratios or start:stop:step ranges, e.g. 0,0.5,0.8:0.9:0.05\n' +
    '  (default: 0 to 0.75 by 0.05, then 0.8 to 1 by 0.01). A language model with --data IDS.npy (token ids\n' +
    '  [N, T], int32/int64/uint16, no labels): next-token loss and perplexity instead of accuracy.\n' +
    '  Columns per runtime: top-1 accuracy,\n' +
    '  seconds for the whole set one sample at a time (b1 s), samples per second at --batch (/s) on\n' +
    '  N threads (×N: the sparse runtime\'s worker threads, onnxruntime\'s intra-op threads; batch 1 runs\n' +
    '  on one); with several workers, the sparse runtime\'s large batch on one of them too (sparse ×1 /s).\n' +
    '  Then the exported file of each row: parameters, nonzero ones, MACs at batch 1, the dense and the\n' +
    '  sparse file\'s size, and its time in onnxruntime at batch 1 and at --batch as a multiple of the\n' +
    '  unpruned model\'s (×orig: both timed in alternation on the same samples after a warm-up, median\n' +
    `  of ${ROUNDS} rounds; "too few" below ${MIN_TIMED_SAMPLES} samples).\n` +
    '  --json prints all of it as JSON instead of the table.\n' +
    '  Progress goes to stderr when it is a terminal; Ctrl-C cancels.\n' +
    '  --method LIST: comma list of magnitude, reconstruct, wanda, finetune (e.g. magnitude,wanda):\n' +
    '  one table with a method column, each method over every ratio (reconstruct / finetune run once\n' +
    '  per ratio before it is measured; finetune goes up the ratios in ascending order, each from the\n' +
    '  model fine-tuned at the ratio below, so its rows come in ascending order).\n' +
    SELECT_HELP +
    METHOD_HELP,
  options: {
    ...commonOptions,
    method: { type: 'string', short: 'm', description: 'comma list of pruning methods: magnitude (default), reconstruct, wanda, finetune' },
    ...dataOptions,
    ratios: { type: 'string', description: 'ratios to evaluate (default: the experiment’s 37)' },
    csv: { type: 'string', description: 'also write the results as CSV to FILE' },
  },
  async run(args, io) {
    const model = oneModel(args, 'sweep');
    let ratios = [...DEFAULT_RATIOS];
    if (typeof args.values.ratios === 'string') {
      try {
        ratios = parseRatioList(args.values.ratios);
      } catch (e) {
        throw new CliError(`--ratios: ${(e as Error).message}`);
      }
    }
    const { dataset, options, runtimes } = evalSetup(args);
    const overrides = overridesOption(args);
    const methods = methodList(args);
    const fields = methodFields(args, model, methods);
    const withMethod = methods.length > 1 || methods[0] !== 'magnitude';
    const csv = typeof args.values.csv === 'string' ? args.values.csv : undefined;
    const inputs = inputFiles(args, model);
    // Before the sweep runs: never over MODEL or a dataset (checked again when written).
    if (csv !== undefined) checkOutput(csv, inputs);
    const engine = startEngine();
    const summary = await call(engine.request({ type: 'open', source: { kind: 'path', path: model } }).promise);
    const ds = await describeData(engine, dataset, summary.modelId);
    const json = args.values.json === true;
    const spec: Omit<PruneSpec, 'ratio'> = withSelection(args, { mode: args.values.global === true ? ('global' as const) : ('layer' as const), ...(overrides ? { overrides } : {}), ...fields }, summary);
    if (!json) io.out(
      `${summary.fileName}: ${ds.samples} samples of ${datasetName(ds, dataset)}${datasetNote(ds)}${options.limit ? ` (first ${Math.min(options.limit, ds.samples)})` : ''}, ` +
        `${args.values.global === true ? 'global' : 'per-layer'} pruning${withMethod ? ` by ${methods.join(', ')}` : ''}${structureText(spec)}, large batch ${options.batch ?? 1000}\n`,
    );
    // The header names each runtime's threads, which the first point reports.
    let table: { widths: number[]; threads: Threads } | undefined;
    const progress = progressPrinter({ lines: withMethod && methods.some((m) => m !== 'magnitude') });
    const pending = engine.request(
      { type: 'sweep', modelId: summary.modelId, spec, ratios, ...(withMethod ? { methods } : {}), dataset, options },
      {
        onProgress: (p) => {
          if (p.point && json) progress.clear();
          else if (p.point) {
            progress.clear();
            if (!table) {
              const threads = threadsOf(p.point);
              const head = header(runtimes, options, withMethod, threads);
              table = { widths: columnWidths(head, withMethod), threads };
              io.out(rowText(head, table.widths));
            }
            io.out(rowText(cells(p.point, runtimes, options, withMethod, table.threads, spec.structure), table.widths));
          } else progress.onProgress(p);
        },
      },
    );
    const points = await call(cancellable(engine, pending)).finally(() => progress.clear());
    requireSomeRuntime(points, model);
    if (json) io.out(jsonText(summary.fileName, ds, points));
    else finish(points, runtimes, io);
    if (csv !== undefined) {
      const text = sweepCsv(points, { model: summary.fileName, dataset: ds.name });
      await withCtrlC([csv], (cancel) => writeFileAtomic(csv, text, { protect: inputs, cancel }));
      io.out(`wrote ${csv}\n`);
    }
    return 0;
  },
};

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'accuracy and time at one prune ratio',
  usage:
    'prunescope eval MODEL [--ratio R] [--global] [--data IMAGES LABELS] [--batch N] [--limit N] [--runtimes LIST] [--workers N] [--json]\n' +
    '                [--data X.npy Y.npy | --data SET.npz | --data FOLDER [--normalize 0-1|MEAN/STD] | --data IDS.npy]\n' +
    '                [--select LIST] [--exclude LIST] [--method M] [--calib PATH...] [--train PATH...] [--epochs N] [--data-limit N]\n' +
    '  IDS.npy: token ids [N, T] for a language model: next-token loss and perplexity instead of accuracy.\n' +
    SELECT_HELP +
    METHOD_HELP,
  options: {
    ...commonOptions,
    method: { type: 'string', short: 'm', description: 'pruning method: magnitude (default), reconstruct, wanda or finetune' },
    ...dataOptions,
    ratio: { type: 'string', short: 'r', description: 'prune ratio (default 0: the model as it is)' },
    ...allocateBlocksOption,
  },
  async run(args, io) {
    const model = oneModel(args, 'eval');
    const ratio = numberOption(args, 'ratio', (n) => Number.isFinite(n) && n >= 0 && n <= 1, 'must be a number from 0 to 1') ?? 0;
    const { dataset, options, runtimes } = evalSetup(args);
    const method = methodOf(args);
    const spec = specFromArgs(args, model, ratio);
    const withMethod = method !== 'magnitude';
    const engine = startEngine();
    const summary = await call(engine.request({ type: 'open', source: { kind: 'path', path: model } }).promise);
    const ds = await describeData(engine, dataset, summary.modelId);
    const progress = progressPrinter({ lines: withMethod });
    const selected = withSelection(args, spec, summary);
    const pending = engine.request({ type: 'evaluate', modelId: summary.modelId, spec: selected, dataset, options }, { onProgress: (p) => progress.onProgress(p) });
    const point = await call(cancellable(engine, pending)).finally(() => progress.clear());
    requireSomeRuntime([point], model);
    if (args.values.json === true) {
      io.out(jsonText(summary.fileName, ds, [point]));
      return 0;
    }
    const threads = threadsOf(point);
    const head = header(runtimes, options, withMethod, threads);
    const widths = columnWidths(head, withMethod);
    io.out(`${summary.fileName}: ${point.samples} samples of ${datasetName(ds, dataset)}${datasetNote(ds)}${structureText(selected)}\n`);
    io.out(rowText(head, widths) + rowText(cells(point, runtimes, options, withMethod, threads, selected.structure), widths));
    finish([point], runtimes, io);
    return 0;
  },
};
