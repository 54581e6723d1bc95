// The Prune panel's structure choice: free entries read through core's parser (or say why not),
// the ratio N:M fixes and the words that say so, and the spec a choice writes.

import { describe, expect, it } from 'vitest';
import type { PruneSpec } from '../../../src/engine/protocol';
import { fixedRatio, ratioLockReason, readEntry, specWithStructure, structureOf } from '../../../src/renderer/structure-choice';

describe('free entry', () => {
  it('reads N:M and R×C in their canonical text', () => {
    expect(readEntry('nm', ' 2:4 ')).toEqual({ structure: '2:4' });
    expect(readEntry('nm', '1 : 8')).toEqual({ structure: '1:8' });
    expect(readEntry('blocks', '4x1')).toEqual({ structure: '4x1' });
    expect(readEntry('blocks', '8×2')).toEqual({ structure: '8x2' });
    expect(readEntry('blocks', '2X16')).toEqual({ structure: '2x16' });
  });
  it('says why a bad entry cannot be used', () => {
    const error = (kind: 'nm' | 'blocks', text: string): string => {
      const r = readEntry(kind, text);
      if (!('error' in r)) throw new Error(`"${text}" read as ${r.structure}`);
      return r.error;
    };
    expect(error('nm', '')).toMatch(/N:M, e\.g\. 2:4/);
    expect(error('nm', '4:2')).toMatch(/N must be smaller than M/);
    expect(error('nm', '4:4')).toMatch(/N must be smaller than M/);
    expect(error('nm', '0:4')).toMatch(/N must be an integer from 1 to 64/);
    expect(error('nm', '2:100')).toMatch(/M must be an integer from 1 to 64/);
    expect(error('nm', '4x1')).toMatch(/not an N:M pattern/);
    expect(error('nm', 'channels')).toMatch(/not an N:M pattern/);
    expect(error('blocks', '2:4')).toMatch(/not a block shape/);
    expect(error('blocks', '1x1')).toMatch(/single weights: choose Unstructured/);
    expect(error('blocks', '4x0')).toMatch(/C must be an integer/);
  });
});

describe('the ratio of N:M', () => {
  it('is fixed at 1 − N/M, said in words', () => {
    expect(fixedRatio({ kind: 'nm', n: 2, m: 4 })).toBe(0.5);
    expect(fixedRatio({ kind: 'nm', n: 1, m: 4 })).toBe(0.75);
    expect(ratioLockReason({ kind: 'nm', n: 2, m: 4 })).toBe('2:4 removes half of every group of 4: the ratio is fixed at 50%');
    expect(ratioLockReason({ kind: 'nm', n: 4, m: 8 })).toBe('4:8 removes half of every group of 8: the ratio is fixed at 50%');
    expect(ratioLockReason({ kind: 'nm', n: 1, m: 4 })).toBe('1:4 removes 3 of every group of 4: the ratio is fixed at 75%');
    expect(ratioLockReason({ kind: 'nm', n: 1, m: 3 })).toBe('1:3 removes 2 of every group of 3: the ratio is fixed at 66.7%');
  });
  it('is free for the other structures', () => {
    for (const s of ['unstructured', 'channels', '4x1'] as const) {
      expect(fixedRatio(structureOf({ structure: s }))).toBeNull();
      expect(ratioLockReason(structureOf({ structure: s }))).toBeNull();
    }
  });
});

describe('the spec of a choice', () => {
  const base: PruneSpec = { ratio: 0.3, mode: 'layer', overrides: { a: 0, b: 0.7 }, method: 'magnitude' };
  it('channels: structure and importance, the slider ratio, every override', () => {
    expect(specWithStructure(base, 'channels', 'l2', 0.3)).toEqual({ ...base, structure: 'channels', importance: 'l2' });
  });
  it('N:M: the fixed ratio, overrides of 0 only, no importance', () => {
    expect(specWithStructure({ ...base, structure: 'channels', importance: 'l1' }, '2:4', 'l1', 0.3)).toEqual({ ...base, ratio: 0.5, structure: '2:4', overrides: { a: 0 } });
  });
  it('back to unstructured: the slider ratio again, no structure field', () => {
    const nm = specWithStructure(base, '4:8', 'l1', 0.3);
    const back = specWithStructure(nm, 'unstructured', 'l1', 0.3);
    expect(back).toEqual({ ...base, overrides: { a: 0 } });
    expect('structure' in back).toBe(false);
  });
  it('blocks keep the ratio and every override; an unreadable spec reads as unstructured', () => {
    expect(specWithStructure(base, '4x4', 'l1', 0.3)).toEqual({ ...base, structure: '4x4' });
    expect(structureOf({ structure: 'nonsense' })).toEqual({ kind: 'unstructured' });
  });
});
