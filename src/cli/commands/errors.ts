// `prunescope errors MODEL [PRUNED] [--data D] [--samples N] [--ratio R and the prune options of eval] [--json]`
// Where pruning hurts: both models run on the first N samples and every node of MODEL's main
// graph gets its output error (relative L2, cosine) against MODEL; the model outputs' error and
// the top-1 agreement on top, the table in graph order, the worst five named at the end.

import { CliError, type CliCommand, type ParsedArgs } from '../command';
import { numText, pctText, textTable } from '../format';
import { DEFAULT_NODE_ERROR_SAMPLES, type DatasetSource, type DatasetSummary, type NodeErrorReport, type PruneSpec, type ValueError } from '../../engine/protocol';
import { checkNormalizeUsed, DATASET_FORMS, datasetName, datasetNote, normalizeOf, pathsSource } from './data-source';
import { cancellable, METHOD_HELP, progressPrinter } from './method-options';
import { call, numberOption, startEngine, stringList } from './prune';
import { SELECT_HELP, withSelection } from './select-options';
import { pruneSpecOptions, specWithRatio } from './spec-options';

/** Options that prune MODEL: refused when PRUNED is given. */
const PRUNE_FLAGS = ['ratio', 'method', 'global', 'override', 'select', 'exclude', 'structure', 'importance', 'channel-multiple', 'calib', 'train', 'epochs', 'distill', 'lr', 'start', 'data-limit', 'allocation'];

const WORST = 5;

function models(args: ParsedArgs): { model: string; pruned?: string } {
  const p = args.positionals;
  if (p.length < 1 || p.length > 2) throw new CliError('errors: give MODEL, and the pruned model PRUNED or --ratio R (see prunescope errors --help)');
  return p.length === 2 ? { model: p[0], pruned: p[1] } : { model: p[0] };
}

function datasetOf(args: ParsedArgs): DatasetSource {
  const data = stringList(args, 'data');
  checkNormalizeUsed(args);
  return data.length > 0 ? pathsSource(data, 'data', normalizeOf(args)) : { kind: 'sample' };
}

/** "16×28×28" from a value's dims (the first, the batch, left out when the value has more). */
function dimsText(dims: number[]): string {
  return (dims.length > 1 ? dims.slice(1) : dims).join('×');
}

function cellsOf(v: ValueError): [string, string, string] {
  if (v.missing) return ['-', '-', 'not in the pruned model'];
  if (v.shapeChanged) return ['-', '-', `shape changed ${dimsText(v.shapeChanged.original)} → ${dimsText(v.shapeChanged.pruned)}`];
  return [numText(v.relL2 ?? NaN), (v.cosine ?? NaN).toFixed(6), v.zeroReference ? 'original is 0' : ''];
}

function nodeName(name: string, opType: string, index: number): string {
  return name !== '' ? name : `(${opType} #${index})`;
}

/** The report as text: outputs and agreement, the table in graph order, the worst five. */
export function errorsText(r: NodeErrorReport): string {
  const lines: string[] = [];
  for (const o of r.outputs) {
    const [rel, cos, note] = cellsOf(o);
    lines.push(`model output ${o.value}: rel L2 ${rel}, cosine ${cos}${note ? ` (${note})` : ''}`);
  }
  if (r.top1Agreement !== undefined) {
    lines.push(`top-1 agreement: ${pctText(r.top1Agreement, 1)} (${Math.round(r.top1Agreement * r.samples)} of ${r.samples} samples)`);
  }
  const rows: string[][] = [];
  for (const n of r.nodes) {
    n.outputs.forEach((v, k) => {
      const [rel, cos, note] = cellsOf(v);
      const label = k === 0 ? nodeName(n.name, n.opType, n.index) : `  └ ${v.value}`;
      rows.push([k === 0 ? String(n.index) : '', label, k === 0 ? n.opType : '', rel, cos, note]);
    });
  }
  const notes = rows.some((row) => row[5] !== '');
  const head = ['#', 'node', 'op', 'rel L2', 'cosine', ...(notes ? ['note'] : [])];
  const table = textTable(head, notes ? rows : rows.map((row) => row.slice(0, 5)), ['right', 'left', 'left', 'right', 'right', 'left']);
  const measured = r.nodes.flatMap((n) => n.outputs.filter((v) => v.relL2 !== undefined).map((v) => ({ n, v })));
  const worst = [...measured].sort((a, b) => b.v.relL2! - a.v.relL2! || a.n.index - b.n.index).slice(0, WORST);
  const worstText = worst.length === 0
    ? 'no node has a number (every value changed shape or is missing)\n'
    : `worst ${worst.length} by rel L2: ${worst.map(({ n, v }) => `${nodeName(n.name, n.opType, n.index)} (${n.opType}${n.outputs.length > 1 ? ` ${v.value}` : ''}) ${numText(v.relL2!)}`).join(', ')}\n`;
  return `${lines.join('\n')}\n\n${table}\n${worstText}`;
}

export const errorsCommand: CliCommand = {
  name: 'errors',
  summary: 'where pruning hurts: every node’s output error of a pruned model against the original',
  usage:
    'prunescope errors MODEL PRUNED [--data D] [--samples N] [--json]\n' +
    'prunescope errors MODEL --ratio R [--global] [--override NAME=R ...] [--select LIST] [--exclude LIST] [--method M ...] [--data D] [--samples N] [--json]\n' +
    '  Runs MODEL and the pruned model (PRUNED, or MODEL pruned by the options as eval takes them) in\n' +
    `  Prunescope's runtime on the first N samples of D (default ${DEFAULT_NODE_ERROR_SAMPLES}; D: ${DATASET_FORMS};\n` +
    '  default the bundled MNIST test split) and gives each node of MODEL its output\'s error against\n' +
    '  MODEL, values matched by name: rel L2 = ‖a − b‖ / ‖a‖ and cosine = a·b / (‖a‖‖b‖) over all N\n' +
    '  samples together (a: MODEL, b: pruned). A value whose shape changed (channels removed) has no\n' +
    '  number. On top: the model outputs\' error and the share of samples with the same top-1 class;\n' +
    '  at the end the five worst nodes. --json prints the report as JSON.\n' +
    SELECT_HELP +
    METHOD_HELP,
  options: {
    data: { type: 'string', multiple: true, description: `dataset: ${DATASET_FORMS} (default: the bundled MNIST test split)` },
    samples: { type: 'string', short: 'n', description: `samples to run (the first N; default ${DEFAULT_NODE_ERROR_SAMPLES})` },
    ...pruneSpecOptions('prune MODEL at this ratio (0..1) when PRUNED is not given'),
    json: { type: 'boolean', description: 'print the report as JSON instead of the table' },
  },
  async run(args, io) {
    const { model, pruned } = models(args);
    const samples = numberOption(args, 'samples', (n) => Number.isInteger(n) && n >= 1, 'must be an integer ≥ 1') ?? DEFAULT_NODE_ERROR_SAMPLES;
    const dataset = datasetOf(args);
    let spec: PruneSpec | undefined;
    if (pruned !== undefined) {
      const given = PRUNE_FLAGS.filter((f) => args.values[f] !== undefined);
      if (given.length > 0) throw new CliError(`errors: --${given[0]} prunes MODEL; with PRUNED given, leave it out`);
    } else {
      spec = specWithRatio(args, model, 'errors: give the pruned model PRUNED, or --ratio R to prune MODEL');
    }
    const engine = startEngine({ ort: false });
    const summary = await call(engine.request({ type: 'open', source: { kind: 'path', path: model } }).promise);
    const other = pruned !== undefined ? await call(engine.request({ type: 'open', source: { kind: 'path', path: pruned } }).promise) : undefined;
    const ds: DatasetSummary = await call(engine.request({ type: 'dataset', source: dataset, modelId: summary.modelId }).promise);
    const selected = spec ? withSelection(args, spec, summary) : undefined;
    const progress = progressPrinter({ lines: spec?.method !== undefined && spec.method !== 'magnitude' });
    const pending = engine.request(
      { type: 'nodeErrors', modelId: summary.modelId, ...(other ? { prunedModelId: other.modelId } : { spec: selected }), dataset, samples },
      { onProgress: (p) => progress.onProgress(p) },
    );
    const report = await call(cancellable(engine, pending)).finally(() => progress.clear());
    const against = other ? other.fileName : `pruned ${selected!.ratio}${selected!.method ? ` by ${selected!.method}` : ''}${selected!.mode === 'global' ? ' (global)' : ''}${selected!.structure ? `, ${selected!.structure}` : ''}`;
    if (args.values.json === true) {
      io.out(`${JSON.stringify({ model: summary.fileName, pruned: against, dataset: ds.name, ...report }, null, 2)}\n`);
      return 0;
    }
    const fewer = report.samples < report.requested ? ` (the set holds ${report.samples}; ${report.requested} asked)` : '';
    io.out(`${summary.fileName} against ${against}: ${report.samples} samples of ${datasetName(ds, dataset)}${datasetNote(ds)}${fewer}\n`);
    io.out(errorsText(report));
    return 0;
  },
};
