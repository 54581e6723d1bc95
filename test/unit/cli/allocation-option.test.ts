// reconstruct's allocation option (how global scope splits the zeros between layers) from the CLI
// flag through the spec to the engine: kept only where it applies, the default left out of the
// spec (so equal requests share a cache key), bad values refused with one clear message.
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { methodSpecOf, resolveSpec } from '../../../src/core/prune';
import { DEFAULT_GLOBAL_ALLOCATION } from '../../../src/core/prune/method-registry';
import { pruneCommand } from '../../../src/cli/commands/prune';
import { specFromArgs } from '../../../src/cli/commands/method-options';
import { specKey } from '../../../src/engine/methods/cache';
import { validateRequest } from '../../../src/engine/validate';
import { SAMPLE } from '../../support/engine';

function cliSpec(...extra: string[]) {
  const options = Object.fromEntries(
    Object.entries(pruneCommand.options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  const { values, positionals } = parseArgs({ args: [SAMPLE, '--ratio', '0.5', '-o', 'out.onnx', ...extra], options, allowPositionals: true, strict: true });
  return specFromArgs({ positionals, values: values as Record<string, string | boolean | string[] | undefined> }, SAMPLE, 0.5);
}

describe('--allocation', () => {
  it('reaches the method as its reconstruct option in global scope', () => {
    const spec = cliSpec('--method', 'reconstruct', '--global', '--allocation', 'plan');
    expect(spec.allocation).toBe('plan');
    expect(methodSpecOf(spec).reconstruct).toEqual({ allocation: 'plan' });
    expect(specKey(spec)).not.toBe(specKey(cliSpec('--method', 'reconstruct', '--global')));
  });

  it('the default is left out: with and without it the same spec and cache key', () => {
    expect(DEFAULT_GLOBAL_ALLOCATION).toBe('output');
    const given = cliSpec('--method', 'reconstruct', '--global', '--allocation', 'output');
    const plain = cliSpec('--method', 'reconstruct', '--global');
    expect(resolveSpec(given)).toEqual(resolveSpec(plain));
    expect(specKey(given)).toBe(specKey(plain));
  });

  it('is dropped where it does not apply (per layer, another method, a structure)', () => {
    expect(resolveSpec({ ratio: 0.5, mode: 'layer', method: 'reconstruct', allocation: 'plan' }).allocation).toBeUndefined();
    expect(resolveSpec({ ratio: 0.5, mode: 'global', method: 'wanda', allocation: 'plan' }).allocation).toBeUndefined();
    expect(resolveSpec({ ratio: 0.5, mode: 'global', method: 'reconstruct', structure: '2:4', allocation: 'plan' }).allocation).toBeUndefined();
  });

  it('the CLI refuses a bad value, and the flag without reconstruct --global', () => {
    expect(() => cliSpec('--method', 'reconstruct', '--global', '--allocation', 'even')).toThrow('--allocation must be plan or output, got "even"');
    expect(() => cliSpec('--method', 'reconstruct', '--allocation', 'plan')).toThrow('--allocation applies to --method reconstruct with --global');
    expect(() => cliSpec('--global', '--allocation', 'plan')).toThrow('--allocation applies to --method reconstruct with --global');
  });

  it('the engine refuses a bad value naming the field', () => {
    const msg = { id: 1, type: 'prune', modelId: 1, spec: { ratio: 0.5, mode: 'global', method: 'reconstruct', allocation: 'plan' } };
    expect(validateRequest(msg)).toEqual(msg);
    expect(() => validateRequest({ ...msg, spec: { ...msg.spec, allocation: 'even' } })).toThrow('spec.allocation must be one of plan, output');
  });
});
