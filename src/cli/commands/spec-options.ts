// The flags of a prune spec shared by prune, export and errors (--ratio, --global, --override, the
// selection and structure, --method and its data) and the spec they give when a ratio is required.

import { CliError, type CliCommand, type ParsedArgs } from '../command';
import type { PruneSpec } from '../../engine/protocol';
import { ratioOption } from './args';
import { dataOptions, methodOption, specFromArgs } from './method-options';
import { patternRatio, selectOptions } from './select-options';

/** The spec's flags; `ratio` describes --ratio for the command. */
export function pruneSpecOptions(ratio: string): CliCommand['options'] {
  return {
    ratio: { type: 'string', short: 'r', description: ratio },
    global: { type: 'boolean', description: 'one magnitude threshold across all selected tensors' },
    override: { type: 'string', multiple: true, description: 'NAME=R: a different ratio for one tensor' },
    ...selectOptions,
    ...methodOption,
    ...dataOptions,
  };
}

/** The spec of --ratio (or the ratio an N:M --structure fixes); `missing` is the error without either. */
export function specWithRatio(args: ParsedArgs, model: string, missing: string): PruneSpec {
  const ratio = ratioOption(args) ?? patternRatio(args);
  if (ratio === undefined) throw new CliError(missing);
  return specFromArgs(args, model, ratio);
}
