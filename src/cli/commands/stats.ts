// `prunescope stats MODEL [--tensor NAME ...] [--bins N] [--json] [--all]`: statistics and a text
// histogram of each weight tensor.
import type { TensorStatistics, WeightSummary } from '../../engine/protocol';
import { CliError, type CliCommand, type ParsedArgs } from '../command';
import { countText, dimsText, histogramText, numText, pctText } from '../format';
import { SMALL_CONSTANT, oneModelArg, openWithWeights } from './info';
import { call } from './prune';

export const TEXT_BINS = 20;
export const JSON_BINS = 64;

export type StatsRow = TensorStatistics & { source: WeightSummary['source']; graph: string };

function binsOption(args: ParsedArgs, json: boolean): number {
  const v = args.values.bins;
  if (v === undefined) return json ? JSON_BINS : TEXT_BINS;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < 1 || n > 10000) {
    throw new CliError(`--bins ${String(v)}: expected a whole number from 1 to 10000`);
  }
  return n;
}

/** The weights to report: the named ones (any size), or every weight but small Constants. */
export function pickWeights(all: WeightSummary[], names: string[], fileName: string, includeSmall: boolean): WeightSummary[] {
  if (names.length === 0) {
    return all.filter((w) => includeSmall || w.source !== 'constant' || w.external || w.params >= SMALL_CONSTANT);
  }
  return names.map((name) => {
    const w = all.find((x) => x.name === name);
    if (!w) throw new CliError(`${fileName}: no initializer or Constant tensor named ${JSON.stringify(name)}`);
    return w;
  });
}

function statsText(s: StatsRow): string {
  let out = `${s.name}  ${s.dtype}${dimsText(s.dims)}  ${countText(s.count)} values  (${s.source}${s.graph ? ` in ${s.graph}` : ''})\n`;
  out += `  min ${numText(s.min)}  max ${numText(s.max)}  mean ${numText(s.mean)}  std ${numText(s.std)}\n`;
  out += `  zeros ${countText(s.zeros)} (${pctText(s.count > 0 ? s.zeros / s.count : 0)})  non-finite ${countText(s.nonFinite)}\n`;
  out += `  |w| p50 ${numText(s.absP50)}  p90 ${numText(s.absP90)}  p99 ${numText(s.absP99)}\n`;
  out += histogramText(s.histogram, '  ');
  return out;
}

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: 'statistics and a histogram of each weight tensor (or of the named ones)',
  usage:
    'prunescope stats MODEL [--tensor NAME ...] [--bins N] [--json] [--all]\n' +
    '  Per tensor: count, min, max, mean, std (population), zeros, non-finite values, the |w|\n' +
    '  quantiles p50/p90/p99 (exact) and a histogram over [min, max] (non-finite values left out).\n' +
    `  Default: every initializer and Constant tensor of ${SMALL_CONSTANT} or more elements (--all: every one).\n` +
    `  Bins default to ${TEXT_BINS} for text and ${JSON_BINS} with --json.`,
  options: {
    tensor: { type: 'string', short: 't', multiple: true, description: 'only this tensor (repeatable)' },
    bins: { type: 'string', short: 'b', description: 'histogram bins (1 to 10000)' },
    json: { type: 'boolean', description: 'print JSON instead of text' },
    all: { type: 'boolean', description: 'include small Constant tensors' },
  },
  async run(args, io) {
    const file = oneModelArg(args.positionals, 'stats');
    const json = args.values.json === true;
    const bins = binsOption(args, json);
    const names = (args.values.tensor as string[] | undefined) ?? [];
    const { engine, summary, weights: all } = await openWithWeights(file, { zeros: false });
    const fileName = summary.fileName;
    const picked = pickWeights(all, names, fileName, args.values.all === true);
    const skipped: string[] = [];
    const numeric: WeightSummary[] = [];
    for (const w of picked) {
      if (w.numeric) numeric.push(w);
      else if (names.length > 0) throw new CliError(`${fileName}: tensor ${JSON.stringify(w.name)} is not real-valued numeric data`);
      else skipped.push(w.name);
    }
    // The engine counts large float32 tensors on its statistics workers.
    const weights = numeric.map((w) => ({ graph: w.graph, name: w.name }));
    const stats = numeric.length > 0 ? await call(engine.request({ type: 'stats', modelId: summary.modelId, weights, bins }).promise) : [];
    const rows: StatsRow[] = stats.map((st, i) => ({ ...st, source: numeric[i].source, graph: numeric[i].graph }));
    if (json) {
      io.out(`${JSON.stringify({ file: fileName, bins, tensors: rows, skipped }, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) io.out(`${fileName}: no weight tensors\n`);
    io.out(rows.map(statsText).join('\n'));
    if (skipped.length > 0) io.out(`\nskipped (not real numbers): ${skipped.join(', ')}\n`);
    return 0;
  },
};
