import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDispositionContent } from '../../content/dispositions';
import type { Disposition } from '../dispositions/index';
import { DomainError } from '../errors';
import {
  applyCaseEvent,
  type Case,
  type CaseEvent,
  type CaseEventBody,
  callbackDueAt,
  callbackPriority,
  caseFromEvents,
  idempotencyKey,
  openedCase,
  outcomeKindFor,
  type Patient,
  planCallbackCompletion,
  planOutcome,
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
const trust = { code: 'RYC', name: 'East of England Ambulance Service' };
const ev = (body: CaseEventBody, at = t0): CaseEvent => ({ ...body, caseId: 'K1', at, by: 7 });

function triaged(code: string, p: Patient = patient): Case {
  return caseFromEvents([
    ev({ kind: 'opened', callId: 'C1', providerCode: 'NHSD', areaCode: '5GC', patient: p }),
    ev({ kind: 'triaged', dispositionCode: code, triageSessionId: 'T1', summary: ['Chest pain'] }, min(5)),
  ]);
}

const conflictOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'other';
  }
  return 'none';
};

describe('what a disposition makes the case do', () => {
  it('dispatches for ambulance, calls back for clinical and speak-to-clinician, advises for self-care, else refers', () => {
    expect(outcomeKindFor(dx('Dx010'))).toBe('ambulance');
    expect(outcomeKindFor(dx('Dx0116'))).toBe('ambulance');
    expect(outcomeKindFor(dx('Dx11'))).toBe('callback');
    expect(outcomeKindFor(dx('Dx120'))).toBe('callback');
    expect(outcomeKindFor(dx('Dx39'))).toBe('self_care');
    expect(outcomeKindFor(dx('Dx02'))).toBe('referral');
    expect(outcomeKindFor(dx('Dx05'))).toBe('referral');
    expect(outcomeKindFor(dx('Dx117'))).toBe('referral');
  });

  it('every disposition in the catalogue has an outcome', () => {
    for (const d of catalogue.byCode.values())
      expect(['ambulance', 'referral', 'callback', 'self_care']).toContain(outcomeKindFor(d));
  });
});

describe('ambulance outcome', () => {
  it('dispatches to the area’s trust with the triage record and category, no re-triage, highest priority, and tells the GP', () => {
    const plan = planOutcome(triaged('Dx0116'), dx('Dx0116'), { ambulanceTrust: trust }, {}, min(6), 7);
    expect(plan.events.map((e) => e.kind)).toEqual([
      'outcome_decided',
      'ambulance_dispatched',
      'post_event_sent',
    ]);
    const [dispatch, post] = plan.messages;
    expect(dispatch).toMatchObject({
      kind: 'ambulance_dispatch',
      destination: 'RYC',
      idempotencyKey: 'K1/ambulance_dispatch',
      payload: {
        category: 2,
        noReTriage: true,
        triage: { triageSessionId: 'T1', dispositionCode: 'Dx0116', summary: ['Chest pain'] },
      },
    });
    expect(post).toMatchObject({ kind: 'gp_post_event', destination: 'Y5GC1' });
    expect(dispatch?.priority).toBeGreaterThan(
      Math.max(...plan.messages.slice(1).map((m) => m.priority ?? 0)),
    );
    expect(plan.case.status).toBe('outcome_complete');
    expect(plan.case.dispatch?.category).toBe(2);
  });

  it('refuses a second dispatch, a second outcome and re-triage after the outcome', () => {
    const done = planOutcome(triaged('Dx010'), dx('Dx010'), { ambulanceTrust: trust }, {}, min(6), 7).case;
    expect(conflictOf(() => planOutcome(done, dx('Dx010'), { ambulanceTrust: trust }, {}, min(7), 7))).toBe(
      'conflict',
    );
    expect(
      conflictOf(() =>
        applyCaseEvent(done, ev({ kind: 'ambulance_dispatched', trust, category: 1 }, min(7))),
      ),
    ).toBe('conflict');
    expect(
      conflictOf(() =>
        applyCaseEvent(
          done,
          ev({ kind: 'triaged', dispositionCode: 'Dx39', triageSessionId: 'T2', summary: [] }, min(7)),
        ),
      ),
    ).toBe('conflict');
  });
});

describe('referral outcome', () => {
  it('refers to the chosen service and needs one', () => {
    const service = { id: 'SVC-1', name: 'Luton UTC', endpoint: 'https://example.test/bars' };
    const plan = planOutcome(triaged('Dx03'), dx('Dx03'), { ambulanceTrust: trust }, { service }, min(6), 7);
    expect(plan.messages[0]).toMatchObject({
      kind: 'referral',
      destination: 'SVC-1',
      idempotencyKey: 'K1/referral',
    });
    expect(plan.case.referral).toEqual(service);
    expect(
      conflictOf(() => planOutcome(triaged('Dx03'), dx('Dx03'), { ambulanceTrust: trust }, {}, min(6), 7)),
    ).toBe('invalid');
    expect(
      conflictOf(() =>
        planOutcome(triaged('Dx010'), dx('Dx010'), { ambulanceTrust: trust }, { service }, min(6), 7),
      ),
    ).toBe('invalid');
  });
});

describe('clinician call-backs', () => {
  it('Dx11 is due 60 minutes from now; Dx120 240 minutes; priority follows the due time', () => {
    const plan = planOutcome(triaged('Dx11'), dx('Dx11'), { ambulanceTrust: trust }, {}, min(6), 7);
    expect(plan.case.callback?.dueAt).toEqual(min(66));
    expect(plan.case.callback?.priority).toBe(2);
    expect(plan.case.status).toBe('awaiting_callback');
    expect(plan.messages.map((m) => m.kind)).toEqual(['clinician_callback']);
    const later = planOutcome(triaged('Dx120'), dx('Dx120'), { ambulanceTrust: trust }, {}, min(6), 7);
    expect(later.case.callback?.dueAt).toEqual(min(246));
    expect(later.case.callback?.priority).toBe(3);
  });

  it('a failed warm transfer is called back within 10 minutes, at the top priority', () => {
    const plan = planOutcome(
      triaged('Dx11'),
      dx('Dx11'),
      { ambulanceTrust: trust },
      { warmTransfer: 'failed' },
      min(6),
      7,
    );
    expect(plan.case.callback).toMatchObject({ dueAt: min(16), priority: 1, reason: 'warm_transfer_failed' });
    expect(callbackDueAt(dx('Dx120'), t0, true)).toEqual(min(10));
  });

  it('a connected warm transfer goes straight to the clinician, and the GP hears when the call completes', () => {
    const plan = planOutcome(
      triaged('Dx120'),
      dx('Dx120'),
      { ambulanceTrust: trust },
      { warmTransfer: 'connected' },
      min(6),
      7,
    );
    expect(plan.case.status).toBe('with_clinician');
    expect(plan.messages).toEqual([]);
    const done = planCallbackCompletion(plan.case, dx('Dx120'), 'Advised rest', min(20), 8);
    expect(done.events.map((e) => e.kind)).toEqual(['callback_completed', 'post_event_sent', 'closed']);
    expect(done.messages[0]?.payload).toMatchObject({ callback: { notes: 'Advised rest' } });
    // A completed call-back closes its case: nothing is left open for anyone to remember.
    expect(done.case.status).toBe('closed');
  });

  it('a call-back ended with the clinician’s own triage: an ambulance at once (no validation), the GP told, closed', () => {
    const plan = planOutcome(
      triaged('Dx120'),
      dx('Dx120'),
      { ambulanceTrust: trust },
      { warmTransfer: 'connected' },
      min(6),
      7,
    );
    const retriage = {
      disposition: dx('Dx0116'),
      triageSessionId: 'T2',
      summary: ['Worse now'],
      location: { ambulanceTrust: trust },
      choice: {},
    };
    const done = planCallbackCompletion(plan.case, dx('Dx120'), 'Re-triaged', min(20), 8, retriage);
    expect(done.events.map((e) => e.kind)).toEqual([
      'callback_completed',
      'outcome_decided',
      'ambulance_dispatched',
      'post_event_sent',
      'closed',
    ]);
    expect(done.case).toMatchObject({
      status: 'closed',
      outcome: 'ambulance',
      validation: null,
      triage: { dispositionCode: 'Dx0116', triageSessionId: 'T2', summary: ['Worse now'] },
      callback: { notes: 'Re-triaged' },
    });
    expect(done.messages.map((m) => m.kind)).toEqual(['ambulance_dispatch', 'gp_post_event']);
    // The same case folds back from its events: the replay is what the service acted on.
    const all = [
      ev({ kind: 'opened', callId: 'C1', providerCode: 'NHSD', areaCode: '5GC', patient }),
      ev(
        { kind: 'triaged', dispositionCode: 'Dx120', triageSessionId: 'T1', summary: ['Chest pain'] },
        min(5),
      ),
      ...plan.events,
      ...done.events,
    ];
    expect(caseFromEvents(all)).toEqual(done.case);
    // A call-back does not end in another call-back, and a service goes only with a referral.
    const again = { ...retriage, disposition: dx('Dx11') };
    expect(conflictOf(() => planCallbackCompletion(plan.case, dx('Dx120'), '', min(20), 8, again))).toBe(
      'invalid',
    );
    const service = { id: 'S1', name: 'A service', endpoint: 'https://example.test' };
    const stray = { ...retriage, choice: { service } };
    expect(conflictOf(() => planCallbackCompletion(plan.case, dx('Dx120'), '', min(20), 8, stray))).toBe(
      'invalid',
    );
    const noService = { ...retriage, disposition: dx('Dx05') };
    expect(conflictOf(() => planCallbackCompletion(plan.case, dx('Dx120'), '', min(20), 8, noService))).toBe(
      'invalid',
    );
  });

  it('priority bands have their edges at 20, 60 and 240 minutes', () => {
    expect(callbackPriority(min(20), t0)).toBe(1);
    expect(callbackPriority(new Date(min(20).getTime() + 1), t0)).toBe(2);
    expect(callbackPriority(min(60), t0)).toBe(2);
    expect(callbackPriority(new Date(min(60).getTime() + 1), t0)).toBe(3);
    expect(callbackPriority(min(240), t0)).toBe(3);
    expect(callbackPriority(new Date(min(240).getTime() + 1), t0)).toBe(4);
  });

  it('the due time is exactly the timeframe for every call-back disposition, whatever the instant', () => {
    const callbacks = [...catalogue.byCode.values()].filter((d) => outcomeKindFor(d) === 'callback');
    fc.assert(
      fc.property(
        fc.constantFrom(...callbacks),
        fc.date({ min: new Date('2010-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        (d, now) => {
          const due = callbackDueAt(d, now, false);
          expect(due.getTime() - now.getTime()).toBe((d.timeframeMinutes ?? 0) * 60_000);
          expect(callbackDueAt(d, now, true).getTime() - now.getTime()).toBeLessThanOrEqual(10 * 60_000);
        },
      ),
    );
  });
});

describe('self-care and the post-event message', () => {
  it('advises only, and says when no GP post-event could be sent', () => {
    const { gpPracticeCode: _gp, ...noGp } = patient;
    const plan = planOutcome(triaged('Dx39', noGp), dx('Dx39'), { ambulanceTrust: trust }, {}, min(6), 7);
    expect(plan.messages).toEqual([]);
    expect(plan.careAdvice.length).toBeGreaterThan(0);
    expect(plan.case.postEvent).toMatchObject({ sent: false });
    expect(plan.events.at(-1)).toMatchObject({
      kind: 'post_event_not_sent',
      reason: expect.stringMatching(/not known/),
    });
  });
});

describe('the case state machine', () => {
  it('refuses to close before an outcome, or a call-back before it is complete', () => {
    const c = triaged('Dx11');
    expect(conflictOf(() => applyCaseEvent(c, ev({ kind: 'closed' }, min(7))))).toBe('conflict');
    const queued = planOutcome(c, dx('Dx11'), { ambulanceTrust: trust }, {}, min(6), 7).case;
    expect(conflictOf(() => applyCaseEvent(queued, ev({ kind: 'closed' }, min(7))))).toBe('conflict');
    expect(
      conflictOf(() => applyCaseEvent(queued, ev({ kind: 'callback_completed', notes: '' }, min(7)))),
    ).toBe('conflict');
    const started = applyCaseEvent(queued, ev({ kind: 'callback_started' }, min(8)));
    expect(conflictOf(() => applyCaseEvent(started, ev({ kind: 'callback_started' }, min(9))))).toBe(
      'conflict',
    );
    const closed = planCallbackCompletion(started, dx('Dx11'), 'ok', min(30), 8).case;
    expect(closed.status).toBe('closed');
    expect(conflictOf(() => applyCaseEvent(closed, ev({ kind: 'closed' }, min(32))))).toBe('conflict');
  });

  it('refuses time running backwards and events for another case', () => {
    const c = triaged('Dx39');
    expect(conflictOf(() => applyCaseEvent(c, ev({ kind: 'closed' }, t0)))).toBe('invalid');
    expect(conflictOf(() => applyCaseEvent(c, { ...ev({ kind: 'closed' }, min(9)), caseId: 'K2' }))).toBe(
      'invalid',
    );
    expect(conflictOf(() => caseFromEvents([]))).toBe('invalid');
    expect(conflictOf(() => openedCase(ev({ kind: 'closed' })))).toBe('invalid');
  });

  it('replaying the events rebuilds the same case', () => {
    const c = triaged('Dx0116');
    const plan = planOutcome(c, dx('Dx0116'), { ambulanceTrust: trust }, {}, min(6), 7);
    const all: CaseEvent[] = [
      ev({ kind: 'opened', callId: 'C1', providerCode: 'NHSD', areaCode: '5GC', patient }),
      ev(
        { kind: 'triaged', dispositionCode: 'Dx0116', triageSessionId: 'T1', summary: ['Chest pain'] },
        min(5),
      ),
      ...plan.events,
    ];
    expect(caseFromEvents(all)).toEqual(plan.case);
  });

  it('idempotency keys are one per case and purpose', () => {
    expect(idempotencyKey('K1', 'referral')).not.toBe(idempotencyKey('K1', 'gp_post_event'));
    expect(idempotencyKey('K1', 'referral')).not.toBe(idempotencyKey('K2', 'referral'));
  });
});
