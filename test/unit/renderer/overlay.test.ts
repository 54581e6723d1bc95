// Graph overlays' colours: the domain (given, else the finite values' min and max), fills only for
// nodes with a value, lighter for smaller values (the ramp runs pale to dark), fixed mark colours.
import * as d3 from 'd3';
import { describe, expect, it } from 'vitest';
import { overlayDomain, overlayFills, type MeasureOverlay } from '../../../src/renderer/views/graph/overlay';

const measure = (values: [number, number][], domain?: [number, number]): MeasureOverlay => ({
  kind: 'measure',
  id: 't',
  title: 'T',
  values: new Map(values),
  format: String,
  ...(domain ? { domain } : {}),
});

describe('overlays', () => {
  it('domain: the given one, else min..max of the finite values, a single value widened, none [0, 1]', () => {
    expect(overlayDomain(measure([[0, 3], [1, 9]], [0, 1]))).toEqual([0, 1]);
    expect(overlayDomain(measure([[0, 3], [1, 9], [2, NaN]]))).toEqual([3, 9]);
    expect(overlayDomain(measure([[0, 5]]))).toEqual([5, 6]);
    expect(overlayDomain(measure([]))).toEqual([0, 1]);
  });

  it('fills: one per node with a finite value, darker as the value grows', () => {
    const fills = overlayFills(measure([[1, 10], [3, 1000], [5, 500], [7, NaN]]));
    expect([...fills.keys()].sort()).toEqual([1, 3, 5]);
    const l = (i: number): number => d3.lab(fills.get(i)!).l;
    expect(l(1)).toBeGreaterThan(l(5));
    expect(l(5)).toBeGreaterThan(l(3));
  });

  it('marks: added, removed and changed in three different colours', () => {
    const fills = overlayFills({ kind: 'marks', id: 'd', title: 'Diff', marks: new Map([[0, 'added'], [1, 'removed'], [2, 'changed']] as const) });
    expect(new Set(fills.values()).size).toBe(3);
  });
});
