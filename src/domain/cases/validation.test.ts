import { describe, expect, it } from 'vitest';
import { readDispositionContent } from '../../content/dispositions';
import type { Disposition } from '../dispositions/index';
import { DomainError } from '../errors';
import {
  applyCaseEvent,
  type Case,
  type CaseEvent,
  type CaseEventBody,
  caseFromEvents,
  type Patient,
  planOutcome,
  planValidation,
  planValidationBreach,
  validationReason,
} from './index';

const catalogue = readDispositionContent();
const dx = (code: string): Disposition => {
  const d = catalogue.byCode.get(code);
  if (!d) throw new Error(`no ${code}`);
  return d;
};
const t0 = new Date('2012-12-24T23:30:00Z');
const min = (m: number) => new Date(t0.getTime() + m * 60_000);
const patient: Patient = {
  name: 'Pat Example',
  birthDate: '1950-02-03',
  sex: 'female',
  postcode: 'LU1 3JU',
  gpPracticeCode: 'Y5GC1',
};
const location = { ambulanceTrust: { code: 'RYC', name: 'East of England Ambulance Service' } };
const ed = { id: 'SVC-ED', name: 'Luton and Dunstable A&E', endpoint: 'https://ed.example/referrals' };
const ev = (body: CaseEventBody, at = t0): CaseEvent => ({ ...body, caseId: 'K1', at, by: 7 });

function triaged(code: string): Case {
  return caseFromEvents([
    ev({ kind: 'opened', callId: 'C1', providerCode: 'NHSD', areaCode: '5GC', patient }),
    ev({ kind: 'triaged', dispositionCode: code, triageSessionId: 'T1', summary: ['Fell'] }, min(5)),
  ]);
}
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'other';
  }
  return 'none';
};
/** An adviser's outcome: validated when the disposition asks for it. */
const byAdviser = (code: string, service?: typeof ed) =>
  planOutcome(triaged(code), dx(code), location, service ? { service } : {}, min(6), 7, { validate: true });

describe('clinical validation of an adviser’s ambulance category 3/4 and A&E dispositions', () => {
  it('queues category 3 with a breach time 30 minutes on, and dispatches nothing yet', () => {
    const plan = byAdviser('Dx012');
    expect(plan.events.map((e) => e.kind)).toEqual(['outcome_decided', 'validation_queued']);
    expect(plan.events[1]).toMatchObject({
      kind: 'validation_queued',
      breachAt: min(36).toISOString(),
      reason: 'ambulance_category_3',
    });
    expect(plan.messages).toEqual([]);
    expect(plan.case.status).toBe('awaiting_validation');
    expect(codeOf(() => applyCaseEvent(plan.case, ev({ kind: 'closed' }, min(7))))).toBe('conflict');
    expect(
      codeOf(() =>
        applyCaseEvent(
          plan.case,
          ev({ kind: 'ambulance_dispatched', trust: location.ambulanceTrust, category: 3 }, min(7)),
        ),
      ),
    ).toBe('conflict');
  });

  it('dispatches category 1 and 2 at once, and a clinician’s own category 3, as before', () => {
    expect(validationReason(dx('Dx010'))).toBeNull();
    expect(validationReason(dx('Dx011'))).toBeNull();
    expect(byAdviser('Dx011').events.map((e) => e.kind)).toContain('ambulance_dispatched');
    const clinician = planOutcome(triaged('Dx012'), dx('Dx012'), location, {}, min(6), 8);
    expect(clinician.events.map((e) => e.kind)).toContain('ambulance_dispatched');
  });

  it('queues A&E for the disposition’s timeframe, holding the department the adviser chose', () => {
    const plan = byAdviser('Dx02', ed);
    expect(plan.events[1]).toMatchObject({
      kind: 'validation_queued',
      breachAt: min(6 + (dx('Dx02').timeframeMinutes ?? 0)).toISOString(),
      reason: 'emergency_department',
      service: ed,
    });
    expect(plan.case.referral).toBeNull();
  });

  it('downgraded to a referral: the new disposition is decided and acted on, the GP hears, the case closes', () => {
    const queued = byAdviser('Dx012').case;
    const ucc = { id: 'SVC-UTC', name: 'Luton UTC', endpoint: 'https://utc.example' };
    const done = planValidation(
      queued,
      dx('Dx012'),
      dx('Dx03'),
      location,
      { result: 'downgraded', notes: 'Walking, no red flags', choice: { service: ucc } },
      min(20),
      8,
    );
    expect(done.events.map((e) => e.kind)).toEqual([
      'validated',
      'outcome_decided',
      'referred',
      'post_event_sent',
      'closed',
    ]);
    expect(done.events[0]).toMatchObject({
      kind: 'validated',
      result: 'downgraded',
      dispositionCode: 'Dx03',
      previousDispositionCode: 'Dx012',
      notes: 'Walking, no red flags',
    });
    expect(done.case.triage?.dispositionCode).toBe('Dx03');
    expect(done.case.dispatch).toBeNull();
    expect(done.messages.map((m) => m.kind)).toEqual(['referral', 'gp_post_event']);
  });

  it('confirmed: the ambulance goes now; upgraded: at the higher category; the direction must fit', () => {
    const queued = byAdviser('Dx012').case;
    const confirm = planValidation(
      queued,
      dx('Dx012'),
      dx('Dx012'),
      location,
      { result: 'confirmed', notes: '', choice: {} },
      min(10),
      8,
    );
    expect(confirm.case.dispatch?.category).toBe(3);
    expect(confirm.case.status).toBe('closed');
    const up = planValidation(
      queued,
      dx('Dx012'),
      dx('Dx011'),
      location,
      { result: 'upgraded', notes: '', choice: {} },
      min(10),
      8,
    );
    expect(up.case.dispatch?.category).toBe(2);
    expect(
      codeOf(() =>
        planValidation(
          queued,
          dx('Dx012'),
          dx('Dx03'),
          location,
          { result: 'upgraded', notes: '', choice: {} },
          min(10),
          8,
        ),
      ),
    ).toBe('invalid');
    expect(
      codeOf(() =>
        planValidation(
          queued,
          dx('Dx012'),
          dx('Dx011'),
          location,
          { result: 'confirmed', notes: '', choice: {} },
          min(10),
          8,
        ),
      ),
    ).toBe('invalid');
  });

  it('A&E confirmed goes to the held department', () => {
    const queued = byAdviser('Dx02', ed).case;
    const done = planValidation(
      queued,
      dx('Dx02'),
      dx('Dx02'),
      location,
      { result: 'confirmed', notes: '', choice: {} },
      min(10),
      8,
    );
    expect(done.case.referral).toEqual(ed);
  });

  it('the fail-safe: past the breach time the ambulance is dispatched by the system and the case says so', () => {
    const queued = byAdviser('Dx012').case;
    expect(codeOf(() => planValidationBreach(queued, dx('Dx012'), location, min(35)))).toBe('invalid');
    const done = planValidationBreach(queued, dx('Dx012'), location, min(36));
    expect(done.events.map((e) => e.kind)).toEqual([
      'validation_breached',
      'ambulance_dispatched',
      'post_event_sent',
      'closed',
    ]);
    expect(done.events.every((e) => e.by === null)).toBe(true);
    expect(done.messages[0]).toMatchObject({
      kind: 'ambulance_dispatch',
      payload: { category: 3, validation: { result: null, breached: true } },
    });
    // Once validated, there is nothing left to breach.
    const validated = planValidation(
      queued,
      dx('Dx012'),
      dx('Dx012'),
      location,
      { result: 'confirmed', notes: '', choice: {} },
      min(10),
      8,
    );
    expect(codeOf(() => planValidationBreach(validated.case, dx('Dx012'), location, min(40)))).toBe(
      'conflict',
    );
  });

  it('replaying the events rebuilds the same case', () => {
    const queued = byAdviser('Dx012');
    const done = planValidationBreach(queued.case, dx('Dx012'), location, min(40));
    const all = [
      ev({ kind: 'opened', callId: 'C1', providerCode: 'NHSD', areaCode: '5GC', patient }),
      ev({ kind: 'triaged', dispositionCode: 'Dx012', triageSessionId: 'T1', summary: ['Fell'] }, min(5)),
      ...queued.events,
      ...done.events,
    ];
    expect(caseFromEvents(all)).toEqual(done.case);
  });
});

describe('referral acknowledgement', () => {
  const referred = () => planOutcome(triaged('Dx03'), dx('Dx03'), location, { service: ed }, min(6), 7).case;

  it('is acknowledged, then its outcome reported, even after the case closed', () => {
    const closed = applyCaseEvent(referred(), ev({ kind: 'closed' }, min(7)));
    const acked = applyCaseEvent(closed, ev({ kind: 'referral_acknowledged' }, min(30)));
    expect(acked.referralProgress.acknowledgedAt).toEqual(min(30));
    const seen = applyCaseEvent(
      acked,
      ev({ kind: 'referral_outcome_reported', outcome: 'treated' }, min(90)),
    );
    expect(seen.referralProgress.outcome).toBe('treated');
    expect(codeOf(() => applyCaseEvent(seen, ev({ kind: 'referral_acknowledged' }, min(91))))).toBe(
      'conflict',
    );
  });

  it('refuses an outcome before the acknowledgement, and an alert once acknowledged', () => {
    const c = referred();
    expect(
      codeOf(() => applyCaseEvent(c, ev({ kind: 'referral_outcome_reported', outcome: 'seen' }, min(8)))),
    ).toBe('conflict');
    const acked = applyCaseEvent(c, ev({ kind: 'referral_acknowledged' }, min(8)));
    expect(
      codeOf(() => applyCaseEvent(acked, ev({ kind: 'referral_unacknowledged', dueAt: '' }, min(9)))),
    ).toBe('conflict');
  });
});
