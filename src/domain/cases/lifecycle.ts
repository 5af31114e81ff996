import { conflict, invalid } from '../errors';
import type { Case, CaseEvent, CaseStatus } from './types';

/** Where a case stands, derived from what has happened (never stored apart from its events). */
export function caseStatus(c: Omit<Case, 'status'>): CaseStatus {
  if (c.closedAt) return 'closed';
  if (validationPending(c)) return 'awaiting_validation';
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

/** Queued for clinical validation, and neither validated nor breached yet. */
export const validationPending = (c: Pick<Case, 'validation'>): boolean =>
  c.validation !== null && c.validation.result === null && c.validation.breachedAt === null;

/** Events the receiving service sends (or the fail-safe raises) after the case was closed. */
const AFTER_CLOSE: readonly CaseEvent['kind'][] = [
  'referral_acknowledged',
  'referral_outcome_reported',
  'referral_unacknowledged',
];

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
    validation: null,
    referralProgress: {
      referredAt: null,
      acknowledgedAt: null,
      outcome: null,
      outcomeAt: null,
      alertedAt: null,
    },
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
  if (c.closedAt && !AFTER_CLOSE.includes(event.kind)) throw refuse(c, event.kind, 'it is closed');
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
        if (validationPending(c))
          throw refuse(c, 'dispatched an ambulance', 'a clinician has not validated it yet');
        if (c.dispatch)
          throw refuse(
            c,
            'dispatched again',
            `an ambulance was dispatched at ${c.dispatch.at.toISOString()}`,
          );
        return { ...c, dispatch: { trust: event.trust, category: event.category, at: event.at } };
      case 'referred':
        if (c.outcome !== 'referral') throw refuse(c, 'referred', 'its outcome is not a referral');
        if (validationPending(c)) throw refuse(c, 'referred', 'a clinician has not validated it yet');
        if (c.referral) throw refuse(c, 'referred again', `it was referred to ${c.referral.name}`);
        return {
          ...c,
          referral: event.service,
          referralProgress: { ...c.referralProgress, referredAt: event.at },
        };
      case 'validation_queued':
        if (c.outcome !== 'ambulance' && c.outcome !== 'referral')
          throw refuse(c, 'queued for validation', 'only an ambulance or A&E outcome is validated');
        if (c.validation) throw refuse(c, 'queued for validation again', 'it already was');
        if (c.dispatch || c.referral)
          throw refuse(c, 'queued for validation', 'its outcome has already been acted on');
        return {
          ...c,
          validation: {
            queuedAt: event.at,
            breachAt: new Date(event.breachAt),
            reason: event.reason,
            heldService: event.service ?? null,
            dispositionCode: c.triage?.dispositionCode ?? '',
            result: null,
            validatedAt: null,
            validatedBy: null,
            notes: null,
            breachedAt: null,
          },
        };
      case 'validated': {
        if (!c.validation || !validationPending(c) || !c.triage)
          throw refuse(c, 'validated', 'it is not waiting for clinical validation');
        if (event.previousDispositionCode !== c.triage.dispositionCode)
          throw invalid(
            `The validation is of ${event.previousDispositionCode}; the case's disposition is ${c.triage.dispositionCode}.`,
          );
        const changed = event.dispositionCode !== c.triage.dispositionCode;
        if (changed === (event.result === 'confirmed'))
          throw invalid(
            event.result === 'confirmed'
              ? `A confirmed validation keeps ${c.triage.dispositionCode}; choose "upgraded" or "downgraded" for ${event.dispositionCode}.`
              : `An ${event.result} validation needs a disposition other than ${c.triage.dispositionCode}.`,
          );
        const validation = {
          ...c.validation,
          result: event.result,
          validatedAt: event.at,
          validatedBy: event.by,
          notes: event.notes,
        };
        // A new disposition replaces the old one: its own outcome is decided next, in the same step.
        return changed
          ? {
              ...c,
              validation,
              triage: { ...c.triage, dispositionCode: event.dispositionCode },
              outcome: null,
              outcomeAt: null,
            }
          : { ...c, validation };
      }
      case 'validation_breached':
        if (!c.validation || !validationPending(c))
          throw refuse(c, 'breached', 'it is not waiting for clinical validation');
        if (event.at.getTime() < c.validation.breachAt.getTime())
          throw invalid(
            `Case ${c.id}: validation is not breached before ${c.validation.breachAt.toISOString()}.`,
          );
        return { ...c, validation: { ...c.validation, breachedAt: event.at } };
      case 'referral_acknowledged':
        if (!c.referral) throw refuse(c, 'acknowledged', 'it was not referred');
        if (c.referralProgress.acknowledgedAt)
          throw refuse(c, 'acknowledged again', 'the receiving service already acknowledged it');
        return { ...c, referralProgress: { ...c.referralProgress, acknowledgedAt: event.at } };
      case 'referral_outcome_reported':
        if (!c.referral) throw refuse(c, 'given a referral outcome', 'it was not referred');
        if (!c.referralProgress.acknowledgedAt)
          throw refuse(c, 'given a referral outcome', 'the receiving service has not acknowledged it');
        if (c.referralProgress.outcome)
          throw refuse(c, 'given a referral outcome again', `it was ${c.referralProgress.outcome}`);
        return {
          ...c,
          referralProgress: { ...c.referralProgress, outcome: event.outcome, outcomeAt: event.at },
        };
      case 'referral_unacknowledged':
        if (!c.referral || c.referralProgress.acknowledgedAt || c.referralProgress.alertedAt)
          throw refuse(c, 'alerted as unacknowledged', 'its referral is acknowledged or already alerted');
        return { ...c, referralProgress: { ...c.referralProgress, alertedAt: event.at } };
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
      case 'callback_completed': {
        if (!c.callback?.startedAt || c.callback.completedAt)
          throw refuse(c, 'given a completed call-back', 'no clinician is speaking to the patient');
        const callback = { ...c.callback, completedAt: event.at, notes: event.notes };
        if (!event.retriage) return { ...c, callback };
        // The clinician's triage replaces the adviser's disposition: its own outcome is decided next.
        return {
          ...c,
          callback,
          triage: { ...event.retriage, at: event.at },
          outcome: null,
          outcomeAt: null,
        };
      }
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
