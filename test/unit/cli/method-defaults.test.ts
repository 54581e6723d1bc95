// The app and the CLI build the same prune request for the same choice: both take a method's
// defaults from core's method registry, so "finetune at 0.9" with no further options gives one
// model whichever front end asked (the engine resolves, plans and caches on the same spec).
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { methodSpecOf, resolveSpec, type PruneMethod } from '../../../src/core/prune';
import { pruneCommand } from '../../../src/cli/commands/prune';
import { specFromArgs } from '../../../src/cli/commands/method-options';
import { specKey } from '../../../src/engine/methods/cache';
import { defaultMethodSettings, specForMethod } from '../../../src/renderer/method-spec';
import { SAMPLE } from '../../support/engine';

/** The spec `prunescope prune SAMPLE --ratio 0.9 --method M -o out.onnx` sends to the engine. */
function cliSpec(method: PruneMethod, ratio: number, extra: string[] = []) {
  const options = Object.fromEntries(
    Object.entries(pruneCommand.options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  const { values, positionals } = parseArgs({ args: [SAMPLE, '--ratio', String(ratio), '--method', method, '-o', 'out.onnx', ...extra], options, allowPositionals: true, strict: true });
  return specFromArgs({ positionals, values: values as Record<string, string | boolean | string[] | undefined> }, SAMPLE, ratio);
}

/** The spec the app's Prune panel sends after choosing the method on a fresh start (ratio 0.9, per layer). */
function appSpec(method: PruneMethod, ratio: number) {
  return specForMethod({ ratio, mode: 'layer' as const }, method, defaultMethodSettings());
}

describe('default method settings', () => {
  for (const method of ['finetune', 'reconstruct', 'magnitude'] as const) {
    it(`${method} at 0.9: the app and the CLI send specs the engine treats as one`, () => {
      const app = appSpec(method, 0.9);
      const cli = cliSpec(method, 0.9);
      expect(resolveSpec(app)).toEqual(resolveSpec(cli));
      expect(methodSpecOf(app)).toEqual(methodSpecOf(cli));
      expect(specKey(app)).toBe(specKey(cli));
    });
  }

  it('fine-tuning uses the registry\'s learning rate unless one is given, and a given one reaches the trainer\'s options', () => {
    expect(resolveSpec(appSpec('finetune', 0.9)).learningRate).toBe(5e-4);
    expect(methodSpecOf(cliSpec('finetune', 0.9)).finetune?.learningRate).toBeUndefined();
    expect(methodSpecOf({ ...cliSpec('finetune', 0.9), learningRate: 1e-3 }).finetune?.learningRate).toBe(1e-3);
    // A rate another method cannot use changes nothing (the same cache key); finetune's does.
    expect(specKey({ ...appSpec('reconstruct', 0.9), learningRate: 1e-3 })).toBe(specKey(appSpec('reconstruct', 0.9)));
    expect(specKey({ ...appSpec('finetune', 0.9), learningRate: 1e-3 })).not.toBe(specKey(appSpec('finetune', 0.9)));
    expect(specKey({ ...appSpec('finetune', 0.9), learningRate: 5e-4 })).toBe(specKey(appSpec('finetune', 0.9)));
  });

  it('fine-tuning starts from magnitude unless asked; a reconstruct start reaches the method and the cache key, only for finetune', () => {
    expect(methodSpecOf(cliSpec('finetune', 0.9)).start).toBeUndefined();
    expect(methodSpecOf({ ...cliSpec('finetune', 0.9), start: 'magnitude' }).start).toBeUndefined();
    expect(methodSpecOf({ ...cliSpec('finetune', 0.9), start: 'reconstruct' }).start).toBe('reconstruct');
    expect(specKey({ ...appSpec('finetune', 0.9), start: 'reconstruct' })).not.toBe(specKey(appSpec('finetune', 0.9)));
    expect(specKey({ ...appSpec('finetune', 0.9), start: 'magnitude' })).toBe(specKey(appSpec('finetune', 0.9)));
    expect(specKey({ ...appSpec('reconstruct', 0.9), start: 'reconstruct' })).toBe(specKey(appSpec('reconstruct', 0.9)));
    // The Prune panel's "Start from: reconstruct's result" and the CLI's --start reconstruct: one request.
    const app = specForMethod({ ratio: 0.9, mode: 'layer' as const }, 'finetune', { ...defaultMethodSettings(), start: 'reconstruct' });
    const cli = cliSpec('finetune', 0.9, ['--start', 'reconstruct']);
    expect(resolveSpec(app)).toEqual(resolveSpec(cli));
    expect(specKey(app)).toBe(specKey(cli));
    expect(methodSpecOf(app).start).toBe('reconstruct');
  });

  it('fine-tuning runs for the registry default of 8 epochs in both', () => {
    expect(methodSpecOf(appSpec('finetune', 0.9)).epochs).toBe(8);
    expect(methodSpecOf(cliSpec('finetune', 0.9)).epochs).toBe(8);
  });
});
