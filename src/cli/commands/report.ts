// `prunescope report MODEL [--data D] [--ratios LIST] [--limit N] [--batch N] [--workers N]
// [--compare OTHER] [--sensitivity [--allocate S]] [--errors] [-o FILE]`: one self-contained HTML
// file (no network, opens from disk) to attach to a pull request: the model's facts and graph,
// metrics per node, each weight's histogram and, with --data, accuracy and time over a few prune
// ratios; with --compare the diff against OTHER; with --sensitivity the sensitivity analysis (and
// the allocation); with --errors the per-node error of OTHER (or of MODEL pruned at 0.5) on the data.

import { version } from '../../../package.json';
import { CliError, type CliCommand } from '../command';
import { isWorkerCount, MAX_WORKERS, parseRatioList } from '../../core/eval';
import type { DatasetSource, EvalOptions } from '../../engine/protocol';
import { checkOutput, inputFiles } from '../outputs';
import { ratioOption } from './args';
import { checkNormalizeUsed, DATASET_FORMS, normalizeOf, normalizeOption, pathsSource } from './data-source';
import { cancellable, progressPrinter } from './method-options';
import { call, numberOption, oneModel, startEngine, stringList } from './prune';
import { REPORT_ERRORS_RATIO } from '../../core/report/sections';

/** The ratios a report sweeps by default (the engine's REPORT_RATIOS, spelled out for --help). */
const DEFAULT_REPORT_RATIOS = '0, 0.25, 0.5, 0.75, 0.9';

/** MODEL's report beside it: "net.onnx" → "net-report.html". */
export function defaultReportPath(model: string): string {
  return `${model.replace(/\.onnx$/i, '')}-report.html`;
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'a self-contained HTML report of a model (graph, cost per node, histograms, sweep) to share',
  usage:
    'prunescope report MODEL [--data IMAGES LABELS] [--ratios LIST] [--limit N] [--batch N] [--workers N]\n' +
    '                        [--compare OTHER] [--sensitivity [--allocate S]] [--errors] [-o FILE]\n' +
    '  Writes ONE HTML file that needs no network and opens from disk in any browser: the model\'s\n' +
    '  facts, its graph (pan and zoom), MACs at batch 1 and parameters per node, a histogram of each\n' +
    '  weight and, with --data, accuracy and time of magnitude pruning at each ratio of LIST (default\n' +
    `  ${DEFAULT_REPORT_RATIOS}) as the sweep command measures them. Without --data there is no accuracy section.\n` +
    '  Default output: MODEL-report.html beside MODEL (MODEL itself is never written). Ctrl-C cancels.\n' +
    '  --compare OTHER: what differs between MODEL and OTHER (nodes, weights, before/after histograms).\n' +
    '  --sensitivity (needs --data): accuracy with one layer pruned at a time, per layer and ratio;\n' +
    '  --allocate S adds per-layer ratios reaching overall sparsity S. --errors (needs --data): the\n' +
    '  output error of every node of OTHER against MODEL (with --compare), else of MODEL pruned by\n' +
    `  magnitude per layer at ratio ${REPORT_ERRORS_RATIO}, on --limit samples (default 256). The page lists the sections it holds and says which were not requested.`,
  options: {
    data: { type: 'string', multiple: true, description: `test set for the accuracy section: ${DATASET_FORMS}` },
    ...normalizeOption,
    ratios: { type: 'string', description: `prune ratios of the accuracy section (default ${DEFAULT_REPORT_RATIOS})` },
    limit: { type: 'string', description: 'use only the first N samples' },
    batch: { type: 'string', description: 'large-batch size for the throughput column (default 1000, 0 = skip)' },
    workers: { type: 'string', description: 'threads for the large batch' },
    compare: { type: 'string', description: 'a second model to compare with (the diff section)' },
    sensitivity: { type: 'boolean', description: 'add a sensitivity analysis (needs --data)' },
    allocate: { type: 'string', description: 'with --sensitivity: per-layer ratios for this overall sparsity (0..1)' },
    errors: { type: 'boolean', description: 'add per-node error (needs --data): of OTHER, or of MODEL pruned at 0.5' },
    output: { type: 'string', short: 'o', description: 'the HTML file to write (default MODEL-report.html)' },
  },
  async run(args, io) {
    const model = oneModel(args, 'report');
    const compare = typeof args.values.compare === 'string' ? args.values.compare : undefined;
    checkNormalizeUsed(args);
    const data = stringList(args, 'data');
    const dataset: DatasetSource | undefined = data.length > 0 ? pathsSource(data, 'data', normalizeOf(args)) : undefined;
    let ratios: number[] | undefined;
    if (typeof args.values.ratios === 'string') {
      if (!dataset) throw new CliError('--ratios: give a test set with --data (the ratios are those of the accuracy section)');
      try {
        ratios = parseRatioList(args.values.ratios);
      } catch (e) {
        throw new CliError(`--ratios: ${(e as Error).message}`);
      }
    }
    const wantSensitivity = args.values.sensitivity === true;
    const wantErrors = args.values.errors === true;
    const allocate = ratioOption(args, 'allocate');
    if (allocate !== undefined && !wantSensitivity) throw new CliError('--allocate: give --sensitivity too (the allocation comes from the sensitivity curves)');
    if (wantSensitivity && !dataset) throw new CliError('--sensitivity: give a test set with --data');
    if (wantErrors && !dataset) throw new CliError('--errors: give a test set with --data');
    const options: EvalOptions = {};
    const limit = numberOption(args, 'limit', (n) => Number.isInteger(n) && n >= 1, 'must be an integer ≥ 1');
    const batch = numberOption(args, 'batch', (n) => Number.isInteger(n) && n >= 0, 'must be an integer ≥ 0');
    const workers = numberOption(args, 'workers', isWorkerCount, `must be a whole number from 1 to ${MAX_WORKERS}`);
    if (limit !== undefined) options.limit = limit;
    if (batch !== undefined) options.batch = batch;
    if (workers !== undefined) options.workers = workers;
    const out = typeof args.values.output === 'string' ? args.values.output : defaultReportPath(model);
    const inputs = inputFiles(args, model);
    if (compare !== undefined) inputs.push({ path: compare, what: 'the compared model' });
    checkOutput(out, inputs);
    const engine = startEngine();
    const summary = await call(engine.request({ type: 'open', source: { kind: 'path', path: model } }).promise);
    const otherId = compare !== undefined ? (await call(engine.request({ type: 'open', source: { kind: 'path', path: compare } }).promise)).modelId : undefined;
    const progress = progressPrinter();
    const pending = engine.request(
      {
        type: 'report',
        modelId: summary.modelId,
        path: out,
        tool: `prunescope ${version}`,
        ...(dataset ? { dataset, options } : {}),
        ...(ratios ? { ratios } : {}),
        ...(otherId !== undefined ? { compareModelId: otherId } : {}),
        ...(wantSensitivity ? { sensitivity: allocate !== undefined ? { allocate } : {} } : {}),
        ...(wantErrors ? { errors: {} } : {}),
      },
      { onProgress: (p) => progress.onProgress(p) },
    );
    const result = await call(cancellable(engine, pending, [out])).finally(() => progress.clear());
    io.out(`wrote ${out} (${Math.round(result.bytes / 1024)} KB): ${result.sections.join(', ')}\n`);
    if (!dataset) io.out('no --data given: the report has no accuracy section\n');
    return 0;
  },
};
