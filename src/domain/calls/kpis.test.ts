import { describe, expect, it } from 'vitest';
import {
  addCounts,
  csvLine,
  KpiTally,
  MONTHLY_RETURN_COLUMNS,
  MONTHLY_RETURN_SHARES,
  monthlyCounts,
  shareOf,
} from './kpis';
import { OutcomeTally, returnGroup } from './outcomes';

describe('the monthly return', () => {
  it('defines every column once, each with its definition', () => {
    const keys = MONTHLY_RETURN_COLUMNS.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(MONTHLY_RETURN_COLUMNS.map((c) => c.heading)).size).toBe(keys.length);
    for (const c of MONTHLY_RETURN_COLUMNS) expect(c.definition.length).toBeGreaterThan(20);
  });

  it('counts a month from the same tallies as the KPIs, and adds rows up', () => {
    const calls = new KpiTally();
    calls.answeredCall(20, false, 300);
    calls.answeredCall(90, true, 600);
    calls.abandonedCall(10);
    calls.abandonedCall(45);
    const outcomes = new OutcomeTally();
    outcomes.disposition(0);
    outcomes.disposition(4);
    outcomes.passedToClinician = 1;
    outcomes.callBacks = 1;
    outcomes.callBackMade(700, -5);
    const m = monthlyCounts(calls.kpis(), outcomes.kpis());
    expect(m).toMatchObject({
      callsReceived: 4,
      callsAnswered: 2,
      answeredWithin60s: 1,
      abandoned: 2,
      abandonedAfter30s: 1,
      triaged: 2,
      callBacksMade: 1,
      callBacksWithin10Min: 0,
      callBacksByDue: 1,
      dispositionAmbulance: 1,
      dispositionSelfCare: 1,
    });
    const both = addCounts(m, m);
    expect(both.callsReceived).toBe(8);
    const within = MONTHLY_RETURN_SHARES.find((s) => s.heading === 'answered_within_60s_pct');
    if (!within) throw new Error('no share');
    expect(shareOf(both, within)).toBe(50);
  });

  it('folds the directory’s disposition groups into the return’s five', () => {
    expect(returnGroup('dental')).toBe('primary_care');
    expect(returnGroup('urgent_treatment')).toBe('other');
    expect(returnGroup('emergency_department')).toBe('emergency_department');
  });

  it('writes CSV fields quoted only when they must be', () => {
    expect(csvLine(['Luton', 'Bedford, "north"', 3, 95.44, null])).toBe('Luton,"Bedford, ""north""",3,95.4,');
  });
});
