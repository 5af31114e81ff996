import { describe, expect, it } from 'vitest';
import { triageContent } from '../content/triage';
import { evaluateCases, levelOf, readTriageCases } from '../domain/triage/evaluation';
import { readCasesFile, triageEvaluation } from './triage-eval';

const content = triageContent();

describe('the triage evaluation on the development set', () => {
  const { reports } = triageEvaluation();

  it('has at least 200 written cases, about a third at each level, each with a one-line rationale', () => {
    const cases = readCasesFile();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const share = (levels: string[]) => cases.filter((c) => levels.includes(c.level)).length / cases.length;
    for (const levels of [['emergency', 'ae'], ['urgent', 'routine'], ['self_care']])
      expect(share(levels), levels.join('/')).toBeGreaterThan(0.25);
    for (const c of cases) expect(c.rationale.length, c.id).toBeGreaterThan(20);
  });

  it.each(reports.map((r) => [r.unreported, r] as const))(
    'unreported: %s — every case reaches a disposition, and no emergency is under-triaged',
    (_mode, r) => {
      expect(r.noDisposition).toEqual([]);
      expect(r.emergenciesUnderTriaged).toEqual([]);
      // The accuracy is whatever it is: reported by `open111 triage eval` and the bench, not held here.
      expect(r.right).toBe(r.outcomes.filter((o) => o.right).length);
    },
  );
});

describe('the scoring, at its edges', () => {
  const dx = (code: string) => {
    const d = content.dispositions.byCode.get(code);
    if (!d) throw new Error(code);
    return d;
  };

  it('reads dispositions as levels of care', () => {
    expect(['Dx010', 'Dx0116', 'Dx012'].map((c) => levelOf(dx(c)))).toEqual([
      'emergency',
      'emergency',
      'emergency',
    ]);
    expect(levelOf(dx('Dx02'))).toBe('ae');
    expect(['Dx03', 'Dx11', 'Dx17', 'Dx115'].map((c) => levelOf(dx(c)))).toEqual(Array(4).fill('urgent'));
    expect(['Dx75', 'Dx09', 'Dx10'].map((c) => levelOf(dx(c)))).toEqual(Array(3).fill('routine'));
    expect(['Dx25', 'Dx39'].map((c) => levelOf(dx(c)))).toEqual(['self_care', 'self_care']);
  });

  it('counts a case with no disposition as wrong and under-triaged, and an allowed `also` level as right', () => {
    const cases = readTriageCases({
      cases: [
        {
          id: 'nothing',
          age: 30,
          sex: 'male',
          says: 'zzzz qqqq',
          level: 'self_care',
          rationale: 'a case no pathway fits at all',
        },
        {
          id: 'either',
          age: 58,
          sex: 'male',
          says: 'crushing chest pain',
          present: ['chest_pain_crushing'],
          level: 'ae',
          also: ['emergency'],
          rationale: 'guidance allowing 999 or A&E for this case',
        },
        {
          id: 'over',
          age: 58,
          sex: 'male',
          says: 'crushing chest pain',
          present: ['chest_pain_crushing'],
          level: 'self_care',
          rationale: 'a deliberately wrong expectation, to see over-triage counted',
        },
      ],
    });
    const r = evaluateCases(content, cases, 'absent');
    expect(r.outcomes.map((o) => [o.id, o.right, o.under, o.over])).toEqual([
      ['nothing', false, true, false],
      ['either', true, false, false],
      ['over', false, false, true],
    ]);
    expect(r.noDisposition.map((n) => n.id)).toEqual(['nothing']);
    expect(r.emergenciesUnderTriaged).toEqual([]);
    expect(r).toMatchObject({
      right: 1,
      rightPct: 33.3,
      overTriagePct: 33.3,
      selfCareCases: 2,
      selfCareKept: 0,
    });
  });

  it('refuses a malformed case, naming its field', () => {
    expect(() =>
      readTriageCases({
        cases: [{ id: 'x', age: 3, sex: 'male', says: 'cough', level: 'soon', rationale: 'r' }],
      }),
    ).toThrow(/\/cases\/0\/level level must be one of/);
    expect(() => readTriageCases({ cases: [{ id: 'x', age: 3, sex: 'other', says: 'cough' }] })).toThrow(
      /\/cases\/0\/sex/,
    );
  });
});
