// `prunescope dump MODEL [--json FILE] [--matrices DIR] [--out DIR]`: the model in the protobuf
// JSON mapping and every weight tensor as a text matrix.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { matrixFileNames } from '../../core/dump';
import { CliError, type CliCommand } from '../command';
import { bytesText, countText } from '../format';
import { SMALL_CONSTANT, oneModelArg, openWithWeights } from './info';
import { call } from './prune';
import { cancellable } from './method-options';
import { changedFiles, checkOutput, markFiles } from '../outputs';

/** What a Ctrl-C left: the files this run removed again, and the ones it wrote that stay. */
function stoppedMessage(removed: readonly string[], kept: readonly string[]): string {
  if (removed.length === 0 && kept.length === 0) return 'cancelled (Ctrl-C); nothing was written';
  const parts: string[] = [];
  if (removed.length > 0) parts.push(`removed the ${removed.length === 1 ? 'file' : `${removed.length} files`} this run had written`);
  if (kept.length > 0) parts.push(`${kept.join(', ')} ${kept.length === 1 ? 'was' : 'were'} already written over the older file${kept.length === 1 ? '' : 's'} and stay${kept.length === 1 ? 's' : ''}`);
  return `cancelled (Ctrl-C); ${parts.join('; ')}`;
}

export const dumpCommand: CliCommand = {
  name: 'dump',
  summary: 'write the model as JSON and every weight tensor as a text matrix',
  usage:
    'prunescope dump MODEL [--json FILE] [--matrices DIR] [--out DIR] [--all]\n' +
    '  Without --json and --matrices both are written into DIR (default: MODEL.dump beside the\n' +
    '  model): DIR/<model file name>.json and DIR/<tensor>_matrix.txt. With only --json or only\n' +
    '  --matrices, only that is written.\n' +
    '  JSON: the protobuf JSON mapping of the whole model (camelCase fields, int64 as strings,\n' +
    '  bytes as base64). Matrices: one row per line, values separated by single spaces; a 1-D tensor\n' +
    '  on one line, an N-D tensor as [dim0, product of the other dims]; floats as the shortest\n' +
    '  decimal that reads back to the same float32; nan/inf/-inf for non-finite values. Every\n' +
    '  initializer, and Constant tensors of 16 or more elements (--all: every one). File names come\n' +
    '  from the tensor names, made safe for any filesystem and unique. Files are written atomically;\n' +
    '  the model is never overwritten.',
  options: {
    json: { type: 'string', description: 'write the JSON dump to FILE' },
    matrices: { type: 'string', description: 'write the matrices into DIR (created if missing)' },
    out: { type: 'string', short: 'o', description: 'directory for both (default MODEL.dump)' },
    all: { type: 'boolean', description: 'also small Constant tensors' },
  },
  async run(args, io) {
    const file = oneModelArg(args.positionals, 'dump');
    const jsonOpt = args.values.json as string | undefined;
    const matOpt = args.values.matrices as string | undefined;
    const outOpt = args.values.out as string | undefined;
    if (outOpt !== undefined && (jsonOpt !== undefined || matOpt !== undefined)) {
      throw new CliError('dump: --out cannot be combined with --json or --matrices');
    }
    const minConstantParams = args.values.all === true ? 1 : SMALL_CONSTANT;
    const { engine, summary, weights } = await openWithWeights(file, { minConstantParams, zeros: false });
    const { fileName, modelId } = summary;
    const both = jsonOpt === undefined && matOpt === undefined;
    const dir = outOpt ?? `${file}.dump`;
    const jsonPath = both ? path.join(dir, `${fileName}.json`) : jsonOpt;
    const matrixDir = both ? dir : matOpt;
    // Before anything is written: no output over the model (by identity: any spelling, alias or
    // hard link), nor over a folder, device or FIFO.
    const inputs = [{ path: file, what: 'the model' }];
    if (jsonPath !== undefined) checkOutput(jsonPath, inputs);
    const matrixPaths = matrixDir === undefined ? [] : matrixFileNames(weights.filter((w) => w.numeric).map((w) => w.name)).map((n) => path.join(matrixDir, n));
    for (const p of matrixPaths) checkOutput(p, inputs);

    // What was there before, to tell this run's files from older ones when it stops half way.
    const marks = markFiles([...(jsonPath !== undefined ? [jsonPath] : []), ...matrixPaths]);
    const created: string[] = [];
    try {
      // Folders this command makes: the dump folder and a --matrices folder. A --json FILE goes into
      // a folder that exists, like every other file output (prune -o, export -o, sweep --csv).
      for (const d of new Set([both ? dir : undefined, matrixDir])) {
        if (d === undefined) continue;
        const first = await fsp.mkdir(d, { recursive: true });
        if (first !== undefined) created.push(first);
      }
      if (jsonPath !== undefined) {
        const r = await call(cancellable(engine, engine.request({ type: 'dumpJson', modelId, path: jsonPath })));
        io.out(`wrote ${jsonPath} (${bytesText(r.bytes ?? 0)})\n`);
      }
      if (matrixDir !== undefined) {
        // Ctrl-C stops between files (the file being written is left out by the atomic writer).
        const r = await call(cancellable(engine, engine.request({ type: 'dumpMatrices', modelId, dir: matrixDir, weights: { minConstantParams } })));
        io.out(`wrote ${countText(r.files.length)} matrices (${countText(r.values)} values) into ${matrixDir}\n`);
        if (r.skipped.length > 0) io.out(`skipped (not real numbers): ${r.skipped.join(', ')}\n`);
      }
    } catch (e) {
      // Leave nothing half done behind: remove the files this run made and the folders it created
      // (each file is written atomically, so a failed one leaves no partial file). A file that
      // replaced an older one of the same name stays: removing it would not bring the old one back.
      const removed: string[] = [];
      const kept: string[] = [];
      for (const m of marks) {
        if (changedFiles([m]).length === 0) continue;
        if (m.id !== undefined) kept.push(m.path);
        else if (await fsp.rm(m.path, { force: true }).then(() => true, () => false)) removed.push(m.path);
        else kept.push(m.path);
      }
      for (const d of created.reverse()) await fsp.rm(d, { recursive: true, force: true }).catch(() => undefined);
      if (e instanceof CliError && e.exitCode === 130) throw new CliError(stoppedMessage(removed, kept), 130);
      throw e;
    }
    return 0;
  },
};
