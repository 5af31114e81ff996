import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { contentPath } from '../../content/files';
import { triageContent } from '../../content/triage';
import { type Evidence, evaluateEvidence } from './index';

interface EvidenceCase {
  name: string;
  evidence: Evidence;
  expect: { pathway?: string; disposition: string | string[]; ended_in?: string; assumed?: string[] };
}

const content = triageContent();
const cases = (
  parse(readFileSync(contentPath('triage-cases/cases.yaml'), 'utf8')) as { cases: EvidenceCase[] }
).cases;

describe('evidence mode: the written cases reach their expected dispositions', () => {
  it('has at least 40 cases covering every pathway', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const chosen = new Set(cases.map((c) => evaluateEvidence(content, c.evidence).pathway.id));
    for (const id of content.current.keys()) expect(chosen, `no case for ${id}`).toContain(id);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = evaluateEvidence(content, c.evidence);
    if (c.expect.pathway) expect(r.pathway.id).toBe(c.expect.pathway);
    const allowed = Array.isArray(c.expect.disposition) ? c.expect.disposition : [c.expect.disposition];
    expect(allowed).toContain(r.disposition.code);
    if (c.expect.ended_in) expect(r.endedIn).toBe(c.expect.ended_in);
    for (const f of c.expect.assumed ?? []) expect(r.assumed.map((a) => a.finding)).toContain(f);
    // Whatever the evidence stated is never reported as assumed.
    const stated = new Set([
      ...(c.evidence.present ?? []),
      ...(c.evidence.absent ?? []),
      ...Object.keys(c.evidence.values ?? {}),
    ]);
    for (const a of r.assumed) expect(stated.has(a.finding)).toBe(false);
  });
});

/** A shipped pathway a patient of this age and sex may not be triaged on (a baby's, or one sex's). */
function firstPathwayNotFor(age: number, sex: 'female' | 'male'): string {
  const pw = [...content.current.values()].find(
    (p) => (p.sex !== 'any' && p.sex !== sex) || age < p.age.minYears || age >= p.age.maxYears,
  );
  if (!pw) throw new Error(`every pathway fits a ${age}-year-old ${sex}`);
  return pw.id;
}

describe('evidence mode: assumptions and bad evidence', () => {
  it('answers a silent finding "don’t know", which takes the safe default’s path, and says so', () => {
    const r = evaluateEvidence(content, { age: 58, sex: 'male', complaint: 'chest pain' });
    expect(r.disposition.code).toBe('Dx011');
    const crushing = r.path.find((s) => s.questionId === 'crushing');
    expect(crushing).toMatchObject({ value: 'dont_know', takenAs: 'yes', assumed: true });
    // Module 0 findings were not stated either: reported as assumed absent.
    expect(r.assumed.filter((a) => a.pathwayId === 'module-0').map((a) => a.value)).toEqual([
      'no',
      'no',
      'no',
      'no',
    ]);
  });

  it('uses the evidence age for an age question', () => {
    const base = {
      sex: 'female' as const,
      complaint: 'hit head',
      absent: ['knocked_out', 'vomiting_since_injury', 'confusion', 'blood_thinners'],
    };
    expect(evaluateEvidence(content, { ...base, age: 64 }).disposition.code).toBe('Dx39');
    expect(evaluateEvidence(content, { ...base, age: 65 }).disposition.code).toBe('Dx03');
  });

  it.each([
    [
      { age: 30, sex: 'male', complaint: 'sore throat', present: ['not_a_finding'] },
      /not_a_finding is not a known finding/,
    ],
    [
      { age: 30, sex: 'male', complaint: 'sore throat', present: ['fever'], absent: ['fever'] },
      /both present and absent/,
    ],
    [{ age: -1, sex: 'male', complaint: 'sore throat' }, /age must be/],
    [{ age: 30, sex: 'other', complaint: 'sore throat' }, /sex must be/],
    [{ age: 30, sex: 'male' }, /give a complaint/],
    [{ age: 30, sex: 'male', complaint: 'zzzz qqqq' }, /No pathway matches/],
    [{ age: 30, sex: 'male', complaint: 'pregnant' }, /No pathway matches/],
    [{ age: 30, sex: 'male', complaint: 'sore throat', values: { symptom_days: 'two' } }, /must be a number/],
    [{ age: 30, sex: 'male', pathwayId: 'no-such-pathway' }, /There is no pathway/],
    [{ age: 40, sex: 'male', pathwayId: firstPathwayNotFor(40, 'male') }, /does not fit a 40-year-old male/],
  ])('refuses bad evidence %#', (e, message) => {
    expect(() => evaluateEvidence(content, e as unknown as Evidence)).toThrow(message);
  });
});
