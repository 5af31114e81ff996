import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { triageContent } from '../../content/triage';
import {
  answersInForce,
  backTo,
  type GivenAnswer,
  type Pathway,
  type Question,
  replay,
  type SessionEvent,
  type SessionInput,
  step,
} from './index';

const content = triageContent();
const pathways = [...content.current.values()];
const sessionOf = (pw: Pathway, answers: GivenAnswer[] = []): SessionInput => ({
  pathwayId: pw.id,
  pathwayVersion: pw.version,
  module0Version: content.module0.version,
  answers,
});

/** A valid answer to the question, chosen by a number from fast-check (numbers anywhere in a band). */
function answerFor(q: Question, pick: number, jitter: number, pathwayId = ''): string | number {
  // Most runs should get past module 0 and into the pathway.
  if (pathwayId === content.module0.id && pick % 6 !== 0) return 'no';
  if (q.type !== 'number') {
    const keys = [...q.answers.keys()];
    return keys[pick % keys.length] as string;
  }
  const finding = content.findings.get(q.finding);
  const min = finding?.kind === 'number' ? finding.min : 0;
  const max = finding?.kind === 'number' ? finding.max : 100;
  const band = q.bands[pick % q.bands.length];
  const lo = Math.max(band?.from ?? min, min);
  const hi = Math.min(band?.below ?? max, max);
  return Math.min(max, lo + (hi - lo) * jitter);
}

/** Drives a session with the chosen answers until it ends (or the choices run out). */
function drive(
  pw: Pathway,
  picks: readonly [number, number][],
): { answers: GivenAnswer[]; events: SessionEvent[] } {
  const answers: GivenAnswer[] = [];
  for (const [pick, jitter] of picks) {
    const r = step(content, sessionOf(pw, answers));
    if (r.kind === 'disposition') break;
    answers.push({
      pathwayId: r.pathwayId,
      questionId: r.question.id,
      value: answerFor(r.question, pick, jitter, r.pathwayId),
    });
  }
  return { answers, events: answers.map((a) => ({ kind: 'answer', ...a })) };
}

const pick = fc.tuple(fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }));

describe('the engine (property tests over every pathway)', () => {
  it('any sequence of valid answers ends in a disposition', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pathways),
        fc.array(pick, { minLength: 60, maxLength: 60 }),
        (pw, picks) => {
          const { answers } = drive(pw, picks);
          const r = step(content, sessionOf(pw, answers));
          expect(r.kind).toBe('disposition');
          if (r.kind === 'disposition') {
            expect(content.dispositions.byCode.has(r.disposition.code)).toBe(true);
            expect(r.path).toHaveLength(answers.length);
            expect(r.careAdvice[0]).toBe(r.disposition.careAdvice);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a replayed session gives the same questions and disposition, going back included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pathways),
        fc.array(pick, { minLength: 60, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
        (pw, picks, backs) => {
          // Record a live session: answer, sometimes go back, answer again; note each question shown.
          const events: SessionEvent[] = [];
          const shown: string[] = [];
          let answers: GivenAnswer[] = [];
          let backsLeft = [...backs];
          let live = step(content, sessionOf(pw, answers));
          if (live.kind === 'question') shown.push(`${live.pathwayId}/${live.question.id}`);
          for (const [p, j] of picks) {
            if (live.kind === 'disposition') {
              const next = backsLeft.shift();
              if (!next || answers.length === 0) break;
              const keep = next[0] % answers.length;
              events.push({ kind: 'back', keep });
              answers = answers.slice(0, keep);
            } else {
              const a = {
                pathwayId: live.pathwayId,
                questionId: live.question.id,
                value: answerFor(live.question, p + 1, j, live.pathwayId),
              };
              events.push({ kind: 'answer', ...a });
              answers = [...answers, a];
            }
            live = step(content, sessionOf(pw, answers));
            if (live.kind === 'question') shown.push(`${live.pathwayId}/${live.question.id}`);
          }
          backsLeft = [];
          const replayed = replay(content, sessionOf(pw), events);
          expect(replayed.shown).toEqual(shown);
          expect(replayed.result).toEqual(live);
          expect(answersInForce(events).map(({ kind: _k, ...a }) => a)).toEqual(answers);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same answers give the same result', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pathways),
        fc.array(pick, { minLength: 30, maxLength: 30 }),
        (pw, picks) => {
          const { answers } = drive(pw, picks);
          expect(step(content, sessionOf(pw, answers))).toEqual(step(content, sessionOf(pw, [...answers])));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('the engine, by example', () => {
  const chest = content.current.get('chest-pain') as Pathway;
  const m0 = ['unresponsive', 'choking', 'fitting', 'bleeding'].map((questionId) => ({
    pathwayId: 'module-0',
    questionId,
    value: 'no',
  }));

  it('runs module 0 before the pathway', () => {
    const first = step(content, sessionOf(chest));
    expect(first).toMatchObject({
      kind: 'question',
      pathwayId: 'module-0',
      question: { id: 'unresponsive' },
    });
    const afterM0 = step(content, sessionOf(chest, m0));
    expect(afterM0).toMatchObject({
      kind: 'question',
      pathwayId: 'chest-pain',
      question: { id: 'crushing' },
    });
  });

  it('going back and changing an answer re-evaluates from there', () => {
    const yes = [...m0, { pathwayId: 'chest-pain', questionId: 'crushing', value: 'yes' }];
    const r1 = step(content, sessionOf(chest, yes));
    expect(r1).toMatchObject({
      kind: 'disposition',
      disposition: { code: 'Dx011' },
      discriminators: ['SDX101'],
    });
    const keep = backTo(yes, { pathwayId: 'chest-pain', questionId: 'crushing' });
    const changed = [...yes.slice(0, keep), { pathwayId: 'chest-pain', questionId: 'crushing', value: 'no' }];
    expect(step(content, sessionOf(chest, changed))).toMatchObject({
      kind: 'question',
      question: { id: 'spreading' },
    });
  });

  it('refuses an answer to a question that was not asked, or beyond the disposition', () => {
    expect(() =>
      step(content, sessionOf(chest, [{ pathwayId: 'chest-pain', questionId: 'crushing', value: 'yes' }])),
    ).toThrow(/the question asked is module-0\/unresponsive/);
    const over = [
      ...m0,
      { pathwayId: 'chest-pain', questionId: 'crushing', value: 'yes' },
      { pathwayId: 'chest-pain', questionId: 'spreading', value: 'no' },
    ];
    expect(() => step(content, sessionOf(chest, over))).toThrow(/already reached a disposition|more answers/);
  });

  it('refuses a value the question does not take', () => {
    const bad = (value: string | number, questionId = 'crushing') => [
      ...m0,
      { pathwayId: 'chest-pain', questionId, value },
    ];
    expect(() => step(content, sessionOf(chest, bad('maybe')))).toThrow(/takes one of yes, no/);
    const toScore = ['crushing', 'spreading', 'sweaty', 'breathless', 'history'].map((questionId) => ({
      pathwayId: 'chest-pain',
      questionId,
      value: 'no',
    }));
    expect(() =>
      step(
        content,
        sessionOf(chest, [...m0, ...toScore, { pathwayId: 'chest-pain', questionId: 'score', value: 11 }]),
      ),
    ).toThrow(/not a plausible pain score/);
    expect(() =>
      step(
        content,
        sessionOf(chest, [...m0, ...toScore, { pathwayId: 'chest-pain', questionId: 'score', value: 'ten' }]),
      ),
    ).toThrow(/takes a number/);
    const r = step(
      content,
      sessionOf(chest, [...m0, ...toScore, { pathwayId: 'chest-pain', questionId: 'score', value: 4 }]),
    );
    expect(r).toMatchObject({ kind: 'disposition', disposition: { code: 'Dx06' } });
  });

  it('refuses to replay on a pathway version the content no longer holds', () => {
    expect(() => step(content, { ...sessionOf(chest), pathwayVersion: 99 })).toThrow(
      /no longer in the content/,
    );
    expect(() => step(content, { ...sessionOf(chest), pathwayId: 'nope' })).toThrow(/There is no pathway/);
  });
});
