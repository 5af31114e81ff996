import { conflict, invalid } from '../errors';
import type { Case, CaseEvent, CaseStatus } from './types';

/** Where a case stands, derived from what has happened (never stored apart from its events). */
export function caseStatus(c: Omit<Case, 'status'>): CaseStatus {
  if (c.closedAt) return 'closed';
  if (c.outcome === null) return c.triage ? 'triaged' : 'open';
  switch (c.outcome) {
    case 'self_care':
      return 'outcome_complete';
    case 'ambulance':
      return c.dispatch ? 'outcome_complete' : 'triaged';
    case 'referral':
      return c.referral ? 'outcome_complete' : 'triaged';
    case 'callback':
      if (!c.callback) return 'triaged';
      if (c.callback.completedAt) return 'outcome_complete';
      return c.callback.startedAt ? 'with_clinician' : 'awaiting_callback';
  }
}

const refuse = (c: Case, what: string, why: string) =>
  conflict(`Case ${c.id} is ${c.status.replace('_', ' ')}: it cannot be ${what} (${why}).`);

/** The first event of every case. */
export function openedCase(event: CaseEvent): Case {
  if (event.kind !== 'opened') throw invalid('A case starts with an "opened" event.');
  const base = {
    id: event.caseId,
    callId: event.callId,
    providerCode: event.providerCode,
    areaCode: event.areaCode,
    patient: event.patient,
    openedAt: event.at,
    triage: null,
    outcome: null,
    outcomeAt: null,
    referral: null,
    dispatch: null,
    callback: null,
    postEvent: null,
    closedAt: null,
    updatedAt: event.at,
  };
  return { ...base, status: caseStatus(base) };
}

/**
 * Applies one event to a case, refusing what cannot happen: a second outcome, a second dispatch,
 * closing before the outcome is complete or before the GP post-event step, time running backwards.
 */
export function applyCaseEvent(c: Case, event: CaseEvent): Case {
  if (event.caseId !== c.id) throw invalid(`Event for case ${event.caseId} applied to case ${c.id}.`);
  if (event.at.getTime() < c.updatedAt.getTime()) {
    throw invalid(`Case ${c.id}: ${event.kind} at ${event.at.toISOString()} is before its previous event.`);
  }
  if (c.closedAt) throw refuse(c, event.kind, 'it is closed');
  const next = ((): Omit<Case, 'status'> => {
    switch (event.kind) {
      case 'opened':
        throw conflict(`Case ${c.id} is already open.`);
      case 'triaged':
        if (c.outcome !== null) throw refuse(c, 'triaged again', 'an outcome was already decided');
        return {
          ...c,
          triage: {
            dispositionCode: event.dispositionCode,
            triageSessionId: event.triageSessionId,
            summary: event.summary,
            at: event.at,
          },
        };
      case 'outcome_decided':
        if (!c.triage) throw refuse(c, 'given an outcome', 'it has no disposition yet');
        if (c.outcome !== null) throw refuse(c, 'given a second outcome', `it already has "${c.outcome}"`);
        if (event.dispositionCode !== c.triage.dispositionCode)
          throw invalid(
            `The outcome is for ${event.dispositionCode}; the case's disposition is ${c.triage.dispositionCode}.`,
          );
        return { ...c, outcome: event.outcome, outcomeAt: event.at };
      case 'ambulance_dispatched':
        if (c.outcome !== 'ambulance')
          throw refuse(c, 'dispatched an ambulance', 'its outcome is not an ambulance');
        if (c.dispatch)
          throw refuse(
            c,
            'dispatched again',
            `an ambulance was dispatched at ${c.dispatch.at.toISOString()}`,
          );
        return { ...c, dispatch: { trust: event.trust, category: event.category, at: event.at } };
      case 'referred':
        if (c.outcome !== 'referral') throw refuse(c, 'referred', 'its outcome is not a referral');
        if (c.referral) throw refuse(c, 'referred again', `it was referred to ${c.referral.name}`);
        return { ...c, referral: event.service };
      case 'callback_queued':
      case 'warm_transferred': {
        if (c.outcome !== 'callback')
          throw refuse(c, 'passed to a clinician', 'its outcome is not a clinician call-back');
        if (c.callback) throw refuse(c, 'passed to a clinician again', 'it already was');
        const warm = event.kind === 'warm_transferred';
        return {
          ...c,
          callback: {
            dueAt: warm ? event.at : new Date(event.dueAt),
            priority: warm ? 1 : event.priority,
            reason: warm ? 'warm_transfer' : event.reason,
            startedAt: warm ? event.at : null,
            startedBy: warm ? event.by : null,
            completedAt: null,
            notes: null,
          },
        };
      }
      case 'callback_started':
        if (!c.callback || c.callback.startedAt)
          throw refuse(c, 'called back now', 'no call-back is waiting');
        return { ...c, callback: { ...c.callback, startedAt: event.at, startedBy: event.by } };
      case 'callback_completed':
        if (!c.callback?.startedAt || c.callback.completedAt)
          throw refuse(c, 'given a completed call-back', 'no clinician is speaking to the patient');
        return { ...c, callback: { ...c.callback, completedAt: event.at, notes: event.notes } };
      case 'post_event_sent':
      case 'post_event_not_sent':
        if (c.status !== 'outcome_complete')
          throw refuse(c, 'reported to the GP', 'its outcome is not complete yet');
        if (c.postEvent) throw refuse(c, 'reported to the GP again', 'the post-event step is done');
        return {
          ...c,
          postEvent:
            event.kind === 'post_event_sent'
              ? { sent: true, practiceCode: event.practiceCode, at: event.at }
              : { sent: false, reason: event.reason, at: event.at },
        };
      case 'closed':
        if (c.status !== 'outcome_complete') throw refuse(c, 'closed', 'its outcome is not complete');
        if (!c.postEvent) throw refuse(c, 'closed', 'the GP post-event step has not been done');
        return { ...c, closedAt: event.at };
    }
  })();
  const updated = { ...next, updatedAt: event.at };
  return { ...updated, status: caseStatus(updated) };
}

/** Rebuilds a case from its events: the replay governance sees is exactly what the service acted on. */
export function caseFromEvents(events: readonly CaseEvent[]): Case {
  const [first, ...rest] = events;
  if (!first) throw invalid('A case has at least its "opened" event.');
  return rest.reduce(applyCaseEvent, openedCase(first));
}
