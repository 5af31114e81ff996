import { describe, expect, it } from 'vitest';
import { isDomainError } from '../errors';
import {
  buildReport,
  type CaseFacts,
  callbackMissed,
  checkRuleParams,
  DEFAULT_RULES,
  decideClose,
  decideFinishAction,
  decideScore,
  isEmergencyOutcome,
  referralUnacknowledged,
  reportCsv,
  reportHtml,
  rulesMet,
  sampleCases,
  weekOf,
} from './index';

const t = (iso: string) => new Date(iso);
const facts = (events: CaseFacts['events'], extra: Partial<CaseFacts> = {}): CaseFacts => ({
  caseId: 'CASE-1',
  providerCode: 'NHSD',
  openedAt: t('2026-11-02T10:00:00Z'),
  events,
  callOfferedAt: t('2026-11-02T09:59:00Z'),
  earlierCallsFromNumber: [],
  laterEmergencies: [],
  ...extra,
});
const ev = (kind: string, at: string, body: Record<string, unknown> = {}) => ({ kind, at: t(at), body });
const noTimeframe = () => null;
const now = t('2026-11-05T00:00:00Z');

describe('review rules', () => {
  it('queues an ambulance disposition downgraded at validation, and not one confirmed', () => {
    const base = [
      ev('opened', '2026-11-02T10:00:00Z'),
      ev('outcome_decided', '2026-11-02T10:10:00Z', { outcome: 'ambulance' }),
    ];
    const down = facts([...base, ev('validated', '2026-11-02T10:12:00Z', { result: 'downgraded' })]);
    const kept = facts([...base, ev('validated', '2026-11-02T10:12:00Z', { result: 'confirmed' })]);
    expect(rulesMet(down, now, DEFAULT_RULES, noTimeframe)).toEqual(['ambulance_downgraded']);
    expect(rulesMet(kept, now, DEFAULT_RULES, noTimeframe)).toEqual([]);
  });

  it('queues a call-back started after its due time, or never started and overdue', () => {
    const queued = ev('callback_queued', '2026-11-02T10:10:00Z', { dueAt: '2026-11-02T10:30:00Z' });
    const late = facts([queued, ev('callback_started', '2026-11-02T10:31:00Z')]);
    const onTime = facts([queued, ev('callback_started', '2026-11-02T10:29:00Z')]);
    expect(callbackMissed(late, now, { graceMinutes: 0 })).toBe(true);
    expect(callbackMissed(late, now, { graceMinutes: 5 })).toBe(false);
    expect(callbackMissed(onTime, now, { graceMinutes: 0 })).toBe(false);
    expect(callbackMissed(facts([queued]), t('2026-11-02T10:20:00Z'), { graceMinutes: 0 })).toBe(false);
    expect(callbackMissed(facts([queued]), t('2026-11-02T10:40:00Z'), { graceMinutes: 0 })).toBe(true);
  });

  it('queues a repeat caller within the window a lead sets', () => {
    const c = facts([], { earlierCallsFromNumber: [t('2026-10-31T12:00:00Z')] });
    expect(rulesMet(c, now, DEFAULT_RULES, noTimeframe)).toEqual(['repeat_caller']);
    const narrow = { ...DEFAULT_RULES, repeat_caller: { enabled: true, params: { hours: 24 } } };
    expect(rulesMet(c, now, narrow, noTimeframe)).toEqual([]);
    const off = { ...DEFAULT_RULES, repeat_caller: { enabled: false, params: { hours: 72 } } };
    expect(rulesMet(c, now, off, noTimeframe)).toEqual([]);
  });

  it('queues a referral unacknowledged past its disposition’s timeframe', () => {
    const referred = [
      ev('triaged', '2026-11-02T10:05:00Z', { dispositionCode: 'Dx05' }),
      ev('referred', '2026-11-02T10:10:00Z', { service: {} }),
    ];
    const p = { defaultMinutes: 1440 };
    expect(referralUnacknowledged(facts(referred), t('2026-11-02T12:11:00Z'), 120, p)).toBe(true);
    expect(referralUnacknowledged(facts(referred), t('2026-11-02T12:09:00Z'), 120, p)).toBe(false);
    const acked = facts([...referred, ev('referral_acknowledged', '2026-11-02T10:40:00Z')]);
    expect(referralUnacknowledged(acked, now, 120, p)).toBe(false);
    const lateAck = facts([...referred, ev('referral_acknowledged', '2026-11-02T13:00:00Z')]);
    expect(referralUnacknowledged(lateAck, now, 120, p)).toBe(true);
    expect(rulesMet(facts(referred), now, DEFAULT_RULES, (code) => (code === 'Dx05' ? 120 : null))).toEqual([
      'referral_unacknowledged',
    ]);
  });

  it('queues self-care followed within 24 hours by an emergency, not one two days later', () => {
    const advised = [ev('outcome_decided', '2026-11-02T10:10:00Z', { outcome: 'self_care' })];
    const soon = facts(advised, { laterEmergencies: [t('2026-11-03T08:00:00Z')] });
    const later = facts(advised, { laterEmergencies: [t('2026-11-04T11:00:00Z')] });
    expect(rulesMet(soon, now, DEFAULT_RULES, noTimeframe)).toEqual(['self_care_followed_by_emergency']);
    expect(rulesMet(later, now, DEFAULT_RULES, noTimeframe)).toEqual([]);
    const reported = facts([
      ...advised,
      ev('referral_outcome_reported', '2026-11-02T20:00:00Z', { outcome: 'attended A&E' }),
    ]);
    expect(rulesMet(reported, now, DEFAULT_RULES, noTimeframe)).toEqual(['self_care_followed_by_emergency']);
    expect(isEmergencyOutcome('seen_by_gp')).toBe(false);
    expect(isEmergencyOutcome('ae_attendance')).toBe(true);
  });

  it('refuses parameters out of range with the field named', () => {
    expect(checkRuleParams('sample', { percent: 120, seed: 'x' })[0]?.pointer).toBe('/body/params/percent');
    expect(checkRuleParams('repeat_caller', { hours: 72 })).toEqual([]);
  });
});

describe('the random sample', () => {
  const cases = Array.from({ length: 40 }, (_, i) => ({
    caseId: `CASE-${i}`,
    providerCode: i % 2 ? 'NHSD' : 'RYC',
    openedAt: t(i < 20 ? '2026-11-03T10:00:00Z' : '2026-11-10T10:00:00Z'),
  }));

  it('takes the per cent of each provider’s cases in each week, the same for the same seed', () => {
    const a = sampleCases(cases, 20, 'seed-1');
    expect(a.size).toBe(8); // 4 groups of 10, 2 each
    expect([...sampleCases([...cases].reverse(), 20, 'seed-1')].sort()).toEqual([...a].sort());
    expect([...sampleCases(cases, 20, 'seed-2')].sort()).not.toEqual([...a].sort());
    expect(sampleCases(cases, 0, 'seed-1').size).toBe(0);
    expect(sampleCases(cases, 100, 'seed-1').size).toBe(40);
  });

  it('weeks start on Monday', () => {
    expect(weekOf(t('2026-11-08T23:59:00Z'))).toBe('2026-11-02');
    expect(weekOf(t('2026-11-09T00:00:00Z'))).toBe('2026-11-09');
  });
});

const reason = (f: () => void) => {
  try {
    f();
  } catch (err) {
    if (isDomainError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'allowed';
};

describe('scores and incidents', () => {
  it('scores a review once, and never by the adviser who took the call', () => {
    expect(reason(() => decideScore({ scoredAt: null, adviserId: 7, caseId: 'C' }, 8))).toBe('allowed');
    expect(
      reason(() => decideScore({ scoredAt: t('2026-11-02T00:00:00Z'), adviserId: 7, caseId: 'C' }, 8)),
    ).toMatch(/^conflict: .*scored once/);
    expect(reason(() => decideScore({ scoredAt: null, adviserId: 7, caseId: 'C' }, 7))).toMatch(/own calls/);
  });

  it('closes an incident only when graded and every action is done or waived', () => {
    const open = { id: 1, status: 'investigating' as const, grade: 'low' as const };
    expect(reason(() => decideClose(open, [{ status: 'done' }, { status: 'open' }]))).toMatch(
      /1 open action/,
    );
    expect(reason(() => decideClose(open, [{ status: 'done' }, { status: 'waived' }]))).toBe('allowed');
    expect(reason(() => decideClose({ ...open, grade: null }, []))).toMatch(/not been graded/);
    expect(reason(() => decideClose({ ...open, status: 'closed' }, []))).toMatch(/closed/);
    expect(reason(() => decideFinishAction(open, { id: 3, status: 'done' }, 'waived'))).toMatch(
      /already done/,
    );
  });
});

describe('the monthly report', () => {
  const report = buildReport({
    month: '2026-11',
    scope: 'provider NHSD',
    reviews: [
      { scoredAt: t('2026-11-03T00:00:00Z'), disposition: 'correct', safety: 'safe', communication: 4 },
      {
        scoredAt: t('2026-11-04T00:00:00Z'),
        disposition: 'not_urgent_enough',
        safety: 'unsafe',
        communication: 2,
      },
      { scoredAt: null, disposition: null, safety: null, communication: null },
    ],
    incidentGrades: ['moderate', null, 'moderate'],
    callbacks: { queued: 5, missed: 2 },
    validationResults: ['downgraded', 'confirmed', 'confirmed', 'nonsense'],
  });

  it('counts reviews, scores, incidents and validation outcomes', () => {
    expect(report.reviewsDone).toBe(2);
    expect(report.reviewsQueued).toBe(3);
    expect(report.communicationMean).toBe(3);
    expect(report.incidents.moderate).toBe(2);
    expect(report.incidents.ungraded).toBe(1);
    expect(report.validation).toEqual({ upgraded: 0, confirmed: 2, downgraded: 1 });
  });

  it('writes CSV and HTML with one bar per grade', () => {
    const csv = reportCsv(report);
    expect(csv.split('\r\n')[0]).toBe('month,scope,section,measure,value');
    expect(csv).toContain('2026-11,provider NHSD,incidents,moderate harm,2\r\n');
    const html = reportHtml(report);
    expect(html.match(/<svg/g)?.length).toBe(4);
    expect(html).toContain('<title>moderate harm: 2</title>');
  });
});
