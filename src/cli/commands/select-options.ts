// --select / --exclude / --structure / --importance / --channel-multiple of prune, export, eval and sweep: which weights
// to prune and what is removed together. Tensors by name or
// op type (`--select Conv,Gemm`, repeatable or comma-separated), resolved against the prunable
// tensors the engine lists for the open model (core's resolveSelection). Without either option the
// spec names no tensors and the engine prunes its default: the same tensors as the app.

import { CliError, type CliCommand, type ParsedArgs } from '../command';
import { resolveSelection } from '../../core/prune/prunable';
import type { ModelSummary, PruneSpec } from '../../engine/protocol';
import { stringList } from './args';
import { canonicalStructure, parseStructure, CHANNEL_IMPORTANCES, DEFAULT_CHANNEL_MULTIPLE, DEFAULT_IMPORTANCE, DEFAULT_STRUCTURE, isChannelImportance, isChannelMultiple, MAX_CHANNEL_MULTIPLE, STRUCTURE_FORMS } from '../../core/prune/structure';

export const selectOptions: CliCommand['options'] = {
  select: {
    type: 'string',
    multiple: true,
    description: 'prune these tensors and op types instead of the default (Conv, Gemm and MatMul weights), e.g. --select Conv,Gemm',
  },
  exclude: { type: 'string', multiple: true, description: 'do not prune these tensors or op types, e.g. --exclude ConvTranspose,fc.weight' },
  structure: {
    type: 'string',
    description: `what is removed together: ${STRUCTURE_FORMS} (default ${DEFAULT_STRUCTURE})`,
  },
  importance: {
    type: 'string',
    description: `channels: how a channel is scored, ${CHANNEL_IMPORTANCES.join(' or ')} norm of its weights (default ${DEFAULT_IMPORTANCE}; reconstruct scores by activations)`,
  },
  'channel-multiple': {
    type: 'string',
    description:
      `channels: round each layer's kept channels to the nearest multiple of N when its channel count is one (default ${DEFAULT_CHANNEL_MULTIPLE}: ` +
      'onnxruntime runs other counts slowly; 1 = exactly round(ratio × channels) removed). The removed fraction can then differ from --ratio: the output lists the kept shapes',
  },
};

export const SELECT_HELP =
  '  --select / --exclude take tensor names and op types (Conv, ConvTranspose, Gemm, MatMul),\n' +
  '  repeated or comma-separated; prunescope info MODEL lists the prunable tensors. Default: the\n' +
  '  Conv, Gemm and MatMul weights (initializers or Constant-node values), never biases or\n' +
  '  normalisation parameters; ConvTranspose weights only when selected.\n' +
  '  --structure says what is removed together, with every method: unstructured (single weights),\n' +
  '  channels (whole output neurons / channels: the model is rewritten smaller, the next layers,\n' +
  '  biases and BatchNormalization shrinking with it; kept counts rounded up to --channel-multiple,\n' +
  `  default ${DEFAULT_CHANNEL_MULTIPLE}), N:M (N of every M weights along the inputs stay; the ratio is fixed at\n` +
  '  1 − N/M and --ratio is not needed) or RxC blocks (R outputs × C inputs kept or removed\n' +
  '  together; 8x1 and 16x1 run fastest in Prunescope\'s runtime).\n';

/** The spec with --structure / --importance / --channel-multiple (checked) set; unchanged without them. */
export function withStructure<S extends Pick<PruneSpec, 'structure' | 'importance' | 'channelMultiple'>>(args: ParsedArgs, spec: S): S {
  const structure = args.values.structure as string | undefined;
  const importance = args.values.importance as string | undefined;
  const multiple = args.values['channel-multiple'] as string | undefined;
  const out = { ...spec };
  if (structure !== undefined) {
    try {
      out.structure = canonicalStructure(structure);
    } catch (e) {
      throw new CliError(`--structure: ${(e as Error).message}`);
    }
  }
  if (importance !== undefined) {
    if (!isChannelImportance(importance)) throw new CliError(`--importance must be ${CHANNEL_IMPORTANCES.join(' or ')}, got "${importance}"`);
    if ((out.structure ?? DEFAULT_STRUCTURE) !== 'channels') throw new CliError('--importance scores channels: give it with --structure channels');
    out.importance = importance;
  }
  if (multiple !== undefined) {
    const q = Number(multiple);
    if (multiple.trim() === '' || !isChannelMultiple(q)) throw new CliError(`--channel-multiple must be an integer from 1 to ${MAX_CHANNEL_MULTIPLE}, got "${multiple}"`);
    if ((out.structure ?? DEFAULT_STRUCTURE) !== 'channels') throw new CliError('--channel-multiple rounds kept channels: give it with --structure channels');
    out.channelMultiple = q;
  }
  return out;
}

/**
 * The spec with `select` set from --select / --exclude (resolved for this model) and the
 * structure options (withStructure); unchanged without them.
 */
export function withSelection<S extends Pick<PruneSpec, 'select' | 'overrides' | 'structure' | 'importance' | 'channelMultiple'>>(args: ParsedArgs, given: S, summary: Pick<ModelSummary, 'prunable' | 'fileName'>): S {
  const spec = withStructure(args, given);
  const select = stringList(args, 'select');
  const exclude = stringList(args, 'exclude');
  if (select.length === 0 && exclude.length === 0) return spec;
  let names: string[];
  try {
    names = resolveSelection(summary.prunable, select, exclude);
  } catch (e) {
    throw new CliError(`${summary.fileName}: ${(e as Error).message}`);
  }
  if (names.length === 0) throw new CliError(`${summary.fileName}: --select / --exclude leave no tensor to prune`);
  for (const name of Object.keys(spec.overrides ?? {})) {
    if (!names.includes(name)) throw new CliError(`--override ${name}: not among the tensors selected for pruning (${names.length > 12 ? `${names.slice(0, 12).join(', ')} …` : names.join(', ')})`);
  }
  return { ...spec, select: names };
}

/** The ratio an N:M --structure fixes (1 − N/M; --ratio is then not needed), else undefined. */
export function patternRatio(args: ParsedArgs): number | undefined {
  try {
    const s = parseStructure(String(args.values.structure ?? ''));
    return s.kind === 'nm' ? 1 - s.n / s.m : undefined;
  } catch {
    return undefined;
  }
}
