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
import { checkOutput } from '../outputs';

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

    const created: string[] = [];
    const written: string[] = [];
    try {
      // Folders this command makes: the dump folder and a --matrices folder. A --json FILE goes into
      // a folder that exists, like every other file output (prune -o, export -o, sweep --csv).
      for (const d of new Set([both ? dir : undefined, matrixDir])) {
        if (d === undefined) continue;
        const first = await fsp.mkdir(d, { recursive: true });
        if (first !== undefined) created.push(first);
      }
      if (jsonPath !== undefined) {
        const r = await call(cancellable(engine, engine.request({ type: 'dumpJson', modelId, path: jsonPath }), [jsonPath]));
        written.push(jsonPath);
        io.out(`wrote ${jsonPath} (${bytesText(r.bytes ?? 0)})\n`);
      }
      if (matrixDir !== undefined) {
        const r = await call(engine.request({ type: 'dumpMatrices', modelId, dir: matrixDir, weights: { minConstantParams } }).promise);
        io.out(`wrote ${countText(r.files.length)} matrices (${countText(r.values)} values) into ${matrixDir}\n`);
        if (r.skipped.length > 0) io.out(`skipped (not real numbers): ${r.skipped.join(', ')}\n`);
      }
    } catch (e) {
      // Leave nothing half done behind: remove what this run wrote and the folders it created (the
      // engine writes each matrix atomically, so a failed one leaves no partial file).
      for (const f of written) await fsp.rm(f, { force: true }).catch(() => undefined);
      for (const d of created.reverse()) await fsp.rm(d, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    return 0;
  },
};
