import { describe, expect, it } from 'vitest';
import { triageContent } from '../../content/triage';
import { normalise, pathwaysFor, searchPathways } from './index';

const content = triageContent();
const top = (q: string, ageYears = 40, sex: 'female' | 'male' = 'female') =>
  searchPathways(content, q, { ageYears, sex })[0]?.pathway.id;

describe('pathway search by symptom words and synonyms', () => {
  it.each([
    ["can't breathe", 'breathing-problems'],
    ['I CANT BREATHE!', 'breathing-problems'],
    ['short of breath', 'breathing-problems'],
    ['crushing chest pain', 'chest-pain'],
    ['tummy ache', 'abdominal-pain'],
    ['throwing up', 'diarrhoea-vomiting'],
    ['twisted ankle', 'limb-injury'],
    ['face drooping', 'stroke-symptoms'],
    ['heart racing', 'palpitations'],
    ['took too many tablets', 'poisoning-overdose'],
    ['bee sting', 'allergic-reaction'],
    ['scalded', 'burns'],
  ])('"%s" finds %s first', (query, expected) => {
    expect(top(query)).toBe(expected);
  });

  it('filters by age: a feverish child and a feverish adult get different pathways', () => {
    expect(top('high temperature', 3)).toBe('fever-children');
    expect(top('high temperature', 30)).toBe('fever-adults');
  });

  it('filters by sex: pregnancy pathways are not offered for a male patient', () => {
    expect(top('pregnant', 30, 'female')).toBe('pregnancy-problems');
    expect(searchPathways(content, 'pregnant', { ageYears: 30, sex: 'male' })).toEqual([]);
  });

  it('returns nothing for words it does not know', () => {
    expect(searchPathways(content, 'zzzz qqqq')).toEqual([]);
    expect(normalise('Can’t  BREATHE!')).toBe('cant breathe');
  });

  it('lists every pathway that fits a patient, for browsing', () => {
    const baby = pathwaysFor(content, { ageYears: 0.5, sex: 'male' }).map((p) => p.id);
    expect(baby).toContain('fever-children');
    expect(baby).not.toContain('chest-pain');
    expect(baby).not.toContain('pregnancy-problems');
  });
});
