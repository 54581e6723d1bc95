// `prunescope export MODEL -o OUT [--format dense|sparse] [--ratio R] [--global] [--override NAME=R]`
// Writes the model (pruned when --ratio is given) in either form: weights zeroed in place, or the
// pruned weights moved into ONNX sparse initializers.

import { CliError, type CliCommand } from '../command';
import { METHOD_HELP, methodOf, specFromArgs } from './method-options';
import { oneModel, ratioOption, writePruned } from './prune';
import { inputFiles } from '../outputs';
import { SELECT_HELP } from './select-options';
import { pruneSpecOptions } from './spec-options';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write the model (optionally pruned) as dense or sparse-initializer ONNX',
  usage:
    'prunescope export MODEL -o OUT [--format dense|sparse] [--external-data] [--ratio R] [--global] [--override NAME=R ...]\n' +
    '                  [--select LIST ...] [--exclude LIST ...] [--method M] [--calib PATH...] [--train PATH...] [--epochs N] [--data-limit N]\n' +
    '  Without --ratio nothing is pruned (a re-encode; with --format sparse, zero weights of the\n' +
    '  selected tensors are stored sparsely). OUT is written atomically, never over MODEL.\n' +
    '  --external-data writes every weight of 1 KB or more, tensor by tensor, to OUT.data beside OUT\n' +
    '  (a model opened with external data is always written so, unless --format sparse).\n' +
    SELECT_HELP +
    '  --method reconstruct|wanda|finetune prunes with that method first (see prunescope prune --help).\n' +
    METHOD_HELP,
  options: {
    output: { type: 'string', short: 'o', description: 'output .onnx file' },
    format: { type: 'string', description: 'dense (default) or sparse' },
    'external-data': { type: 'boolean', description: 'write the weights to OUT.data beside OUT (external data)' },
    ...pruneSpecOptions('prune this fraction of the smallest weights first'),
  },
  async run(args, io) {
    const model = oneModel(args, 'export');
    const format = (args.values.format as string | undefined) ?? 'dense';
    if (format !== 'dense' && format !== 'sparse') throw new CliError(`--format ${format}: expected dense or sparse`);
    const externalData = args.values['external-data'] === true;
    if (externalData && format === 'sparse') throw new CliError('--external-data writes dense weights; sparse initializers stay inside the .onnx (drop --format sparse)');
    const method = methodOf(args);
    const ratio = ratioOption(args);
    if (method !== 'magnitude' && ratio === undefined) throw new CliError(`export: --method ${method} needs --ratio R`);
    const spec = specFromArgs(args, model, ratio ?? 0);
    return writePruned(io, model, args.values.output as string | undefined, spec, format, inputFiles(args, model), args, { externalData });
  },
};
