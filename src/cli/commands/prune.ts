// `prunescope prune MODEL --ratio R [--method M] [--calib PATH...] [--train PATH...] [--global] [--override NAME=R ...] [--select LIST] [--exclude LIST] [--sparse] -o OUT`
// Also the helpers the engine-backed commands (sweep, eval, export) share: an in-process engine,
// engine errors turned into one-line CLI errors, option parsing.

import { CliError, type CliCommand, type CliIO, type ParsedArgs } from '../command';
import { EngineRequestError, type EngineClient } from '../../engine/client';
import { inProcessEngine } from '../../engine/in-process';
import { nodePlatform } from '../../engine/node/platform';
import type { PruneReport, PruneSpec } from '../../engine/protocol';
import { numberOption, overridesOption, ratioOption, stringList } from './args';
import { checkOutput, inputFiles } from '../outputs';
import type { ProtectedFile } from '../../engine/node/atomic-write';
import { allocateBlocksOption, cancellable, METHOD_HELP, progressPrinter } from './method-options';
import { SELECT_HELP, withSelection } from './select-options';
import { pruneSpecOptions, specWithRatio } from './spec-options';
import { DEFAULT_CHANNEL_MULTIPLE, DEFAULT_STRUCTURE } from '../../core/prune/structure';
import { SENSITIVITY_RATIOS } from '../../core/prune/sensitivity-report';
import { DATASET_FORMS } from './data-source';
import { pruneAllocated } from './sensitivity';

export { numberOption, overridesOption, ratioOption, stringList };

export function startEngine(options: { ort?: boolean } = {}): EngineClient {
  return inProcessEngine(nodePlatform({ ort: options.ort }).platform).client;
}

/** Awaits an engine result; engine errors become a CliError (one line, exit 2). */
export async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof EngineRequestError) throw new CliError(e.message);
    throw e;
  }
}

export function oneModel(args: ParsedArgs, command: string): string {
  if (args.positionals.length !== 1) throw new CliError(`${command}: give exactly one MODEL file (see prunescope ${command} --help)`);
  return args.positionals[0];
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Left-aligned first column, right-aligned others. */
export function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n') + '\n';
}

/** The structure line above the report: what was removed together (channels: the multiple kept). */
export function structureLine(report: PruneReport, spec: Pick<PruneSpec, 'channelMultiple'>): string {
  const s = report.structure ?? DEFAULT_STRUCTURE;
  if (s !== 'channels') return `structure: ${s}${s === DEFAULT_STRUCTURE ? ' (single weights)' : /x/.test(s) ? ' blocks' : ''}\n`;
  const q = spec.channelMultiple ?? DEFAULT_CHANNEL_MULTIPLE;
  return `structure: channels (whole output channels removed, the model rewritten smaller${q > 1 ? `; kept channels in multiples of ${q} where a layer has a multiple of ${q}` : ''})\n`;
}

export function reportText(report: PruneReport, spec: Pick<PruneSpec, 'channelMultiple'> = {}): string {
  const rows = report.layers.map((l) => [
    l.tensor,
    l.keptDims !== undefined && l.keptDims.join('×') !== l.dims.join('×') ? `${l.dims.join('×')} → ${l.keptDims.join('×')}` : l.dims.join('×'),
    String(l.n),
    String(l.kept),
    pct(l.ratio),
    l.threshold.toPrecision(4),
  ]);
  const pruned = report.prunableParams - report.keptParams;
  return (
    structureLine(report, spec) +
    table(['tensor', 'shape', 'params', 'kept', 'pruned', 'threshold'], rows) +
    `pruned ${pruned} of ${report.prunableParams} prunable weights (${pct(report.prunableParams ? pruned / report.prunableParams : 0)}); ` +
    `${report.totalParams} parameters in all\n` +
    (report.notes ?? []).map((n) => `note: ${n}\n`).join('')
  );
}

/** Shared by prune and export: open, prune (the selection of `args`' --select / --exclude), write OUT atomically (never over MODEL). */
export async function writePruned(
  io: CliIO,
  model: string,
  out: string | undefined,
  spec: PruneSpec,
  format: 'dense' | 'sparse',
  inputs: readonly ProtectedFile[] = [model],
  args?: ParsedArgs,
  options: { externalData?: boolean } = {},
): Promise<number> {
  if (out === undefined || out === '') throw new CliError('give the output file with -o OUT');
  // Before any work: never over MODEL or a dataset (the engine's writer checks again, with the
  // model's external-data files, just before it writes).
  checkOutput(out, inputs);
  const engine = startEngine({ ort: false });
  const summary = await call(engine.request({ type: 'open', source: { kind: 'path', path: model } }).promise);
  const selected = args ? withSelection(args, spec, summary) : spec;
  const progress = progressPrinter({ lines: spec.method !== undefined && spec.method !== 'magnitude' });
  const pending = engine.request({ type: 'export', modelId: summary.modelId, spec: selected, format, path: out, ...(options.externalData ? { externalData: true } : {}) }, { onProgress: (p) => progress.onProgress(p) });
  const result = await call(cancellable(engine, pending, [out])).finally(() => progress.clear());
  if (spec.method !== undefined && spec.method !== 'magnitude') io.out(`method: ${spec.method}\n`);
  io.out(reportText(result.report, selected));
  const size = format === 'sparse' ? result.report.sparseBytes : result.report.denseBytes;
  const form = `${result.report.structure === 'channels' ? 'the smaller model' : 'zeroed in place'}${result.externalData !== undefined ? `, the weights in ${result.externalData} beside it` : ''}`;
  io.out(`wrote ${out} (${format === 'sparse' ? `${result.report.structure === 'channels' ? 'the smaller model, ' : ''}sparse initializers` : form}, about ${bytesText(size)})\n`);
  return 0;
}

export const pruneCommand: CliCommand = {
  name: 'prune',
  summary: 'prune weights (magnitude, reconstruct, wanda or finetune) and write the pruned model',
  usage:
    'prunescope prune MODEL --ratio R [--global] [--override NAME=R ...] [--select LIST ...] [--exclude LIST ...] [--sparse] -o OUT\n' +
    '  Each selected weight tensor (default: the Conv, Gemm and MatMul weights, never biases) loses\n' +
    '  the fraction R of its entries with the smallest |w| (--global: one threshold across them all).\n' +
    '  OUT is written atomically and never over MODEL. --sparse stores the pruned weights as\n' +
    '  ONNX sparse initializers (a Constant node\'s weight as its sparse_value) instead of zeros in place.\n' +
    SELECT_HELP +
    '  prunescope prune MODEL --ratio R --method reconstruct|wanda|finetune [--calib PATH...] [--train PATH...]\n' +
    '                   [--epochs N] [--data-limit N] [--allocate-blocks] -o OUT\n' +
    METHOD_HELP +
    '\n  Each pruned tensor then holds exactly round(R × n) zeros whatever the method; the report\'s\n' +
    '  threshold is the largest original |w| the method removed.\n' +
    '  prunescope prune MODEL --allocate SPARSITY --data D [--ratios LIST] [--limit N] -o OUT\n' +
    '  A sensitivity analysis on D (see prunescope sensitivity) gives each layer its ratio: together\n' +
    '  they remove SPARSITY of the selected weights with the least predicted loss; the allocation is\n' +
    '  compared on D with uniform per-layer and global magnitude pruning at that sparsity, then written.',
  options: {
    ...pruneSpecOptions('fraction of weights to remove, 0..1'),
    ...allocateBlocksOption,
    sparse: { type: 'boolean', description: 'write pruned weights as sparse initializers' },
    output: { type: 'string', short: 'o', description: 'output .onnx file' },
    // issue 16: sensitivity
    allocate: { type: 'string', description: 'SPARSITY: per-layer ratios from a sensitivity analysis on --data reaching this overall sparsity (instead of --ratio)' },
    data: { type: 'string', multiple: true, description: `--allocate: labelled samples, ${DATASET_FORMS}` },
    ratios: { type: 'string', description: `--allocate: the ratios of the sensitivity analysis (default ${SENSITIVITY_RATIOS.join(', ')})` },
    limit: { type: 'string', description: '--allocate: use only the first N samples' },
  },
  async run(args, io) {
    const model = oneModel(args, 'prune');
    if (args.values.allocate !== undefined) return pruneAllocated(args, io, model);
    for (const o of ['data', 'ratios', 'limit']) if (args.values[o] !== undefined) throw new CliError(`prune: --${o} goes with --allocate SPARSITY`);
    const spec = specWithRatio(args, model, 'prune: give the prune ratio with --ratio R (0..1)');
    return writePruned(io, model, args.values.output as string | undefined, spec, args.values.sparse === true ? 'sparse' : 'dense', inputFiles(args, model), args);
  },
};
