import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors';
import { erlangA, probabilityOfWait, staffingFor } from './erlang';
import { type FlowModel, simulateFlow } from './flow';
import { compileScenario, parseScenario } from './scenario';
import { compileDistribution } from './variates';

/** A stationary model: the same calls and staff every hour. */
function stationary(o: {
  hours: number;
  callsPerHour: number;
  advisers: number;
  handle: number;
  patience: number | null;
  clinical?: boolean;
  clinicians?: number;
  seed?: number;
}): FlowModel {
  return {
    callsByHour: new Float64Array(o.hours).fill(o.callsPerHour),
    advisersByHour: new Int32Array(o.hours).fill(o.advisers),
    cliniciansByHour: new Int32Array(o.hours).fill(o.clinicians ?? 0),
    adviserHandling: compileDistribution({ kind: 'exponential', mean: o.handle }),
    clinicianHandling: compileDistribution({ kind: 'lognormal', mean: 720, sd: 360 }),
    validationHandling: compileDistribution({ kind: 'lognormal', mean: 420, sd: 200 }),
    patience: o.patience === null ? null : compileDistribution({ kind: 'exponential', mean: o.patience }),
    clinical: o.clinical ?? false,
    clinicianShare: 0.2,
    outcomeMix: [11, 9, 61, 4, 16],
    ambulanceValidatedShare: 0.5,
    validateEmergencyDepartment: true,
    assessmentDueSeconds: 600,
    validationDueSeconds: 1800,
    seed: o.seed ?? 12,
    hourly: false,
  };
}

describe('Erlang A', () => {
  it('without abandonment is Erlang C', () => {
    for (const [n, perHour] of [
      [28, 180],
      [12, 60],
      [50, 340],
    ] as const) {
      const a = erlangA({
        agents: n,
        arrivalsPerSecond: perHour / 3600,
        handleSeconds: 480,
        patienceSeconds: Infinity,
      });
      const c = staffingFor(n, {
        callsPerHour: perHour,
        handleSeconds: 480,
        serviceLevel: 0.9,
        withinSeconds: 60,
      });
      expect(a.probabilityOfWait).toBeCloseTo(probabilityOfWait(n, (perHour * 480) / 3600), 9);
      expect(a.serviceLevel).toBeCloseTo(c.serviceLevel, 9);
      expect(a.abandonedShare).toBe(0);
    }
  });

  it('loses more callers the shorter their patience, and each lost caller improves the wait of the rest', () => {
    const q = { agents: 28, arrivalsPerSecond: 0.05, handleSeconds: 480 };
    const patient = erlangA({ ...q, patienceSeconds: 900 });
    const impatient = erlangA({ ...q, patienceSeconds: 120 });
    expect(impatient.abandonedShare).toBeGreaterThan(patient.abandonedShare);
    expect(impatient.serviceLevel).toBeGreaterThan(patient.serviceLevel);
    expect(impatient.abandonedAfterShare).toBeLessThan(impatient.abandonedShare);
  });

  it('settles an overloaded queue (more calls than agents can take) through abandonment', () => {
    const r = erlangA({ agents: 20, arrivalsPerSecond: 0.05, handleSeconds: 480, patienceSeconds: 300 });
    // 24 Erlangs offered to 20 agents: at least a sixth must be lost.
    expect(r.abandonedShare).toBeGreaterThan(1 - 20 / 24);
    expect(r.serviceLevel).toBeLessThan(0.8);
  });
});

describe('the simulator against the closed forms (stationary M/M/c)', () => {
  const HOURS = 24 * 90;
  it.each([
    [28, 150],
    [28, 180],
    [28, 192],
  ])('%i agents, %i calls an hour, nobody hangs up: within 1 point of Erlang C', (n, perHour) => {
    const r = simulateFlow(
      stationary({ hours: HOURS, callsPerHour: perHour, advisers: n, handle: 480, patience: null }),
    );
    const c = staffingFor(n, {
      callsPerHour: perHour,
      handleSeconds: 480,
      serviceLevel: 0.9,
      withinSeconds: 60,
    });
    expect(r.calls.abandoned).toBe(0);
    expect(Math.abs((r.calls.answeredWithin60sPercent ?? 0) - 100 * c.serviceLevel)).toBeLessThan(1);
  });

  it.each([
    [28, 180, 300],
    [28, 210, 300],
    [20, 180, 180],
  ])('%i agents, %i calls an hour, patience %i s: within 1 point of Erlang A', (n, perHour, patience) => {
    const r = simulateFlow(
      stationary({ hours: HOURS, callsPerHour: perHour, advisers: n, handle: 480, patience }),
    );
    const a = erlangA({
      agents: n,
      arrivalsPerSecond: perHour / 3600,
      handleSeconds: 480,
      patienceSeconds: patience,
    });
    expect(Math.abs((r.calls.answeredWithin60sPercent ?? 0) - 100 * a.serviceLevel)).toBeLessThan(1);
    expect(Math.abs((100 * r.calls.abandoned) / r.calls.offered - 100 * a.abandonedShare)).toBeLessThan(1);
    expect(Math.abs((r.calls.abandonedAfter30sPercent ?? 0) - 100 * a.abandonedAfterShare)).toBeLessThan(1);
  });

  it('is deterministic for a seed, and another seed gives another run', () => {
    const model = (seed: number) =>
      stationary({
        hours: 48,
        callsPerHour: 180,
        advisers: 28,
        handle: 480,
        patience: 300,
        clinical: true,
        clinicians: 10,
        seed,
      });
    expect(simulateFlow(model(5))).toEqual(simulateFlow(model(5)));
    expect(simulateFlow(model(6)).calls.offered).not.toBe(simulateFlow(model(5)).calls.offered);
  });
});

describe('the whole flow', () => {
  const flow = (clinicians: number) =>
    simulateFlow(
      stationary({
        hours: 24 * 20,
        callsPerHour: 180,
        advisers: 30,
        handle: 480,
        patience: 300,
        clinical: true,
        clinicians,
      }),
    );

  it('gives the outcome mix it was given, passes a fifth to clinicians and validates category 3/4 and A&E', () => {
    const r = flow(14);
    const p = r.outcomes.outcomePercent;
    const mix = { ambulance: 11, emergency_department: 9, primary_care: 61, other: 4, self_care: 16 };
    for (const [group, share] of Object.entries(mix))
      expect(Math.abs((p[group as keyof typeof mix] ?? 0) - (100 * share) / 101)).toBeLessThan(0.5);
    expect(r.outcomes.triaged).toBe(r.calls.answered);
    expect(r.outcomes.passedToClinicianPercent).toBeGreaterThan(19);
    expect(r.outcomes.passedToClinicianPercent).toBeLessThan(21);
    // Validated: (11 × 0.5 + 9) / 101 of the four-fifths not passed for assessment.
    expect(r.outcomes.validations / r.outcomes.triaged).toBeCloseTo(0.8 * (14.5 / 101), 2);
    expect(r.outcomes.warmTransfers + r.outcomes.callBacks).toBe(
      r.outcomes.passedToClinician + r.outcomes.validations,
    );
    expect(r.calls.transferred).toBe(r.outcomes.warmTransfers);
  });

  it('transfers warm when clinicians are free, and queues call-backs when they are not', () => {
    const plenty = flow(30);
    const few = flow(10);
    expect(
      plenty.outcomes.warmTransfers / (plenty.outcomes.warmTransfers + plenty.outcomes.callBacks),
    ).toBeGreaterThan(0.99);
    expect(few.outcomes.callBacks).toBeGreaterThan(few.outcomes.warmTransfers);
    expect(few.outcomes.callBacksWithin10MinPercent).toBeLessThan(
      plenty.outcomes.callBacksWithin10MinPercent ?? 100,
    );
  });

  it('with no clinician on duty, every clinical call waits as a call-back', () => {
    const r = flow(0);
    expect(r.outcomes.warmTransfers).toBe(0);
    expect(r.outcomes.callBacksMade).toBe(0);
    expect(r.callBacksPending).toBe(r.outcomes.passedToClinician + r.outcomes.validations);
  });
});

describe('scenarios', () => {
  const read = (name: string) => readFileSync(`content/scenarios/${name}.yaml`, 'utf8');

  it('the strep A week carries the 706,129 calls quoted, and its rota misses the targets', () => {
    const { model, days } = compileScenario(parseScenario(read('strep-a-week-2022')));
    expect(days).toBe(7);
    const expected = model.callsByHour.reduce((a, b) => a + b, 0);
    expect(Math.abs(expected - 706_129) / 706_129).toBeLessThan(0.001);
  });

  it('follows the rota hour by hour, and the bank holiday has the weekend shape', () => {
    const { model } = compileScenario(parseScenario(read('boxing-day')));
    // 26 December 2022, 10:00, is a bank holiday Monday: weekend day rota (6 advisers).
    expect(model.advisersByHour[24 + 10]).toBe(6);
    expect(model.advisersByHour[24 + 3]).toBe(2);
    expect(model.cliniciansByHour[24 + 20]).toBe(2);
    const r = simulateFlow(model);
    expect(r.series).toHaveLength(72);
    expect(r.calls.offered).toBe(r.series.reduce((n, h) => n + h.calls.offered, 0));
  });

  const base = () => read('boxing-day');
  it.each([
    [
      'a negative rate',
      (s: string) => s.replace('uplift: [1.1, 1.3, 1.15]', 'uplift: -1'),
      /demand\.uplift must be a number 0 or more, not -1/,
    ],
    [
      'a rota with a gap',
      (s: string) =>
        s.replace('{ from: "08:00", to: "16:00", advisers: 3', '{ from: "09:00", to: "16:00", advisers: 3'),
      /rota\.weekday\[1\] starts at 09:00 but the shift before ends at 08:00: a gap/,
    ],
    [
      'overlapping shifts',
      (s: string) =>
        s.replace('{ from: "16:00", to: "24:00", advisers: 5', '{ from: "15:00", to: "24:00", advisers: 5'),
      /rota\.weekend_or_bank_holiday\[2\] starts at 15:00, overlapping the shift before/,
    ],
    [
      'a shift off the hour',
      (s: string) =>
        s.replace(
          'to: "08:00", advisers: 2, clinicians: 1 }\n    - { from: "08:00", to: "16:00", advisers: 3',
          'to: "08:30", advisers: 2, clinicians: 1 }\n    - { from: "08:30", to: "16:00", advisers: 3',
        ),
      /rota\.weekday\[0\]\.to must be on the hour/,
    ],
    [
      'an unknown distribution',
      (s: string) => s.replace('adviser: { kind: lognormal', 'adviser: { kind: gamma'),
      /handling\.adviser\.kind must be exponential or lognormal/,
    ],
    ['broken YAML', (s: string) => s.replace('days: 3', 'days: [3'), /at line \d+/],
  ])('refuses %s, naming the field or line', (_what, edit, message) => {
    const text = edit(base());
    expect(text).not.toBe(base());
    expect(() => parseScenario(text)).toThrow(DomainError);
    expect(() => parseScenario(text)).toThrow(message);
  });
});
