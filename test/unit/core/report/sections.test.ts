// Which optional sections a report leaves out, and the reason it gives: a section needing a test set
// says so when there is none, else how to ask for it.
import { describe, expect, it } from 'vitest';
import { omittedSections } from '../../../../src/core/report/sections';

const none = { dataset: false, sweep: false, sensitivity: false, compare: false, errors: false };

describe('omittedSections', () => {
  it('lists every optional section when nothing was asked, each with how to ask', () => {
    const out = omittedSections(none);
    expect(out.map((o) => o.section)).toEqual(['sweep', 'sensitivity', 'diff', 'nodeErrors']);
    expect(out.find((o) => o.section === 'diff')?.why).toMatch(/--compare OTHER/);
    expect(out.find((o) => o.section === 'nodeErrors')?.why).toMatch(/--errors/);
  });

  it('says a requested section needing a test set was not possible without one', () => {
    const out = omittedSections({ ...none, sensitivity: true, errors: true, compare: true });
    expect(out.map((o) => [o.section, o.why.split(':')[0]])).toEqual([
      ['sweep', 'not requested'],
      ['sensitivity', 'not possible'],
      ['nodeErrors', 'not possible'],
    ]);
  });

  it('leaves out nothing when everything was asked with a test set', () => {
    expect(omittedSections({ dataset: true, sweep: true, sensitivity: true, compare: true, errors: true })).toEqual([]);
  });
});
