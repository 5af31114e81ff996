import type { Disposition } from '../dispositions/index';
import { invalid } from '../errors';
import type { OutboundMessage } from '../messaging/index';
import { applyCaseEvent } from './lifecycle';
import type {
  AmbulanceTrustRef,
  CallbackPriority,
  Case,
  CaseEvent,
  CaseEventBody,
  ChosenService,
  OutcomeKind,
  ValidationReason,
  ValidationResult,
} from './types';

/** A warm transfer that found no clinician free becomes a call-back within 10 minutes (national specification). */
export const FAILED_WARM_TRANSFER_CALLBACK_MINUTES = 10;

/**
 * Skill sets whose "speak to" dispositions are a call from one of the provider's own clinicians
 * (the clinical queue), rather than a referral to another service.
 */
export const CLINICIAN_SKILL_SETS: readonly string[] = ['clinician', 'primary_care'];

/** Outbox priorities: higher goes first. An ambulance dispatch overtakes everything. */
export const MESSAGE_PRIORITY = {
  ambulance_dispatch: 100,
  clinician_callback: 60,
  referral: 50,
  gp_post_event: 10,
} as const;
export type CaseMessageKind = keyof typeof MESSAGE_PRIORITY;

/** What a disposition makes the case do. */
export function outcomeKindFor(d: Disposition): OutcomeKind {
  if (d.group === 'ambulance') return 'ambulance';
  if (d.group === 'self_care') return 'self_care';
  if (d.group === 'clinical' || (d.contact === 'speak' && CLINICIAN_SKILL_SETS.includes(d.skillSet)))
    return 'callback';
  return 'referral';
}

/**
 * One key per case and purpose: a retried request, a second API node or a replayed transaction
 * produces the same key, and the outbox (and the receiver) keep only one message under it.
 */
export const idempotencyKey = (caseId: string, purpose: CaseMessageKind): string => `${caseId}/${purpose}`;

/** Call-back priority by how soon it is due: 1 within 20 minutes, 2 within the hour, 3 within 4 hours, 4 later. */
export function callbackPriority(dueAt: Date, now: Date): CallbackPriority {
  const minutes = (dueAt.getTime() - now.getTime()) / 60_000;
  if (minutes <= 20) return 1;
  if (minutes <= 60) return 2;
  if (minutes <= 240) return 3;
  return 4;
}

/** When the clinician must call: now + the disposition's timeframe, or within 10 minutes after a failed warm transfer. */
export function callbackDueAt(d: Disposition, now: Date, warmTransferFailed: boolean): Date {
  const timeframe = d.timeframeMinutes ?? FAILED_WARM_TRANSFER_CALLBACK_MINUTES;
  const minutes = warmTransferFailed ? Math.min(timeframe, FAILED_WARM_TRANSFER_CALLBACK_MINUTES) : timeframe;
  return new Date(now.getTime() + minutes * 60_000);
}

export interface OutcomeChoice {
  /** The Directory of Services result the adviser picked (referral outcomes only). */
  readonly service?: ChosenService;
  /** For a clinician disposition: the warm transfer went through, or no clinician was free. Absent: queue a call-back. */
  readonly warmTransfer?: 'connected' | 'failed';
}

export interface OutcomePlan {
  readonly outcome: OutcomeKind;
  /** Appended to the case in this order, in one transaction with the messages. */
  readonly events: readonly CaseEvent[];
  readonly messages: readonly OutboundMessage[];
  /** The case after the events. */
  readonly case: Case;
  readonly careAdvice: string;
}

const dispositionRef = (d: Disposition) => ({ code: d.code, title: d.title, group: d.group });

function triageRecord(c: Case) {
  return {
    triageSessionId: c.triage?.triageSessionId ?? null,
    dispositionCode: c.triage?.dispositionCode ?? null,
    summary: c.triage?.summary ?? [],
  };
}

/** Applies planned events in order, so a plan that breaks a rule is refused before anything is written. */
function apply(c: Case, bodies: readonly CaseEventBody[], at: Date, by: number | null) {
  const events = bodies.map((b): CaseEvent => ({ ...b, caseId: c.id, at, by }));
  return { events, case: events.reduce(applyCaseEvent, c) };
}

/**
 * The post-event message to the patient's GP practice, sent once the outcome is complete; when the
 * practice is not known, the case records that none could be sent (and why) instead of dropping it.
 */
export function planPostEvent(
  c: Case,
  disposition: Disposition,
): { body: CaseEventBody; message: OutboundMessage | null } {
  const practice = c.patient.gpPracticeCode;
  if (!practice) {
    return {
      body: {
        kind: 'post_event_not_sent',
        reason: "The patient's GP practice is not known, so no post-event message could be sent.",
      },
      message: null,
    };
  }
  return {
    body: { kind: 'post_event_sent', practiceCode: practice },
    message: {
      kind: 'gp_post_event',
      destination: practice,
      idempotencyKey: idempotencyKey(c.id, 'gp_post_event'),
      subject: c.id,
      priority: MESSAGE_PRIORITY.gp_post_event,
      payload: {
        caseId: c.id,
        patient: c.patient,
        openedAt: c.openedAt.toISOString(),
        disposition: dispositionRef(disposition),
        triage: triageRecord(c),
        outcome: c.outcome,
        ambulance: c.dispatch
          ? { trust: c.dispatch.trust, category: c.dispatch.category, at: c.dispatch.at.toISOString() }
          : null,
        referral: c.referral,
        callback: c.callback
          ? {
              reason: c.callback.reason,
              dueAt: c.callback.dueAt.toISOString(),
              completedAt: c.callback.completedAt?.toISOString() ?? null,
              notes: c.callback.notes,
            }
          : null,
        careAdvice: disposition.careAdvice,
      },
    },
  };
}

/** An adviser's ambulance category 3/4 waits this long at most for a clinician (then it is dispatched). */
export const VALIDATION_BREACH_MINUTES = 30;

/**
 * Whether a health adviser's disposition goes to clinical validation before it is acted on, and why:
 * ambulance category 3 and 4, and emergency department dispositions. Category 1 and 2 never wait.
 */
export function validationReason(d: Disposition): ValidationReason | null {
  if (d.group === 'ambulance') {
    if (d.ambulanceCategory === 3) return 'ambulance_category_3';
    if (d.ambulanceCategory === 4) return 'ambulance_category_4';
    return null;
  }
  return d.group === 'emergency_department' ? 'emergency_department' : null;
}

/** The breach time: 30 minutes for an ambulance category 3/4, the disposition's own timeframe for A&E. */
export function validationBreachAt(d: Disposition, now: Date): Date {
  const minutes =
    d.group === 'ambulance' ? VALIDATION_BREACH_MINUTES : (d.timeframeMinutes ?? VALIDATION_BREACH_MINUTES);
  return new Date(now.getTime() + minutes * 60_000);
}

/** The events and messages that carry out a decided outcome (after its `outcome_decided`). */
function act(
  decided: Case,
  disposition: Disposition,
  location: { readonly ambulanceTrust: AmbulanceTrustRef },
  choice: OutcomeChoice,
  now: Date,
): { bodies: CaseEventBody[]; messages: OutboundMessage[] } {
  const c = decided;
  const bodies: CaseEventBody[] = [];
  const messages: OutboundMessage[] = [];
  switch (outcomeKindFor(disposition)) {
    case 'ambulance': {
      const category = disposition.ambulanceCategory ?? 2;
      bodies.push({ kind: 'ambulance_dispatched', trust: location.ambulanceTrust, category });
      messages.push({
        kind: 'ambulance_dispatch',
        destination: location.ambulanceTrust.code,
        idempotencyKey: idempotencyKey(c.id, 'ambulance_dispatch'),
        subject: c.id,
        priority: MESSAGE_PRIORITY.ambulance_dispatch,
        payload: {
          caseId: c.id,
          category,
          noReTriage: true,
          disposition: dispositionRef(disposition),
          triage: triageRecord(decided),
          patient: c.patient,
          areaCode: c.areaCode,
          requestedAt: now.toISOString(),
          validation: c.validation
            ? { result: c.validation.result, breached: c.validation.breachedAt !== null }
            : null,
        },
      });
      break;
    }
    case 'referral': {
      if (!choice.service)
        throw invalid(`${disposition.code} is a referral: choose the service to refer to.`, [
          { pointer: '/body/service', message: 'A referral needs the chosen service (id, name, endpoint).' },
        ]);
      bodies.push({ kind: 'referred', service: choice.service });
      messages.push({
        kind: 'referral',
        destination: choice.service.id,
        idempotencyKey: idempotencyKey(c.id, 'referral'),
        subject: c.id,
        priority: MESSAGE_PRIORITY.referral,
        payload: {
          caseId: c.id,
          service: choice.service,
          disposition: dispositionRef(disposition),
          timeframeMinutes: disposition.timeframeMinutes,
          triage: triageRecord(decided),
          patient: c.patient,
          referredAt: now.toISOString(),
        },
      });
      break;
    }
    case 'callback': {
      if (choice.warmTransfer === 'connected') {
        bodies.push({ kind: 'warm_transferred' });
        break;
      }
      const failed = choice.warmTransfer === 'failed';
      const dueAt = callbackDueAt(disposition, now, failed);
      const priority = callbackPriority(dueAt, now);
      bodies.push({
        kind: 'callback_queued',
        dueAt: dueAt.toISOString(),
        priority,
        reason: failed ? 'warm_transfer_failed' : 'disposition',
      });
      messages.push({
        kind: 'clinician_callback',
        destination: c.providerCode,
        idempotencyKey: idempotencyKey(c.id, 'clinician_callback'),
        subject: c.id,
        priority: MESSAGE_PRIORITY.clinician_callback,
        payload: {
          caseId: c.id,
          dueAt: dueAt.toISOString(),
          priority,
          phone: c.patient.phone ?? null,
          disposition: dispositionRef(disposition),
          triage: triageRecord(decided),
        },
      });
      break;
    }
    case 'self_care':
      break;
  }
  return { bodies, messages };
}

/**
 * Once the outcome is complete: the post-event message to the GP (or the record that none could be
 * sent) and, when `close`, the case's closing, so nothing is left for anyone to remember.
 */
function finish(
  c: Case,
  bodies: CaseEventBody[],
  messages: OutboundMessage[],
  disposition: Disposition,
  now: Date,
  by: number | null,
  close: boolean,
): { events: CaseEvent[]; case: Case; messages: OutboundMessage[] } {
  let { events, case: after } = apply(c, bodies, now, by);
  if (after.status !== 'outcome_complete') return { events, case: after, messages };
  const post = planPostEvent(after, disposition);
  const tail: CaseEventBody[] = close ? [post.body, { kind: 'closed' }] : [post.body];
  ({ events, case: after } = apply(c, [...bodies, ...tail], now, by));
  return { events, case: after, messages: post.message ? [...messages, post.message] : messages };
}

/**
 * What must happen for a case's disposition, and which messages go out:
 * - ambulance: dispatch through the area's ambulance trust, carrying the triage record and the
 *   category, marked for no re-triage, at the highest priority;
 * - referral: to the service chosen from the directory;
 * - clinician call-back: due now + the disposition's timeframe (10 minutes after a failed warm
 *   transfer), prioritised by due time; or straight through on a warm transfer;
 * - self-care: advice only;
 * - with `validate` (a health adviser's outcome), an ambulance category 3/4 or A&E disposition is
 *   queued for clinical validation with its breach time instead, the A&E service held until then;
 * and, whenever the outcome is complete, the post-event message to the GP (or the record that none
 * could be sent). Pure: the caller writes the events and messages in one transaction.
 */
export function planOutcome(
  c: Case,
  disposition: Disposition,
  location: { readonly ambulanceTrust: AmbulanceTrustRef },
  choice: OutcomeChoice,
  now: Date,
  by: number | null,
  options: { readonly validate?: boolean } = {},
): OutcomePlan {
  if (!c.triage) throw invalid(`Case ${c.id} has no disposition yet: record the triage result first.`);
  if (c.triage.dispositionCode !== disposition.code)
    throw invalid(`Case ${c.id} has disposition ${c.triage.dispositionCode}, not ${disposition.code}.`);
  const outcome = outcomeKindFor(disposition);
  if (choice.service && outcome !== 'referral')
    throw invalid(`${disposition.code} is not a referral: do not choose a service.`, [
      { pointer: '/body/service', message: `Only referral dispositions go to a chosen service.` },
    ]);
  if (choice.warmTransfer && outcome !== 'callback')
    throw invalid(
      `${disposition.code} does not pass the patient to a clinician: there is no warm transfer.`,
      [{ pointer: '/body/warmTransfer', message: 'Only clinician dispositions are warm-transferred.' }],
    );
  const bodies: CaseEventBody[] = [{ kind: 'outcome_decided', outcome, dispositionCode: disposition.code }];
  const decided = apply(c, bodies, now, by).case;
  const reason = options.validate ? validationReason(disposition) : null;
  let messages: OutboundMessage[] = [];
  if (reason) {
    if (outcome === 'referral' && !choice.service)
      throw invalid(`${disposition.code} is a referral: choose the service to refer to.`, [
        { pointer: '/body/service', message: 'A referral needs the chosen service (id, name, endpoint).' },
      ]);
    bodies.push({
      kind: 'validation_queued',
      breachAt: validationBreachAt(disposition, now).toISOString(),
      reason,
      ...(choice.service ? { service: choice.service } : {}),
    });
  } else {
    const done = act(decided, disposition, location, choice, now);
    bodies.push(...done.bodies);
    messages = done.messages;
  }
  const out = finish(c, bodies, messages, disposition, now, by, false);
  return { outcome, ...out, careAdvice: disposition.careAdvice };
}

export interface ValidationDecision {
  readonly result: ValidationResult;
  readonly notes: string;
  /** For a referral disposition: the service from the Directory search for it (A&E confirmed: the held one). */
  readonly choice: OutcomeChoice;
}

/**
 * A clinician validates an adviser's ambulance or A&E disposition: confirmed, it is acted on as it
 * stands; upgraded or downgraded, the new disposition (more or less urgent than the old) is decided and
 * acted on instead. When the outcome is complete the GP hears and the case closes.
 */
export function planValidation(
  c: Case,
  previous: Disposition,
  next: Disposition,
  location: { readonly ambulanceTrust: AmbulanceTrustRef },
  decision: ValidationDecision,
  now: Date,
  by: number | null,
): { events: readonly CaseEvent[]; messages: readonly OutboundMessage[]; case: Case } {
  if (decision.result === 'upgraded' && !(next.urgencyRank < previous.urgencyRank))
    throw invalid(
      `${next.code} (${next.title}) is not more urgent than ${previous.code}: an upgrade needs a more urgent disposition.`,
      [{ pointer: '/body/dispositionCode', message: 'not more urgent', rule: 'upgrade-is-more-urgent' }],
    );
  if (decision.result === 'downgraded' && !(next.urgencyRank > previous.urgencyRank))
    throw invalid(
      `${next.code} (${next.title}) is not less urgent than ${previous.code}: a downgrade needs a less urgent disposition.`,
      [{ pointer: '/body/dispositionCode', message: 'not less urgent', rule: 'downgrade-is-less-urgent' }],
    );
  const changed = next.code !== previous.code;
  const bodies: CaseEventBody[] = [
    {
      kind: 'validated',
      result: decision.result,
      dispositionCode: next.code,
      previousDispositionCode: previous.code,
      notes: decision.notes,
    },
  ];
  const outcome = outcomeKindFor(next);
  if (changed) bodies.push({ kind: 'outcome_decided', outcome, dispositionCode: next.code });
  const decided = apply(c, bodies, now, by).case;
  const held = c.validation?.heldService;
  const choice: OutcomeChoice =
    !changed && held && !decision.choice.service ? { ...decision.choice, service: held } : decision.choice;
  if (choice.service && outcome !== 'referral')
    throw invalid(`${next.code} is not a referral: do not choose a service.`, [
      { pointer: '/body/service', message: 'Only referral dispositions go to a chosen service.' },
    ]);
  const done = act(decided, next, location, choice, now);
  bodies.push(...done.bodies);
  return finish(c, bodies, done.messages, next, now, by, true);
}

/**
 * The fail-safe: the breach time passed with no clinician's validation, so the disposition is acted on
 * as it stands (the ambulance dispatched, the A&E referral sent), the case says so, and it closes.
 */
export function planValidationBreach(
  c: Case,
  disposition: Disposition,
  location: { readonly ambulanceTrust: AmbulanceTrustRef },
  now: Date,
): { events: readonly CaseEvent[]; messages: readonly OutboundMessage[]; case: Case } {
  const bodies: CaseEventBody[] = [{ kind: 'validation_breached' }];
  const breached = apply(c, bodies, now, null).case;
  const held = c.validation?.heldService;
  const done = act(breached, disposition, location, held ? { service: held } : {}, now);
  bodies.push(...done.bodies);
  return finish(c, bodies, done.messages, disposition, now, null, true);
}

/** The clinician's own triage on a call-back, and what it ends in. */
export interface CallbackRetriage {
  /** The disposition the clinician's triage session ended in. */
  readonly disposition: Disposition;
  readonly triageSessionId: string;
  readonly summary: readonly string[];
  readonly location: { readonly ambulanceTrust: AmbulanceTrustRef };
  /** For a referral disposition: the service chosen from its Directory search. */
  readonly choice: OutcomeChoice;
}

/**
 * The clinician finishes the call-back: the outcome is complete, so the GP hears about it now and the case
 * closes. With `retriage`, the clinician re-ran triage: its disposition replaces the adviser's and is acted
 * on like an adviser's outcome (an ambulance dispatched at once, with no validation, since a clinician
 * decided it; a referral to the chosen service; self-care advice), then the GP hears and the case closes.
 */
export function planCallbackCompletion(
  c: Case,
  disposition: Disposition,
  notes: string,
  now: Date,
  by: number | null,
  retriage?: CallbackRetriage,
): { events: readonly CaseEvent[]; messages: readonly OutboundMessage[]; case: Case } {
  if (!retriage) return finish(c, [{ kind: 'callback_completed', notes }], [], disposition, now, by, true);
  const next = retriage.disposition;
  const outcome = outcomeKindFor(next);
  if (outcome === 'callback')
    throw invalid(
      `${next.code} (${next.title}) asks for a clinician to call back: a call-back ends with an ambulance, a referral or self-care advice, or is completed with notes only.`,
      [
        {
          pointer: '/body/triage/dispositionCode',
          message: 'A call-back cannot end in another call-back.',
          rule: 'callback-ends-in-an-outcome',
        },
      ],
    );
  if (retriage.choice.service && outcome !== 'referral')
    throw invalid(`${next.code} (${next.title}) is not a referral: do not choose a service.`, [
      { pointer: '/body/serviceId', message: 'Only referral dispositions go to a chosen service.' },
    ]);
  const bodies: CaseEventBody[] = [
    {
      kind: 'callback_completed',
      notes,
      retriage: {
        dispositionCode: next.code,
        triageSessionId: retriage.triageSessionId,
        summary: retriage.summary,
      },
    },
    { kind: 'outcome_decided', outcome, dispositionCode: next.code },
  ];
  const decided = apply(c, bodies, now, by).case;
  const done = act(decided, next, retriage.location, retriage.choice, now);
  bodies.push(...done.bodies);
  return finish(c, bodies, done.messages, next, now, by, true);
}
