// `prunescope dump MODEL [--json FILE] [--matrices DIR] [--out DIR]`: the model in the protobuf
// JSON mapping and every weight tensor as a text matrix.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { DataType } from '../../core/onnx/model';
import { modelToJson } from '../../core/onnx/json';
import { matrixFileNames, matrixShape, matrixTextChunks, sparseToDense } from '../../core/dump';
import { loadModelFile, writeFileAtomic } from '../../engine/node/files';
import { weightEntries, type WeightEntry } from '../../engine/summary';
import { writeAtomic } from '../../engine/node/atomic-write';
import { CliError, type CliCommand } from '../command';
import { bytesText, countText } from '../format';
import { SMALL_CONSTANT, oneModelArg } from './info';

function dumpable(w: WeightEntry): boolean {
  const t = w.tensor;
  return !Array.isArray(t.data) && t.dataType !== DataType.STRING && t.dataType !== DataType.COMPLEX64 && t.dataType !== DataType.COMPLEX128;
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
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
    const { model, fileName } = await loadModelFile(file);
    const both = jsonOpt === undefined && matOpt === undefined;
    const dir = outOpt ?? `${file}.dump`;
    const jsonPath = both ? path.join(dir, `${fileName}.json`) : jsonOpt;
    const matrixDir = both ? dir : matOpt;
    if (jsonPath !== undefined && samePath(jsonPath, file)) throw new CliError(`${fileName}: refusing to write the JSON dump over the model`);

    const weights = weightEntries(model, { minConstantParams: args.values.all === true ? 1 : SMALL_CONSTANT });
    const numeric = weights.filter(dumpable);
    const skipped = weights.filter((w) => !dumpable(w)).map((w) => w.tensor.name);
    // Render the JSON before touching the filesystem, so a failure leaves nothing behind.
    const jsonText = jsonPath !== undefined ? modelToJson(model) : undefined;

    const created: string[] = [];
    const written: string[] = [];
    try {
      for (const d of new Set([jsonPath !== undefined ? path.dirname(jsonPath) : undefined, matrixDir])) {
        if (d === undefined) continue;
        const first = await fsp.mkdir(d, { recursive: true });
        if (first !== undefined) created.push(first);
      }
      if (jsonPath !== undefined && jsonText !== undefined) {
        await writeFileAtomic(jsonPath, jsonText, { protect: file });
        written.push(jsonPath);
        io.out(`wrote ${jsonPath} (${bytesText(Buffer.byteLength(jsonText))})\n`);
      }
      if (matrixDir !== undefined) {
        const names = matrixFileNames(numeric.map((w) => w.tensor.name));
        for (let i = 0; i < numeric.length; i++) {
          const target = path.join(matrixDir, names[i]);
          if (samePath(target, file)) throw new CliError(`${fileName}: refusing to write a matrix over the model`);
          const w = numeric[i];
          await writeAtomic(target, matrixTextChunks(w.sparse ? sparseToDense(w.sparse) : w.tensor));
          written.push(target);
        }
        const values = numeric.reduce((s, w) => {
          const { rows, cols } = matrixShape(w.sparse ? w.sparse.dims : w.tensor.dims);
          return s + rows * cols;
        }, 0);
        io.out(`wrote ${countText(numeric.length)} matrices (${countText(values)} values) into ${matrixDir}\n`);
        if (skipped.length > 0) io.out(`skipped (not real numbers): ${skipped.join(', ')}\n`);
      }
    } catch (e) {
      // Leave nothing half done behind: remove what this run wrote and the folders it created.
      for (const f of written) await fsp.rm(f, { force: true }).catch(() => undefined);
      for (const d of created.reverse()) await fsp.rm(d, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    return 0;
  },
};
