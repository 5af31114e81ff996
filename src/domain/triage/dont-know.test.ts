import { describe, expect, it } from 'vitest';
import { readRawTriageContent, triageContent } from '../../content/triage';
import {
  buildTriageContent,
  DONT_KNOW,
  type Evidence,
  evaluateEvidence,
  type GivenAnswer,
  type RawTriageContent,
  step,
  validateTriageContent,
} from './index';

const content = triageContent();
const { raw, version } = readRawTriageContent();
const m0 = (questionId: string, value: string | number): GivenAnswer => ({
  pathwayId: 'module-0',
  questionId,
  value,
});
const passModule0 = ['unresponsive', 'choking', 'fitting', 'bleeding'].map((id) => m0(id, 'no'));
const session = (pathwayId: string, answers: GivenAnswer[]) => ({
  pathwayId,
  pathwayVersion: content.current.get(pathwayId)?.version ?? 1,
  module0Version: content.module0.version,
  answers,
});

type Doc = Record<string, unknown> & { questions: Record<string, unknown>[] };
/** The real content with one pathway's document changed. */
function mutated(id: string, mutate: (doc: Doc) => void): RawTriageContent {
  return {
    ...raw,
    pathways: raw.pathways.map((f) => {
      if ((f.doc as Doc).id !== id) return f;
      const doc = structuredClone(f.doc) as Doc;
      mutate(doc);
      return { ...f, doc };
    }),
  };
}
const question = (doc: Doc, id: string) => doc.questions.find((x) => x.id === id) as Record<string, unknown>;

describe('"don’t know" in the engine', () => {
  it('a yes/no question follows its safe default’s path, and the record says the caller did not know', () => {
    const r = step(
      content,
      session('chest-pain', [
        ...passModule0,
        { ...m0('x', DONT_KNOW), pathwayId: 'chest-pain', questionId: 'crushing' },
      ]),
    );
    expect(r.kind).toBe('disposition');
    if (r.kind !== 'disposition') return;
    expect(r.disposition.code).toBe('Dx011');
    expect(r.path.at(-1)).toMatchObject({ questionId: 'crushing', value: DONT_KNOW, takenAs: 'yes' });
    expect(r.report[0]).toMatch(/^Not known: .*\(taken as Yes\)$/);
  });

  it('in module 0 it takes the answer that can lead to the most urgent disposition, not the "no" default', () => {
    const r = step(content, session('chest-pain', [m0('unresponsive', DONT_KNOW)]));
    // Not knowing whether the patient responds is treated as unresponsive: the breathing question comes next.
    expect(r.kind === 'question' && r.question.id).toBe('breathing');
    const arrest = step(
      content,
      session('chest-pain', [m0('unresponsive', DONT_KNOW), m0('breathing', DONT_KNOW)]),
    );
    expect(arrest.kind === 'disposition' && arrest.disposition.code).toBe('Dx010');
  });

  it('a number question without its own dont_know takes the safe default’s band', () => {
    const answers = [
      ...passModule0,
      ...['crushing', 'spreading', 'sweaty', 'breathless', 'history'].map((q) => ({
        pathwayId: 'chest-pain',
        questionId: q,
        value: 'no',
      })),
    ];
    // The shipped chest-pain asks in words when there is no number; without that, the safe default's band.
    const bare = buildTriageContent(
      mutated('chest-pain', (d) => {
        delete question(d, 'score').dont_know;
        d.questions = d.questions.filter((q) => q.id !== 'score-words');
      }),
      version,
    );
    const known = step(
      bare,
      session('chest-pain', [...answers, { pathwayId: 'chest-pain', questionId: 'score', value: 2 }]),
    );
    const unknown = step(
      bare,
      session('chest-pain', [...answers, { pathwayId: 'chest-pain', questionId: 'score', value: DONT_KNOW }]),
    );
    expect(known.kind === 'disposition' && known.disposition.code).toBe('Dx08');
    expect(unknown.kind === 'disposition' && unknown.disposition.code).toBe('Dx03');
    expect(unknown.kind === 'disposition' && unknown.path.at(-1)?.takenAs).toBe(10);
  });

  it('a number question’s own dont_know outcome is followed, and the report says it was the pathway’s route', () => {
    const c = buildTriageContent(
      mutated('chest-pain', (d) => {
        question(d, 'score').dont_know = { dx: 'Dx06', report: 'Pain score not known' };
        d.questions = d.questions.filter((q) => q.id !== 'score-words');
      }),
      version,
    );
    const answers = [
      ...passModule0,
      ...['crushing', 'spreading', 'sweaty', 'breathless', 'history'].map((q) => ({
        pathwayId: 'chest-pain',
        questionId: q,
        value: 'no',
      })),
      { pathwayId: 'chest-pain', questionId: 'score', value: DONT_KNOW },
    ];
    const r = step(c, { ...session('chest-pain', answers) });
    expect(r.kind === 'disposition' && r.disposition.code).toBe('Dx06');
    expect(r.kind === 'disposition' && r.path.at(-1)?.takenAs).toBeNull();
    expect(r.kind === 'disposition' && r.report).toContain('Pain score not known');
  });
});

describe('"don’t know" in the validator', () => {
  it('refuses a yes/no dont_know less cautious than another answer', () => {
    const problems = validateTriageContent(
      mutated('chest-pain', (d) => {
        question(d, 'crushing').dont_know = { dx: 'Dx08' };
      }),
      version,
    ).problems;
    expect(problems).toContainEqual(
      expect.objectContaining({
        pointer: 'pathway chest-pain@1 / question crushing / answer dont_know',
        rule: 'safe-default',
      }),
    );
  });

  it('refuses dont_know written as an ordinary answer, and a dont_know that leads nowhere', () => {
    const problems = validateTriageContent(
      mutated('chest-pain', (d) => {
        (question(d, 'spreading').answers as Record<string, unknown>).dont_know = { dx: 'Dx011' };
        question(d, 'sweaty').dont_know = { next: 'nowhere' };
      }),
      version,
    ).problems;
    expect(problems.map((p) => p.pointer)).toEqual(
      expect.arrayContaining([
        'pathway chest-pain@1 / question spreading / answer dont_know',
        expect.stringContaining('question sweaty'),
      ]),
    );
    expect(problems.some((p) => p.rule === 'no-dangling' && p.message.includes('nowhere'))).toBe(true);
  });
});

describe('evidence mode: what is not reported', () => {
  const sore: Evidence = { age: 30, sex: 'male', pathwayId: 'chest-pain', absent: ['chest_pain_crushing'] };

  it('by default (unknown) answers "don’t know" and lists how each answer was decided', () => {
    const r = evaluateEvidence(content, sore);
    expect(r.unreported).toBe('unknown');
    expect(r.disposition.code).toBe('Dx011');
    expect(r.path.find((s) => s.questionId === 'crushing')).toMatchObject({
      value: 'no',
      assumed: false,
      decidedBy: 'evidence',
    });
    expect(r.assumed.find((s) => s.questionId === 'spreading')).toMatchObject({
      value: DONT_KNOW,
      takenAs: 'yes',
      decidedBy: 'dont_know',
    });
    expect(r.assumed.filter((s) => s.pathwayId === 'module-0').map((s) => s.decidedBy)).toEqual(
      Array(4).fill('module0_default'),
    );
  });

  it('with unreported: absent, an unmentioned yes/no is "no" and a number with no value is "don’t know"', () => {
    const r = evaluateEvidence(content, { ...sore, unreported: 'absent' });
    // No pain score: "don't know", which chest-pain routes to asking in words whether the pain is severe;
    // not reported as severe, it is "no": the band below the top of the scale, never the top itself.
    expect(r.disposition.code).toBe('Dx06');
    expect(r.path.find((s) => s.finding === 'pain_score')).toMatchObject({
      value: DONT_KNOW,
      takenAs: null,
      decidedBy: 'dont_know',
    });
    expect(r.path.at(-1)).toMatchObject({
      finding: 'pain_severe',
      value: 'no',
      decidedBy: 'unreported_absent',
    });
    for (const s of r.assumed.filter((a) => a.finding !== 'pain_score'))
      expect(s).toMatchObject({ value: 'no', decidedBy: 'unreported_absent' });
    // Every answer not in the evidence is listed, and nothing that was.
    expect(r.assumed).toHaveLength(r.path.filter((s) => s.finding !== 'chest_pain_crushing').length);
  });

  it('a finding the caller did not know is "don’t know" even in absent mode', () => {
    const r = evaluateEvidence(content, {
      ...sore,
      unreported: 'absent',
      unknown: ['pain_spreading_arm_jaw'],
    });
    expect(r.disposition.code).toBe('Dx011');
    expect(r.path.find((s) => s.questionId === 'spreading')).toMatchObject({
      value: DONT_KNOW,
      assumed: false,
      decidedBy: 'evidence',
    });
  });

  it.each([
    [{ ...sore, unreported: 'maybe' }, /\/unreported/],
    [{ ...sore, unknown: ['chest_pain_crushing'] }, /\/unknown\/0 chest_pain_crushing is stated elsewhere/],
    [{ ...sore, unknown: ['nonsense'] }, /\/unknown\/0 nonsense is not a known finding/],
  ])('refuses bad evidence %#', (e, message) => {
    expect(() => evaluateEvidence(content, e as unknown as Evidence)).toThrow(message);
  });
});
