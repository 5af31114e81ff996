import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import {
  applyDeadline,
  approvePlan,
  buildRoutingTable,
  buildSubmission,
  coverageOn,
  editPlan,
  isConfirmed,
  isIsoDate,
  latestProcurementDate,
  londonDate,
  londonMidnight,
  type PlanDraft,
  type Provider,
  planProblems,
  procurementInTime,
  type RolloutArea,
  type RolloutCalendar,
  type RolloutPlan,
  RULES,
  route,
  submitPlan,
  withdrawPlan,
  withPlan,
} from './index';

const calendar: RolloutCalendar = {
  submissionDeadline: '2011-09-23',
  nationalCoverageDate: '2013-04-01',
  defaultGoLiveDate: '2013-03-01',
  defaultProviderCode: 'NHSD',
  fallbackAdvice: 'Call NHS Direct on 0845 4647; in an emergency call 999.',
};

const providers = new Map<string, Provider>(
  (
    [
      {
        code: 'NHSD',
        name: 'NHS Direct',
        kind: 'nhs_direct',
        capabilities: ['call_handling', 'clinical_assessment'],
      },
      {
        code: 'RYC',
        name: 'East of England Ambulance Service',
        kind: 'ambulance_trust',
        capabilities: ['call_handling', 'clinical_assessment', 'ambulance_dispatch'],
      },
      { code: 'OOH1', name: 'Care UK', kind: 'out_of_hours', capabilities: ['clinical_assessment'] },
    ] satisfies Omit<Provider, 'demo'>[]
  ).map((p) => [p.code, { ...p, demo: false }]),
);

const luton: RolloutArea = {
  code: '5GC',
  name: 'Luton',
  regionCode: 'Q35',
  population: 212_927,
  ambulanceTrustCode: 'RYC',
  outOfHoursProviderCode: 'OOH1',
};
const beds: RolloutArea = { ...luton, code: '5P2', name: 'Bedfordshire', population: 422_015 };
const herts: RolloutArea = { ...luton, code: '5QV', name: 'Hertfordshire', population: 1_149_961 };

const draft = (over: Partial<PlanDraft> = {}): PlanDraft => ({
  status: 'planned',
  operatingModel: 'partnership',
  providerCodes: ['NHSD', 'RYC', 'OOH1'],
  procurementDate: '2012-04-01',
  goLiveDate: '2012-10-01',
  note: '',
  ...over,
});

const rulesBroken = (d: PlanDraft): (string | undefined)[] => planProblems(d, providers).map((p) => p.rule);

function confirmed(area: string, d: PlanDraft): RolloutPlan {
  const plan = editPlan(area, undefined, d, providers);
  const submitted = submitPlan(plan, 'commissioner', new Date('2011-09-01T10:00:00Z'));
  return approvePlan(submitted, 'ccg', '06F', new Date('2011-09-02T10:00:00Z'));
}

describe('procurement six calendar months before go-live', () => {
  it.each([
    ['2012-10-01', '2012-04-01'],
    ['2012-08-31', '2012-02-29'], // leap year: February has 29 days
    ['2013-08-31', '2013-02-28'], // not a leap year
    ['2012-03-31', '2011-09-30'], // September has 30 days
    ['2012-12-31', '2012-06-30'],
    ['2013-01-15', '2012-07-15'], // across a year end
    ['2012-02-29', '2011-08-29'],
  ])('go-live %s needs procurement on or before %s', (goLive, latest) => {
    expect(latestProcurementDate(goLive)).toBe(latest);
    expect(procurementInTime(latest, goLive)).toBe(true);
    const dayLate = new Date(`${latest}T12:00:00Z`);
    dayLate.setUTCDate(dayLate.getUTCDate() + 1);
    expect(procurementInTime(dayLate.toISOString().slice(0, 10), goLive)).toBe(false);
  });

  it('accepts exactly six months, refuses one day short, and names the rule', () => {
    expect(rulesBroken(draft({ procurementDate: '2012-04-01', goLiveDate: '2012-10-01' }))).toEqual([]);
    const problems = planProblems(
      draft({ procurementDate: '2012-04-02', goLiveDate: '2012-10-01' }),
      providers,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ pointer: '/procurementDate', rule: RULES.procurementSixMonths });
    expect(problems[0]?.message).toContain('on or before 2012-04-01');
  });

  it('holds for any pair of dates: accepted exactly when six months fit', () => {
    const day = fc.integer({ min: 0, max: 365 * 4 }).map((n) => {
      const d = new Date(Date.UTC(2010, 0, 1 + n));
      return d.toISOString().slice(0, 10);
    });
    fc.assert(
      fc.property(day, day, (p, g) => {
        const ok = procurementInTime(p, g);
        const gd = new Date(`${g}T00:00:00Z`);
        const pd = new Date(`${p}T00:00:00Z`);
        const sixBefore = new Date(Date.UTC(gd.getUTCFullYear(), gd.getUTCMonth() - 6, 1));
        const lastDay = new Date(
          Date.UTC(sixBefore.getUTCFullYear(), sixBefore.getUTCMonth() + 1, 0),
        ).getUTCDate();
        sixBefore.setUTCDate(Math.min(gd.getUTCDate(), lastDay));
        return ok === pd <= sixBefore;
      }),
    );
  });

  it('refuses dates that are not calendar dates', () => {
    expect(isIsoDate('2012-02-29')).toBe(true);
    expect(isIsoDate('2011-02-29')).toBe(false);
    expect(isIsoDate('2012-13-01')).toBe(false);
    expect(isIsoDate('1/10/2012')).toBe(false);
    expect(rulesBroken(draft({ goLiveDate: '2011-02-29' }))).toEqual([RULES.validDates]);
  });
});

describe('providers and operating models', () => {
  it('refuses providers that cannot dispatch an ambulance', () => {
    expect(rulesBroken(draft({ providerCodes: ['NHSD', 'OOH1'] }))).toEqual([
      RULES.providersDispatchAmbulance,
    ]);
  });
  it('needs the first provider to handle calls', () => {
    expect(rulesBroken(draft({ providerCodes: ['OOH1', 'RYC'] }))).toEqual([RULES.providersHandleCalls]);
  });
  it('checks the operating model against the providers', () => {
    expect(rulesBroken(draft({ operatingModel: 'single_provider' }))).toEqual([RULES.operatingModel]);
    expect(rulesBroken(draft({ operatingModel: 'single_provider', providerCodes: ['RYC'] }))).toEqual([]);
    expect(rulesBroken(draft({ operatingModel: 'partnership', providerCodes: ['RYC'] }))).toEqual([
      RULES.operatingModel,
    ]);
  });
  it('refuses unknown providers and live plans without a go-live date', () => {
    expect(rulesBroken(draft({ providerCodes: ['XXX'] }))).toEqual([RULES.knownProviders]);
    expect(rulesBroken(draft({ status: 'live', goLiveDate: null, procurementDate: null }))).toEqual([
      RULES.liveNeedsGoLive,
    ]);
  });
  it('refuses to save a plan that breaks a rule, naming it', () => {
    try {
      editPlan('5P2', undefined, draft({ procurementDate: '2012-05-01' }), providers);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).message).toContain(RULES.procurementSixMonths);
      expect((e as DomainError).problems[0]?.rule).toBe(RULES.procurementSixMonths);
    }
  });
});

describe('confirmation and the approval workflow', () => {
  it('is confirmed only with both dates and CCG approval', () => {
    const plan = editPlan('5P2', undefined, draft(), providers);
    expect(isConfirmed(plan)).toBe(false);
    const submitted = submitPlan(plan, 'commissioner', new Date('2011-09-01T00:00:00Z'));
    expect(isConfirmed(submitted)).toBe(false);
    const approved = approvePlan(submitted, 'ccg', '06F', new Date('2011-09-02T00:00:00Z'));
    expect(isConfirmed(approved)).toBe(true);
    expect(approved.version).toBe(3);
    // Editing takes it back to draft: the approval was for the plan as it was.
    const edited = editPlan('5P2', approved, draft({ note: 'changed' }), providers);
    expect(edited.stage).toBe('draft');
    expect(isConfirmed(edited)).toBe(false);
  });

  it('will not submit without both dates, nor approve before submission', () => {
    const noDates = editPlan('5P2', undefined, draft({ procurementDate: null, goLiveDate: null }), providers);
    expect(() => submitPlan(noDates, 'c', new Date())).toThrow(/cannot be submitted/);
    expect(() => approvePlan(noDates, 'ccg', '06F', new Date())).toThrow(/must be submitted/);
  });
});

describe('the submission deadline', () => {
  it('opts in every area without a confirmed plan, with a reason, once', () => {
    const plans = new Map<string, RolloutPlan>([
      [
        '5GC',
        confirmed(
          '5GC',
          draft({ status: 'pilot_live', procurementDate: '2010-06-03', goLiveDate: '2010-12-03' }),
        ),
      ],
      ['5QV', editPlan('5QV', undefined, draft(), providers)], // developing a plan, not approved
    ]);
    const changes = applyDeadline([luton, beds, herts], plans, calendar, '2011-09-23');
    expect(changes.map((c) => c.areaCode)).toEqual(['5P2', '5QV']);
    const bedsPlan = changes[0]?.plan;
    expect(bedsPlan).toMatchObject({
      status: 'opted_in_default',
      operatingModel: 'default_nhs_direct_partnership',
      defaultOptIn: { at: '2011-09-23', goLiveDate: '2013-03-01', providerCodes: ['NHSD', 'RYC', 'OOH1'] },
    });
    expect(changes[1]?.reason).toMatch(/missing CCG approval/);
    for (const c of changes) plans.set(c.areaCode, c.plan);
    expect(applyDeadline([luton, beds, herts], plans, calendar, '2011-09-24')).toEqual([]);
  });

  it('cannot be applied the day before the deadline', () => {
    expect(() => applyDeadline([beds], new Map(), calendar, '2011-09-22')).toThrow(/cannot be applied/);
  });
});

describe('routing', () => {
  const lutonPlan = confirmed(
    '5GC',
    draft({ status: 'pilot_live', procurementDate: '2010-06-03', goLiveDate: '2010-12-03' }),
  );
  const plans = new Map<string, RolloutPlan>([['5GC', lutonPlan]]);
  for (const c of applyDeadline([luton, beds], plans, calendar, '2011-09-23')) plans.set(c.areaCode, c.plan);
  const table = buildRoutingTable([luton, beds], plans, calendar, providers);

  it('routes Luton to the pilot provider from local midnight on its go-live day, not before', () => {
    const before = route(table, '5GC', new Date('2010-12-02T23:59:59.999Z'));
    expect(before).toMatchObject({ live: false, basis: null, provider: null, until: '2010-12-03' });
    expect(before.advice).toContain('0845 4647');
    expect(before.advice).toContain('999');
    const after = route(table, '5GC', new Date('2010-12-03T00:00:00Z'));
    expect(after).toMatchObject({
      live: true,
      basis: 'pilot',
      provider: { code: 'NHSD' },
      since: '2010-12-03',
    });
    expect(after.partners.map((p) => p.code)).toEqual(['RYC', 'OOH1']);
  });

  it('respects British Summer Time at midnight', () => {
    expect(londonMidnight('2012-10-01').toISOString()).toBe('2012-09-30T23:00:00.000Z');
    expect(londonMidnight('2012-12-01').toISOString()).toBe('2012-12-01T00:00:00.000Z');
    expect(londonDate(new Date('2012-09-30T23:30:00Z'))).toBe('2012-10-01');
    const p = confirmed('5P2', draft({ procurementDate: '2012-04-01', goLiveDate: '2012-10-01' }));
    const t = withPlan(table, '5P2', p, providers);
    expect(route(t, '5P2', new Date('2012-09-30T22:59:59Z')).live).toBe(false);
    expect(route(t, '5P2', new Date('2012-09-30T23:00:00Z'))).toMatchObject({
      live: true,
      basis: 'live_contract',
    });
  });

  it('routes an area with no plan to the default provider after the deadline and its default go-live', () => {
    expect(route(table, '5P2', new Date('2013-02-28T23:59:59Z')).live).toBe(false);
    const d = route(table, '5P2', new Date('2013-03-01T00:00:00Z'));
    expect(d).toMatchObject({
      live: true,
      basis: 'default_provider',
      provider: { code: 'NHSD', name: 'NHS Direct' },
    });
    expect(d.partners.map((p) => p.code)).toEqual(['RYC', 'OOH1']);
    expect(d.reason).toContain('2011-09-23');
  });

  it('moves an opted-in area off the default on its own go-live date', () => {
    const own = confirmed(
      '5P2',
      draft({
        operatingModel: 'single_provider',
        providerCodes: ['RYC'],
        procurementDate: '2012-11-01',
        goLiveDate: '2013-06-01',
      }),
    );
    const withOptIn: RolloutPlan = { ...own, defaultOptIn: plans.get('5P2')?.defaultOptIn ?? null };
    const t = withPlan(table, '5P2', withOptIn, providers);
    expect(route(t, '5P2', new Date('2013-05-31T12:00:00Z'))).toMatchObject({
      basis: 'default_provider',
      until: '2013-06-01',
    });
    expect(route(t, '5P2', new Date('2013-05-31T23:00:00Z'))).toMatchObject({
      basis: 'live_contract',
      provider: { code: 'RYC' },
    });
  });

  it('keeps routing to the default after an own plan is withdrawn, and refuses an unknown area', () => {
    const t = withPlan(table, '5GC', withdrawPlan(lutonPlan), providers);
    expect(route(t, '5GC', new Date('2012-01-01T00:00:00Z')).live).toBe(false);
    expect(() => route(table, 'ZZZ', new Date())).toThrow(/no commissioning area/);
  });

  it('counts areas and population covered on a date, nationally and per SHA', () => {
    const c2012 = coverageOn(table, plans, '2012-01-01');
    expect(c2012.national).toEqual({
      areas: 2,
      areasCovered: 1,
      population: 634_942,
      populationCovered: 212_927,
    });
    expect(c2012.areas.find((a) => a.areaCode === '5P2')?.state).toBe('opted_in');
    const c2013 = coverageOn(table, plans, calendar.nationalCoverageDate);
    expect(c2013.regions).toEqual([{ regionCode: 'Q35', ...c2013.national }]);
    expect(c2013.national.areasCovered).toBe(2);
  });
});

describe('the SHA’s submission to the Department of Health', () => {
  const plans = new Map([['5GC', confirmed('5GC', draft())]]);
  const submission = (sent: { at: string; by: string } | null) =>
    buildSubmission({
      regionCode: 'Q35',
      regionName: 'NHS East of England',
      areas: [herts, luton, beds, { ...luton, code: '5QA', regionCode: 'Q36', name: 'Elsewhere' }],
      plans,
      providers,
      calendar,
      sent,
    });

  it('lists the SHA’s areas only, the rollout by go-live date, and what is outstanding', () => {
    const s = submission(null);
    expect(s.areas.map((a) => a.code)).toEqual(['5P2', '5QV', '5GC']);
    expect(s.areas.find((a) => a.code === '5GC')).toMatchObject({
      confirmed: true,
      goLiveDate: '2012-10-01',
      ccgApproval: { ccgCode: '06F' },
    });
    expect(s.rollout).toEqual([
      {
        goLiveDate: '2012-10-01',
        areas: ['5GC'],
        population: 212_927,
        cumulativePercent: (100 * 212_927) / (212_927 + 422_015 + 1_149_961),
      },
    ]);
    expect(s.outstanding).toEqual([
      'Bedfordshire (5P2) has no plan: after the deadline it is opted in to the default provider.',
      'Hertfordshire (5QV) has no plan: after the deadline it is opted in to the default provider.',
    ]);
    expect(s.status).toBe('not_sent');
  });

  it('is sent by the deadline, or late after it', () => {
    expect(submission({ at: '2011-09-23T16:00:00.000Z', by: 'sha' }).status).toBe('sent');
    expect(submission({ at: '2011-09-24T09:00:00.000Z', by: 'sha' }).status).toBe('sent_late');
  });
});
