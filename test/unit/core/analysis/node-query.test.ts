// The Find grammar: op:, name:, bare words, metric comparisons with %, k/M/G and KB/MB/GB, all
// terms together, nodes without a metric value, and a message naming each kind of bad term.
import { describe, expect, it } from 'vitest';
import { matchesQuery, parseNodeQuery, type NodeMetrics, type QueryTerm } from '../../../../src/core/analysis';

function terms(q: string): QueryTerm[] {
  const p = parseNodeQuery(q);
  if (!p.ok) throw new Error(p.error);
  return p.terms;
}

function error(q: string): string {
  const p = parseNodeQuery(q);
  if (p.ok) throw new Error(`"${q}" parsed`);
  return p.error;
}

const conv = { name: 'layer1/conv', opType: 'Conv', inputs: ['x', 'conv.weight'], outputs: ['c1'] };
const relu = { name: 'act', opType: 'Relu', inputs: ['c1'], outputs: ['r1'] };
const m = (over: Partial<NodeMetrics>): NodeMetrics => ({ index: 0, name: '', opType: '', weights: [], params: 0, zeros: 0, sparsity: null, bytes: 0, macs: 0, ...over });
const convM = m({ params: 4608, zeros: 2304, sparsity: 0.5, bytes: 18432, macs: 3_612_672 });
const reluM = m({ macs: 0 });

describe('parseNodeQuery', () => {
  it('reads each kind of term and scales numbers', () => {
    expect(terms('op:Conv name:Block  relu')).toEqual([
      { kind: 'op', value: 'Conv' },
      { kind: 'name', value: 'Block' },
      { kind: 'text', value: 'relu' },
    ]);
    expect(terms('sparsity<0.8')).toEqual([{ kind: 'compare', metric: 'sparsity', op: '<', value: 0.8 }]);
    expect(terms('sparsity>=50%')[0]).toMatchObject({ op: '>=', value: 0.5 });
    expect(terms('macs>1M')[0]).toMatchObject({ metric: 'macs', op: '>', value: 1e6 });
    expect(terms('params>10k')[0]).toMatchObject({ metric: 'params', value: 1e4 });
    expect(terms('MACS<=2.5G')[0]).toMatchObject({ metric: 'macs', op: '<=', value: 2.5e9 });
    expect(terms('bytes>1MB')[0]).toMatchObject({ metric: 'bytes', value: 1024 * 1024 });
    expect(terms('bytes!=4KB')[0]).toMatchObject({ op: '!=', value: 4096 });
    expect(terms('   ')).toEqual([]);
  });

  it('names the bad term and says what is wrong', () => {
    expect(error('op:Conv sparsity<abc')).toMatch(/"sparsity<abc".*"abc" is not a number/);
    expect(error('flops>3')).toMatch(/"flops>3".*unknown measure "flops".*sparsity, macs, params, bytes/);
    expect(error('macs>')).toMatch(/"macs>".*a number must follow >/);
    expect(error('op:')).toMatch(/"op:".*needs a value/);
    expect(error('params>1MB')).toMatch(/"params>1MB".*only for bytes/);
    expect(error('>3')).toMatch(/">3".*comparison/);
  });
});

describe('matchesQuery', () => {
  it('op: is the whole op type, case-insensitive; name: a substring of the name only', () => {
    expect(matchesQuery(terms('op:conv'), conv)).toBe(true);
    expect(matchesQuery(terms('op:Con'), conv)).toBe(false);
    expect(matchesQuery(terms('name:LAYER1'), conv)).toBe(true);
    expect(matchesQuery(terms('name:weight'), conv)).toBe(false);
  });

  it('a bare word matches the name, op or a tensor', () => {
    expect(matchesQuery(terms('weight'), conv)).toBe(true);
    expect(matchesQuery(terms('r1'), relu)).toBe(true);
    expect(matchesQuery(terms('relu'), relu)).toBe(true);
    expect(matchesQuery(terms('relu'), conv)).toBe(false);
  });

  it('comparisons test the metrics; every term must hold', () => {
    expect(matchesQuery(terms('sparsity>=50%'), conv, convM)).toBe(true);
    expect(matchesQuery(terms('sparsity>50%'), conv, convM)).toBe(false);
    expect(matchesQuery(terms('sparsity=0.5'), conv, convM)).toBe(true);
    expect(matchesQuery(terms('macs>1M params<10k bytes<=18KB'), conv, convM)).toBe(true);
    expect(matchesQuery(terms('macs>1M op:Relu'), conv, convM)).toBe(false);
    expect(matchesQuery(terms('macs<1M'), relu, reluM)).toBe(true);
  });

  it('a node without the value, or without metrics, never satisfies a comparison', () => {
    expect(matchesQuery(terms('sparsity<0.5'), relu, reluM)).toBe(false);
    expect(matchesQuery(terms('sparsity>=0'), relu, reluM)).toBe(false);
    expect(matchesQuery(terms('macs>=0'), conv)).toBe(false);
    expect(matchesQuery(terms('macs>1M'), conv, { ...convM, macs: null })).toBe(false);
  });

  it('an empty query matches nothing', () => {
    expect(matchesQuery([], conv, convM)).toBe(false);
  });
});
