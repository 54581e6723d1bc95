// The one ratio-list grammar: everything the CLI's --ratios and the app's custom list accepted
// before they were merged, and clear errors naming the bad entry.
import { describe, expect, it } from 'vitest';
import { parseRatioList, uniqueSorted } from '../../../../src/core/eval/ratios';

describe('parseRatioList', () => {
  it('accepts the CLI form: commas, start:stop:step ranges, spaces around the parts', () => {
    expect(parseRatioList('0,0.5,0.8:0.9:0.05')).toEqual([0, 0.5, 0.8, 0.85, 0.9]);
    expect(parseRatioList('0 : 0.2 : 0.1, 1')).toEqual([0, 0.1, 0.2, 1]);
    expect(parseRatioList('0.5,,0.6,')).toEqual([0.5, 0.6]);
  });

  it('accepts the app form: commas, semicolons and white space between entries', () => {
    expect(parseRatioList('0, 0.5 0.8;0.9')).toEqual([0, 0.5, 0.8, 0.9]);
    expect(parseRatioList('0.1\n0.2\t0.3')).toEqual([0.1, 0.2, 0.3]);
  });

  it('keeps the order written; uniqueSorted gives each ratio once, ascending', () => {
    expect(parseRatioList('0.9 0.1 0.9')).toEqual([0.9, 0.1, 0.9]);
    expect(uniqueSorted(parseRatioList('0.9 0.1 0.9'))).toEqual([0.1, 0.9]);
  });

  it('rejects bad entries naming them', () => {
    expect(() => parseRatioList('0, 2')).toThrow(/bad ratio "2": must be a number from 0 to 1/);
    expect(() => parseRatioList('x')).toThrow(/"x"/);
    expect(() => parseRatioList('0:1')).toThrow(/expected a number from 0 to 1 or start:stop:step/);
    expect(() => parseRatioList('0:1:0')).toThrow(/the step must be a number > 0/);
    expect(() => parseRatioList('0.9:0.1:0.1')).toThrow(/the stop is below the start/);
    expect(() => parseRatioList('0::0.1')).toThrow(/bad ratio/);
    expect(() => parseRatioList(' ; , ')).toThrow(/no ratios given/);
  });
});
