// `prunescope sensitivity MODEL --data D [--ratios LIST] [--limit N] [--select LIST] [--exclude LIST] [--structure S] [--json]`
// (issue 16: sensitivity) One row per prunable tensor: the accuracy with only that tensor pruned at
// each ratio. Also `prunescope prune MODEL --allocate SPARSITY --data D -o OUT`: per-layer ratios
// from the curves, compared with uniform per-layer and global pruning, then written.

import { CliError, type CliCommand, type CliIO, type ParsedArgs } from '../command';
import { parseRatioList, SENSITIVITY_RATIOS, type DatasetSource, type PruneSpec, type SensitivityReport } from '../../engine/protocol';
import type { EngineClient } from '../../engine/client';
import { numberOption, ratioOption, stringList } from './args';
import { checkNormalizeUsed, DATASET_FORMS, normalizeOf, normalizeOption, pathsSource } from './data-source';
import { cancellable, progressPrinter } from './method-options';
import { SELECT_HELP, selectOptions, withSelection } from './select-options';
import { call, oneModel, pct, startEngine, table, writePruned } from './prune';
import { checkOutput, inputFiles } from '../outputs';

const ANALYSIS_HELP =
  '  Each selected tensor is pruned alone by magnitude (per layer, in --structure) at each ratio and the\n' +
  '  model\'s accuracy and mean cross-entropy loss are measured on the --data samples; the other\n' +
  '  tensors stay unpruned. Only the nodes downstream of the tensor are run again per ratio.\n';

function dataSource(args: ParsedArgs, command: string): DatasetSource {
  const data = stringList(args, 'data');
  if (data.length === 0) throw new CliError(`${command} needs labelled data: give --data with ${DATASET_FORMS}`);
  checkNormalizeUsed(args);
  return pathsSource(data, 'data', normalizeOf(args));
}

function limitOf(args: ParsedArgs): number | undefined {
  return numberOption(args, 'limit', (n) => Number.isInteger(n) && n >= 1, 'must be an integer ≥ 1');
}

/** Opens MODEL and runs the analysis (with the allocation at `allocate`), progress on stderr, Ctrl-C cancels. */
async function analyse(engine: EngineClient, args: ParsedArgs, model: string, command: string, ratios: number[] | undefined, allocate?: number): Promise<{ report: SensitivityReport; spec: Pick<PruneSpec, 'select' | 'structure'> }> {
  const dataset = dataSource(args, command);
  const summary = await call(engine.request({ type: 'open', source: { kind: 'path', path: model } }).promise);
  const spec = withSelection(args, { ratio: 0, mode: 'layer' } as PruneSpec, summary);
  const progress = progressPrinter();
  const pending = engine.request(
    {
      type: 'sensitivity', modelId: summary.modelId, dataset,
      ...(ratios !== undefined ? { ratios } : {}),
      ...(spec.select !== undefined ? { select: spec.select } : {}),
      ...(spec.structure !== undefined ? { structure: spec.structure } : {}),
      ...(limitOf(args) !== undefined ? { limit: limitOf(args) } : {}),
      ...(allocate !== undefined ? { allocate } : {}),
    },
    { onProgress: (p) => progress.onProgress(p) },
  );
  const report = await call(cancellable(engine, pending)).finally(() => progress.clear());
  return { report, spec: { select: spec.select, structure: spec.structure } };
}

/** The sensitivity table: one row per tensor, accuracy at each ratio (the unpruned model's as "0"). */
export function sensitivityText(r: SensitivityReport): string {
  const ratios = r.curves[0]?.points.map((p) => p.ratio) ?? [];
  const rows = r.curves.map((c) => [c.tensor, String(c.params), pct(r.baseline.accuracy), ...c.points.map((p) => pct(p.accuracy))]);
  return (
    `accuracy with only one tensor pruned (${r.structure}), ${r.samples} samples; unpruned: accuracy ${pct(r.baseline.accuracy)}, loss ${r.baseline.loss.toFixed(4)}\n` +
    table(['tensor', 'params', '0', ...ratios.map(String)], rows) +
    [...(r.notes ?? []), ...r.curves.flatMap((c) => c.notes ?? [])].map((n) => `note: ${n}\n`).join('')
  );
}

/** The allocation table and the comparison with uniform per-layer and global pruning. */
export function allocationText(r: SensitivityReport): string {
  const a = r.allocation;
  if (a === undefined) return '';
  const rows = a.rows.map((x) => [x.tensor, String(x.params), pct(x.ratio), x.predictedLossIncrease.toFixed(4)]);
  const cmp = a.comparison.map((c) => [c.name, pct(c.sparsity), pct(c.accuracy), c.loss.toFixed(4)]);
  return (
    `allocation for ${pct(a.target)} overall sparsity of the analysed tensors (reached: ${pct(a.sparsity)}); predicted loss increase ${a.predictedLossIncrease.toFixed(4)}\n` +
    table(['tensor', 'params', 'ratio', 'Δloss alone'], rows) +
    `\ncompared on the same ${r.samples} samples (unpruned: accuracy ${pct(r.baseline.accuracy)}, loss ${r.baseline.loss.toFixed(4)})\n` +
    table(['pruning', 'sparsity', 'accuracy', 'loss'], cmp)
  );
}

/** `prune --allocate SPARSITY --data D -o OUT` (called by the prune command). */
export async function pruneAllocated(args: ParsedArgs, io: CliIO, model: string): Promise<number> {
  const target = ratioOption(args, 'allocate');
  if (target === undefined) throw new CliError('--allocate: give the overall sparsity, a number from 0 to 1');
  if (args.values.ratio !== undefined) throw new CliError('prune: give --allocate SPARSITY or --ratio R, not both');
  for (const o of ['global', 'override', 'method']) if (args.values[o] !== undefined) throw new CliError(`prune --allocate: --${o} does not apply (the allocation sets every layer's ratio)`);
  const out = args.values.output as string | undefined;
  if (out === undefined || out === '') throw new CliError('give the output file with -o OUT');
  checkOutput(out, inputFiles(args, model));
  const ratios = ratiosOf(args);
  const { report, spec } = await analyse(startEngine({ ort: false }), args, model, 'prune --allocate', ratios, target);
  io.out(allocationText(report) + '\n');
  const allocated: PruneSpec = { ratio: target, mode: 'layer', overrides: report.allocation!.overrides, ...spec };
  return writePruned(io, model, out, allocated, args.values.sparse === true ? 'sparse' : 'dense', inputFiles(args, model), args);
}

function ratiosOf(args: ParsedArgs): number[] | undefined {
  if (typeof args.values.ratios !== 'string') return undefined;
  try {
    return parseRatioList(args.values.ratios);
  } catch (e) {
    throw new CliError(`--ratios: ${(e as Error).message}`);
  }
}

export const sensitivityCommand: CliCommand = {
  name: 'sensitivity',
  summary: 'accuracy and loss per tensor when only that tensor is pruned, at each ratio',
  usage:
    'prunescope sensitivity MODEL --data D [--ratios LIST] [--limit N] [--select LIST] [--exclude LIST] [--structure S] [--json]\n' +
    ANALYSIS_HELP +
    `  --ratios: numbers and start:stop:step ranges (default ${SENSITIVITY_RATIOS.join(', ')}).\n` +
    '  --json prints the curves with the loss at every point (one curve per tensor).\n' +
    '  prunescope prune MODEL --allocate SPARSITY --data D -o OUT allocates per-layer ratios from them.\n' +
    SELECT_HELP,
  options: {
    data: { type: 'string', multiple: true, description: `labelled samples: ${DATASET_FORMS}` },
    ...normalizeOption,
    ratios: { type: 'string', description: 'the ratios of each curve' },
    limit: { type: 'string', description: 'use only the first N samples' },
    ...selectOptions,
    json: { type: 'boolean', description: 'print the curves (accuracy and loss at every ratio) as JSON' },
  },
  async run(args, io) {
    const model = oneModel(args, 'sensitivity');
    const { report } = await analyse(startEngine({ ort: false }), args, model, 'sensitivity', ratiosOf(args));
    io.out(args.values.json === true ? `${JSON.stringify({ model, ...report }, null, 2)}\n` : sensitivityText(report));
    return 0;
  },
};
