// Counts as text (the CLI's tables and the app's panels share them), against values written by hand.
import { describe, expect, it } from 'vitest';
import { countText, shortCount } from '../../../src/core/number-text';

describe('number text', () => {
  it('countText groups thousands and rounds', () => {
    expect(countText(1234567)).toBe('1,234,567');
    expect(countText(999.6)).toBe('1,000');
    expect(countText(0)).toBe('0');
  });

  it('shortCount keeps 3 significant digits with k, M, G', () => {
    expect(shortCount(950)).toBe('950');
    expect(shortCount(78_400)).toBe('78.4k');
    expect(shortCount(1_794_000)).toBe('1.79M');
    expect(shortCount(2_100_000_000)).toBe('2.10G');
    expect(shortCount(-12_500)).toBe('-12.5k');
  });
});
