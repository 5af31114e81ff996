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
    ['bee sting', 'bites-stings'],
    ['peanut allergy, lips swelling', 'allergic-reaction'],
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

describe('the search weighs what the words mean', () => {
  it('a body site or symptom word outweighs a generic adjective', () => {
    // "painful" and "swollen" describe any pathway: the site decides.
    expect(top('painful swollen knee')).toBe('muscle-joint');
    expect(top('swollen painful eyelid')).toBe('eyelid-problems');
    expect(top('painful red eye')).toBe('eye-problems');
    expect(top('painful ear')).toBe('earache');
    expect(top('swollen leg')).toBe('leg-pain-swelling');
    // Generic words alone choose nothing.
    expect(searchPathways(content, 'really bad pain, swollen and sore', { ageYears: 40 })).toEqual([]);
  });

  it('matches phrases as phrases, and idioms are not body sites', () => {
    expect(searchPathways(content, 'it keeps coming back', { ageYears: 40 })).toEqual([]);
    expect(top('my back hurts')).toBe('back-pain');
    expect(top('cut my finger on a knife')).toBe('wounds-cuts');
    // "short" of breath is generic, "chest" is not: the caller's first complaint leads.
    expect(top("pain in my chest and I'm short of breath")).toBe('chest-pain');
  });

  it('ties go to the more specific pathway, never to alphabetical order', () => {
    // Module-wide words shared by two pathways: for a baby, the pathway for babies comes first.
    const baby = searchPathways(content, 'vomiting', { ageYears: 0.5 }).map((m) => m.pathway.id);
    expect(baby[0]).toBe('baby-feeding');
    // Equal scores: the narrower age band wins over the wider, whatever the ids.
    const both = searchPathways(content, 'crying', { ageYears: 0.3 });
    expect(both[0]?.pathway.id).toBe('crying-baby');
    // Two made-up pathways with the same score: the one an alphabet would put first is the less specific.
    const base = content.current.get('bites-stings');
    if (!base) throw new Error('bites-stings missing');
    const general = { ...base, id: 'aaa-general', title: 'Aaa general', keywords: ['zzqword'] };
    const narrow = {
      ...general,
      id: 'zzz-children',
      title: 'Zzz children',
      age: { minYears: 0, maxYears: 16 },
    };
    const fewer = { ...general, id: 'zzz-fewer', title: 'Zzz fewer', keywords: ['zzqword'] };
    const wider = { ...general, keywords: ['zzqword', 'other', 'words'] };
    const withOnly = (...pws: (typeof base)[]) => ({
      ...content,
      current: new Map(pws.map((pw) => [pw.id, pw])),
    });
    const order = (c: typeof content) =>
      searchPathways(c, 'zzqword', { ageYears: 5 }).map((m) => m.pathway.id);
    expect(order(withOnly(general, narrow))).toEqual(['zzz-children', 'aaa-general']);
    expect(order(withOnly(wider, fewer))).toEqual(['zzz-fewer', 'aaa-general']);
  });
});
