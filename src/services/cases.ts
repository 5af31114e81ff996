import { randomUUID } from 'node:crypto';
import { readDispositionContent } from '../content/dispositions';
import { type Permission, type RecordRef, scopeFilter } from '../domain/auth/index';
import {
  applyCaseEvent,
  type Case,
  type CaseEvent,
  type CaseEventBody,
  type CaseStatus,
  type ChosenService,
  checkedNhsNumber,
  type OutcomeChoice,
  openedCase,
  outcomeKindFor,
  type Patient,
  planCallbackCompletion,
  planOutcome,
  planValidation,
  planValidationBreach,
  type ReferralOutcome,
  type ValidationResult,
} from '../domain/cases/index';
import { indexService, takesReferral } from '../domain/directory/index';
import type { Disposition, DispositionCatalogue } from '../domain/dispositions/index';
import { conflict, invalid, notFound } from '../domain/errors';
import { ambulanceTrustOn } from '../domain/geography/index';
import type { OutboundMessage } from '../domain/messaging/index';
import { findCallForUpdate, findCallWithCase, type StoredCall } from '../store/calls';
import {
  appendCaseEventsGuarded,
  caseEvents,
  caseEventsAppend,
  caseInsert,
  caseInsertGuarded,
  findCase,
  findCaseCounted,
  findCaseForUpdate,
  listCases as loadCases,
} from '../store/cases';
import type { Db, Tx } from '../store/db';
import { findPracticesByOdsCode, findService } from '../store/directory';
import { CASE_MESSAGES_SHOWN, listMessages as loadMessages, type StoredMessage } from '../store/outbox';
import { readTriageResult } from '../store/triage';
import { callRecord } from './calls';
import { heldCasesOf } from './cases-held';
import type { ServiceContext } from './context';
import type { Idempotent } from './idempotency';
import { locate, normalisedPostcode } from './locate';
import {
  auditEntry,
  authorize,
  type Caller,
  DECIDE_ATTEMPTS,
  inOneStatement,
  inUseCase,
  keptChanging,
  listScope,
  type ResourceRef,
  systemCaller,
} from './use-case';

export type { StoredMessage } from '../store/outbox';

/** A case as a reader is shown it: its record, its disposition, the messages it sent and their delivery. */
export interface CaseRecord {
  readonly case: Case;
  /** The disposition of its triage, from the Dx catalogue (absent before triage). */
  readonly disposition: Disposition | undefined;
  readonly messages: readonly StoredMessage[];
  /** A call-back is overdue once its due time has passed and nobody has started it. */
  readonly callbackOverdue: boolean;
}

/** A call-back waiting or under way, as the clinical queue lists it. */
export interface QueuedCallback {
  readonly case: Case;
  readonly dispositionCode: string;
  readonly dispositionTitle: string;
  readonly reason: string;
  readonly dueAt: Date;
  readonly priority: number;
  readonly minutesToDue: number;
  readonly overdue: boolean;
  readonly startedAt: Date | null;
}

/** One step of a case's replay: the event as recorded and the status it left the case in. */
export interface ReplayStep {
  readonly seq: number;
  readonly event: CaseEvent;
  readonly statusAfter: CaseStatus;
}

export interface OpenCaseInput {
  readonly callId: string;
  readonly patient: Patient;
  /** The commissioning area, when the adviser names it; else the call's, else where the postcode is. */
  readonly areaCode?: string;
}

export interface TriageResult {
  readonly triageSessionId: string;
  readonly dispositionCode: string;
  readonly summary?: readonly string[];
}

export interface CaseListFilter {
  readonly callId?: string;
  readonly status?: CaseStatus;
  readonly limit: number;
}

let catalogue: DispositionCatalogue | undefined;
/** The Dx catalogue, read from content once. */
export function dispositions(): DispositionCatalogue {
  catalogue ??= readDispositionContent();
  return catalogue;
}

function disposition(code: string, pointer: string): Disposition {
  const d = dispositions().byCode.get(code);
  if (!d)
    throw invalid(`There is no disposition ${code}.`, [
      { pointer, message: `Unknown disposition code "${code}".` },
    ]);
  return d;
}

const newCaseId = () => `CASE-${randomUUID()}`;
const caseRef = (c: Case): RecordRef => ({ providerCode: c.providerCode, areaCode: c.areaCode });
const caseResource = (id: string): ResourceRef => ({ type: 'case', id });
const overdue = (c: Case, now: Date): boolean =>
  c.callback != null && !c.callback.startedAt && now.getTime() > c.callback.dueAt.getTime();

/**
 * Refuses (and audits) a role that never holds the permission before anything is looked up, so whether
 * a record exists is not told to someone who may not touch such records at all.
 */
async function mayAtAll(ctx: ServiceContext, caller: Caller, permission: Permission, resource: ResourceRef) {
  await listScope(ctx, caller, permission, resource);
}

/** Refuses (and audits) a caller who may read no case at all: a search of cases asks this first. */
export async function mayReadCases(ctx: ServiceContext, caller: Caller): Promise<void> {
  await mayAtAll(ctx, caller, 'case.read', { type: 'case', id: 'search' });
}

async function record(db: Db | Tx, c: Case, now: Date): Promise<CaseRecord> {
  return recordWith(c, await loadMessages(db, { subject: c.id, limit: CASE_MESSAGES_SHOWN }), now);
}

function recordWith(c: Case, messages: readonly StoredMessage[], now: Date): CaseRecord {
  return {
    case: c,
    disposition: c.triage ? dispositions().byCode.get(c.triage.dispositionCode) : undefined,
    messages,
    callbackOverdue: overdue(c, now),
  };
}

/**
 * The triage session must be one the caller may read (its provider's), finished, and have ended in
 * exactly the disposition the case records: the outcome follows the triage, never a code typed in its
 * place. Read before the case change: the audited read of the session stands even when the
 * session is refused.
 */
export async function verifyTriage(
  ctx: ServiceContext,
  caller: Caller,
  triageSessionId: string,
  dispositionCode: string,
): Promise<void> {
  const resource = { type: 'triage_session', id: triageSessionId };
  const s = await readTriageResult(ctx.store.db, triageSessionId, auditEntry(caller, 'read', resource));
  if (!s) throw notFound(`There is no triage session ${triageSessionId}.`);
  await authorize(ctx, caller, 'triage_session.read', { providerCode: s.createdByOrganisation }, resource);
  if (s.status !== 'finished' || s.dispositionCode === null)
    throw conflict(
      `Triage session ${triageSessionId} is still in progress: finish the triage before recording its disposition.`,
    );
  if (s.dispositionCode !== dispositionCode)
    throw invalid(
      `Triage session ${triageSessionId} ended in ${s.dispositionCode}, not ${dispositionCode}: the outcome must follow the triage.`,
      [
        {
          pointer: '/body/dispositionCode',
          message: `the triage ended in ${s.dispositionCode}`,
          rule: 'disposition-follows-triage',
        },
      ],
    );
}

/**
 * The chosen service as the Directory of Services records it: it must exist, be active and accept the
 * disposition, or be the emergency department the Directory falls back to (its own rule). The referral goes to the directory's name and first endpoint,
 * never the client's.
 */
export async function resolveService(db: Db | Tx, serviceId: string, d: Disposition): Promise<ChosenService> {
  const found = await findService(db, serviceId);
  if (!found) throw notFound(`There is no service "${serviceId}" in the Directory of Services.`);
  const service = indexService(found);
  if (!service.active)
    throw conflict(
      `${found.name} (${found.id}) is ${found.status} in the Directory of Services: refer to an active service.`,
    );
  if (!takesReferral(service, d.code))
    throw invalid(
      `${found.name} (${found.id}) does not accept ${d.code} (${d.title}): choose a service the directory offers for this disposition.`,
      [
        {
          pointer: '/body/service/id',
          message: `the service does not accept ${d.code}`,
          rule: 'service-accepts-disposition',
        },
      ],
    );
  const endpoint = [...found.endpoints].sort((a, b) => a.order - b.order)[0];
  if (!endpoint)
    throw conflict(
      `${found.name} (${found.id}) has no endpoint in the Directory of Services: a referral cannot be sent to it.`,
    );
  return { id: found.id, name: found.name, endpoint: endpoint.address };
}

/** Opens a case for a call being answered: who the patient is and where. */
export async function openCase(
  ctx: ServiceContext,
  caller: Caller,
  input: OpenCaseInput,
  idem?: Idempotent<CaseRecord>,
): Promise<CaseRecord> {
  await mayAtAll(ctx, caller, 'case.open', { type: 'call', id: input.callId });
  const patient: Patient = {
    ...input.patient,
    postcode: normalisedPostcode(input.patient.postcode),
    ...(input.patient.nhsNumber
      ? { nhsNumber: checkedNhsNumber(input.patient.nhsNumber, '/body/patient/nhsNumber') }
      : {}),
  };
  const geo = await ctx.geography();
  if (patient.birthDate > ctx.now().toISOString().slice(0, 10))
    throw invalid('The date of birth is in the future.', [
      { pointer: '/body/patient/birthDate', message: 'A date of birth cannot be after today.' },
    ]);
  if (
    patient.gpPracticeCode &&
    (await findPracticesByOdsCode(ctx.store.db, patient.gpPracticeCode)).length === 0
  )
    throw invalid(
      `There is no GP practice with the code ${patient.gpPracticeCode} in the Directory of Services: choose the patient's practice from the list, or leave it out if it is not known.`,
      [
        {
          pointer: '/body/patient/gpPracticeCode',
          message: 'No GP practice in the Directory of Services has this ODS code.',
        },
      ],
    );
  const callResource = { type: 'call', id: input.callId };
  // The case the call gets, decided on the call as read and the case it may already have.
  const decide = async (call: StoredCall, caseId: string | undefined, now: Date, db: Db | Tx) => {
    if (call.status !== 'answered' && call.status !== 'transferred')
      throw conflict(`Call ${call.id} is ${call.status}: a case is opened for a call being answered.`);
    if (caseId) throw conflict(`Call ${call.id} already has case ${caseId}.`);
    let areaCode = input.areaCode?.toUpperCase() ?? call.areaCode;
    if (areaCode && !geo.areas.has(areaCode)) throw notFound(`There is no commissioning area "${areaCode}".`);
    areaCode ??= (await locate(ctx, patient.postcode, now, db)).area.code;
    const event: CaseEvent = {
      kind: 'opened',
      caseId: newCaseId(),
      at: now,
      by: caller.actor.userId,
      callId: call.id,
      providerCode: call.providerCode,
      areaCode,
      patient,
    };
    return { event, opened: openedCase(event) };
  };
  const asOpened = (c: Case): CaseRecord => ({
    case: c,
    disposition: undefined,
    messages: [],
    callbackOverdue: false,
  });
  if (idem)
    return inUseCase(
      ctx,
      caller,
      async (u) => {
        const call = await findCallForUpdate(u.tx, input.callId);
        if (!call) throw notFound(`There is no call ${input.callId}.`);
        await u.allow('case.open', callRecord(call), callResource);
        const existing = await loadCases(u.tx, { callId: call.id, limit: 1 });
        const { event, opened } = await decide(call, existing[0]?.id, u.now, u.tx);
        u.later(...caseInsert(u.tx, opened, [event]));
        await u.audit('create', caseResource(opened.id));
        return asOpened(opened);
      },
      idem,
    );
  // Without a lock or a transaction, as a case change (changeCase): read, ask the policy, decide, and
  // write in one statement that holds only while the call is as read; when it is not, decide again.
  const db = ctx.store.db;
  for (let attempt = 1; ; attempt += 1) {
    const now = ctx.now();
    const found = await findCallWithCase(db, input.callId);
    if (!found) throw notFound(`There is no call ${input.callId}.`);
    const { call } = found;
    await authorize(ctx, caller, 'case.open', callRecord(call), callResource);
    const { event, opened } = await decide(call, found.caseId ?? undefined, now, db);
    const trail = [auditEntry(caller, 'create', caseResource(opened.id))];
    if (await caseInsertGuarded(db, opened, [event], call.status, trail)) {
      heldCasesOf(ctx.store).set(opened.id, { case: opened, eventCount: 1 });
      return asOpened(opened);
    }
    if (attempt === DECIDE_ATTEMPTS) throw keptChanging(`Call ${call.id}`);
  }
}

/** Cases the caller may read (its provider's), by call or status; each one listed is an audited read. */
export async function listCases(
  ctx: ServiceContext,
  caller: Caller,
  filter: CaseListFilter,
): Promise<CaseRecord[]> {
  const scope = await listScope(ctx, caller, 'case.read', { type: 'case' });
  return inUseCase(ctx, caller, async (u) => {
    const cases = await loadCases(u.tx, {
      ...scopeFilter(scope),
      ...(filter.callId ? { callId: filter.callId } : {}),
      ...(filter.status ? { statuses: [filter.status] } : {}),
      limit: filter.limit,
    });
    await u.auditEach(
      'read',
      cases.map((c) => caseResource(c.id)),
      { via: 'list' },
    );
    const out: CaseRecord[] = [];
    for (const c of cases) out.push(await record(u.tx, c, u.now));
    return out;
  });
}

/**
 * One case with its messages; another provider's is "not found", like one that never was. `via` names
 * the reading on the audit row (FHIR, say).
 */
export async function readCase(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  via?: string,
): Promise<CaseRecord> {
  await mayAtAll(ctx, caller, 'case.read', caseResource(id));
  // A read locks nothing: it needs no transaction, only its audit row written with it (BEGIN and COMMIT
  // were two of its five round trips, and every referral and dispatch sent reads its case).
  return inOneStatement(ctx, caller, async (u) => {
    const c = await findCase(u.db, id);
    if (!c) throw notFound(`There is no case ${id}.`);
    await u.allow('case.read', caseRef(c), caseResource(id));
    await u.audit('read', caseResource(id), via ? { via } : undefined);
    return record(u.db, c, u.now);
  });
}

/** The case's events in order, as recorded, each with the status it left the case in: what governance replays. */
export async function replayCase(ctx: ServiceContext, caller: Caller, id: string): Promise<ReplayStep[]> {
  await mayAtAll(ctx, caller, 'case.read', caseResource(id));
  return inUseCase(ctx, caller, async (u) => {
    const events = await caseEvents(u.tx, id);
    const first = events[0];
    if (!first) throw notFound(`There is no case ${id}.`);
    await u.allow('case.read', caseRef(openedCase(first)), caseResource(id));
    await u.audit('read', caseResource(id), { via: 'replay' });
    // Fold the events again, step by step, so each shows the status it left the case in.
    const steps: ReplayStep[] = [];
    let state: Case | undefined;
    for (const [i, event] of events.entries()) {
      state = state ? applyCaseEvent(state, event) : openedCase(event);
      steps.push({ seq: i + 1, event, statusAfter: state.status });
    }
    return steps;
  });
}

interface CasePlan {
  readonly events: readonly CaseEvent[];
  readonly messages: readonly OutboundMessage[];
  readonly case: Case;
}

/** What a case change's plan decides with: the store to look things up in, the instant, the caller. */
interface CaseUnit {
  readonly db: Db | Tx;
  readonly now: Date;
  readonly caller: Caller;
}

/**
 * What a change asks the policy: a permission on the case, as its own provider's and area's record,
 * or on the record `about` finds for it (the service a referral went to, for that service's staff).
 */
type Asked =
  | Permission
  | { readonly permission: Permission; readonly about: (c: Case, db: Db | Tx) => Promise<RecordRef> };

/**
 * Checks and changes one case: its events, its messages (stamped with the case's provider, whose staff
 * alone may see them) and the audit row are written together, or none is. Without a lock or a
 * transaction: the case is read, the policy asked, the plan decided, and everything goes in one
 * statement that holds only while the case has the events it was decided on (store/cases.ts). When
 * another change got in first (two advisers, or a sweep), the case is read again and the change decided
 * on what it now is, as if it had waited for a lock. A request with an Idempotency-Key takes the
 * locked path, in a transaction with its key's claim and stored response.
 */
async function changeCase(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  asked: Asked,
  change: string,
  plan: (c: Case, u: CaseUnit) => Promise<CasePlan> | CasePlan,
  idem?: Idempotent<CaseRecord>,
): Promise<CaseRecord> {
  const permission = typeof asked === 'string' ? asked : asked.permission;
  const about = typeof asked === 'string' ? async (c: Case) => caseRef(c) : asked.about;
  await mayAtAll(ctx, caller, permission, caseResource(id));
  const resource = caseResource(id);
  const detail = (p: CasePlan) => ({
    change,
    events: p.events.map((e) => e.kind),
    messages: p.messages.map((m) => m.idempotencyKey),
  });
  const stamped = (c: Case, p: CasePlan) => p.messages.map((m) => ({ ...m, providerCode: c.providerCode }));
  if (idem)
    return inUseCase(
      ctx,
      caller,
      async (u) => {
        const c = await findCaseForUpdate(u.tx, id);
        if (!c) throw notFound(`There is no case ${id}.`);
        await u.allow(permission, await about(c, u.tx), resource);
        const p = await plan(c, { db: u.tx, now: u.now, caller });
        u.later(...caseEventsAppend(u.tx, p.case, p.events));
        for (const m of stamped(c, p)) await u.enqueue(m);
        await u.audit('update', resource, detail(p));
        return record(u.tx, p.case, u.now);
      },
      idem,
    );
  const db = ctx.store.db;
  const held = heldCasesOf(ctx.store);
  // Tries on the case read afresh, and in all (a held one that was out of date is not a lost race).
  for (let fresh = 0, tries = 1; ; tries++) {
    const now = ctx.now();
    // Only a change asked of the case's own provider and area, which never change, is decided on a
    // held case: the policy's answer on it is the answer on the case as it stands.
    const kept = typeof asked === 'string' ? held.get(id) : undefined;
    held.delete(id);
    if (!kept) fresh += 1;
    const found = kept ?? (await findCaseCounted(db, id));
    if (!found) throw notFound(`There is no case ${id}.`);
    const c = found.case;
    await authorize(ctx, caller, permission, await about(c, db), resource);
    let p: CasePlan;
    try {
      p = await plan(c, { db, now, caller });
    } catch (err) {
      if (kept) continue; // perhaps only out of date: decide on what the database holds
      throw err;
    }
    const written = await appendCaseEventsGuarded(db, {
      after: p.case,
      eventCount: found.eventCount,
      events: p.events,
      messages: stamped(c, p),
      trail: [auditEntry(caller, 'update', resource, detail(p))],
      now,
    });
    if (written) {
      held.set(id, { case: p.case, eventCount: found.eventCount + p.events.length });
      return recordWith(p.case, written, now);
    }
    if (fresh === DECIDE_ATTEMPTS || tries === 2 * DECIDE_ATTEMPTS) throw keptChanging(`Case ${id}`);
  }
}

function single(c: Case, body: CaseEventBody, u: Pick<CaseUnit, 'now' | 'caller'>): CasePlan {
  const event: CaseEvent = { ...body, caseId: c.id, at: u.now, by: u.caller.actor.userId };
  return { events: [event], messages: [], case: applyCaseEvent(c, event) };
}

/** Records the triage result: the session and the disposition it really ended in. */
export async function recordTriage(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  result: TriageResult,
): Promise<CaseRecord> {
  await mayAtAll(ctx, caller, 'case.change', caseResource(id));
  const d = disposition(result.dispositionCode, '/body/dispositionCode');
  await verifyTriage(ctx, caller, result.triageSessionId, d.code);
  return changeCase(ctx, caller, id, 'case.change', 'triage', (c, u) =>
    single(
      c,
      {
        kind: 'triaged',
        dispositionCode: d.code,
        triageSessionId: result.triageSessionId,
        summary: result.summary ?? [],
      },
      u,
    ),
  );
}

/**
 * Acts on the disposition: dispatches an ambulance through the area's trust that day, refers to the
 * service the directory records, queues or warm-transfers to a clinician, or advises self-care.
 */
export async function recordOutcome(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  choice: OutcomeChoice,
  idem?: Idempotent<CaseRecord>,
): Promise<CaseRecord> {
  const geo = await ctx.geography();
  return changeCase(
    ctx,
    caller,
    id,
    'case.change',
    'outcome',
    async (c, u) => {
      if (!c.triage) throw conflict(`Case ${c.id} has no disposition yet: record the triage result first.`);
      const d = disposition(c.triage.dispositionCode, '/case/disposition');
      const area = geo.areas.get(c.areaCode);
      if (!area) throw notFound(`Case ${c.id} names unknown area ${c.areaCode}.`);
      const trust = ambulanceTrustOn(geo, area, u.now);
      // A referral goes to the service as the directory records it; any other outcome refuses a service
      // in `planOutcome`, with the reason.
      const service =
        choice.service && outcomeKindFor(d) === 'referral'
          ? await resolveService(u.db, choice.service.id, d)
          : choice.service;
      return planOutcome(
        c,
        d,
        { ambulanceTrust: { code: trust.code, name: trust.name } },
        {
          ...(service ? { service } : {}),
          ...(choice.warmTransfer ? { warmTransfer: choice.warmTransfer } : {}),
        },
        u.now,
        caller.actor.userId,
        // A health adviser's ambulance category 3/4 or A&E disposition waits for a clinician first.
        { validate: caller.actor.role === 'health_adviser' },
      );
    },
    idem,
  );
}

/** A case waiting for clinical validation, as the validation queue lists it. */
export interface QueuedValidation {
  readonly case: Case;
  readonly dispositionCode: string;
  readonly dispositionTitle: string;
  readonly reason: string;
  readonly breachAt: Date;
  readonly minutesToBreach: number;
}

export interface ValidationInput {
  readonly result: ValidationResult;
  /** The disposition after validation: the same one when confirmed. */
  readonly dispositionCode: string;
  readonly notes: string;
  /** For a referral disposition, the service chosen from its Directory search. */
  readonly serviceId?: string;
}

/** Cases waiting for clinical validation that the caller may see, soonest breach first; each an audited read. */
export async function validationQueue(
  ctx: ServiceContext,
  caller: Caller,
  limit: number,
): Promise<QueuedValidation[]> {
  const scope = await listScope(ctx, caller, 'clinical_queue.read', { type: 'clinical_queue' });
  return inUseCase(ctx, caller, async (u) => {
    const cases = await loadCases(u.tx, {
      ...scopeFilter(scope),
      statuses: ['awaiting_validation'],
      byBreach: true,
      limit,
    });
    await u.auditEach(
      'read',
      cases.map((c) => caseResource(c.id)),
      { via: 'validation-queue' },
    );
    return cases.flatMap((c) =>
      c.validation && c.triage
        ? [
            {
              case: c,
              dispositionCode: c.triage.dispositionCode,
              dispositionTitle:
                dispositions().byCode.get(c.triage.dispositionCode)?.title ?? c.triage.dispositionCode,
              reason: c.validation.reason,
              breachAt: c.validation.breachAt,
              minutesToBreach: Math.round((c.validation.breachAt.getTime() - u.now.getTime()) / 6_000) / 10,
            },
          ]
        : [],
    );
  });
}

/**
 * A clinician validates an adviser's ambulance category 3/4 or A&E disposition: confirms it (acted on
 * now), upgrades or downgrades it to another disposition (acted on instead, a referral to the service
 * chosen from its Directory search). The GP hears and the case closes once the outcome is complete.
 */
export async function validateCase(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  input: ValidationInput,
): Promise<CaseRecord> {
  const geo = await ctx.geography();
  const next = disposition(input.dispositionCode, '/body/dispositionCode');
  return changeCase(ctx, caller, id, 'case.validate', 'validated', async (c, u) => {
    if (c.status !== 'awaiting_validation' || !c.triage)
      throw conflict(
        `Case ${c.id} is ${c.status.replaceAll('_', ' ')}: it is not waiting for clinical validation.`,
      );
    const previous = disposition(c.triage.dispositionCode, '/case/disposition');
    const area = geo.areas.get(c.areaCode);
    if (!area) throw notFound(`Case ${c.id} names unknown area ${c.areaCode}.`);
    const trust = ambulanceTrustOn(geo, area, u.now);
    const service =
      input.serviceId && outcomeKindFor(next) === 'referral'
        ? await resolveService(u.db, input.serviceId, next)
        : undefined;
    if (input.serviceId && !service)
      throw invalid(`${next.code} (${next.title}) is not a referral: do not choose a service.`, [
        { pointer: '/body/serviceId', message: 'Only referral dispositions go to a chosen service.' },
      ]);
    return planValidation(
      c,
      previous,
      next,
      { ambulanceTrust: { code: trust.code, name: trust.name } },
      { result: input.result, notes: input.notes, choice: service ? { service } : {} },
      u.now,
      caller.actor.userId,
    );
  });
}

/** The case's own clock job: who the fail-safe acts as on the audit trail. */
const FAIL_SAFE = systemCaller('validation-fail-safe');

/**
 * The fail-safe, run on the service's clock: every case whose validation breach time has passed with
 * no clinician's decision is acted on as it stands (the ambulance dispatched, the A&E referral sent),
 * recorded as `validation_breached`, and closed. Each case in its own transaction; a case a clinician
 * validated meanwhile is left alone. Returns the ids it acted on.
 */
export async function sweepBreachedValidations(ctx: ServiceContext): Promise<string[]> {
  const geo = await ctx.geography();
  const now = ctx.now();
  const due = await loadCases(ctx.store.db, {
    statuses: ['awaiting_validation'],
    validationBreachedBy: now,
    byBreach: true,
    limit: 200,
  });
  const done: string[] = [];
  for (const candidate of due) {
    const acted = await inUseCase(ctx, FAIL_SAFE, async (u) => {
      const c = await findCaseForUpdate(u.tx, candidate.id);
      if (!c?.validation || c.status !== 'awaiting_validation' || !c.triage) return false;
      if (c.validation.breachAt.getTime() > u.now.getTime()) return false;
      const d = disposition(c.triage.dispositionCode, '/case/disposition');
      const area = geo.areas.get(c.areaCode);
      if (!area) throw notFound(`Case ${c.id} names unknown area ${c.areaCode}.`);
      const trust = ambulanceTrustOn(geo, area, u.now);
      const p = planValidationBreach(c, d, { ambulanceTrust: { code: trust.code, name: trust.name } }, u.now);
      u.later(...caseEventsAppend(u.tx, p.case, p.events));
      for (const m of p.messages) await u.enqueue({ ...m, providerCode: c.providerCode });
      await u.audit('update', caseResource(c.id), {
        change: 'validation_breached',
        events: p.events.map((e) => e.kind),
        messages: p.messages.map((m) => m.idempotencyKey),
      });
      return true;
    });
    if (acted) done.push(candidate.id);
  }
  return done;
}

/** A clinician starts the call-back. */
export async function startCallback(ctx: ServiceContext, caller: Caller, id: string): Promise<CaseRecord> {
  return changeCase(ctx, caller, id, 'case.callback', 'callback_started', (c, u) =>
    single(c, { kind: 'callback_started' }, u),
  );
}

/** The clinician's own triage on a call-back, and the service chosen for a referral disposition. */
export interface CallbackOutcome {
  readonly triage: TriageResult;
  /** For a referral disposition, the service chosen from its Directory search. */
  readonly serviceId?: string;
}

/**
 * The clinician completes the call-back; the post-event message goes to the GP and the case closes. With
 * `outcome`, the clinician re-ran triage (a finished session of their provider, for this disposition) and
 * its outcome is acted on as an adviser's would be: an ambulance, a referral or self-care advice.
 */
export async function completeCallback(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  notes: string,
  idem?: Idempotent<CaseRecord>,
  outcome?: CallbackOutcome,
): Promise<CaseRecord> {
  const geo = await ctx.geography();
  const next = outcome ? disposition(outcome.triage.dispositionCode, '/body/triage/dispositionCode') : null;
  if (outcome && next) {
    await mayAtAll(ctx, caller, 'case.callback', caseResource(id));
    await verifyTriage(ctx, caller, outcome.triage.triageSessionId, next.code);
  }
  return changeCase(
    ctx,
    caller,
    id,
    'case.callback',
    'callback_completed',
    async (c, u) => {
      const current = disposition(c.triage?.dispositionCode ?? '', '/case/disposition');
      if (!outcome || !next) return planCallbackCompletion(c, current, notes, u.now, caller.actor.userId);
      const area = geo.areas.get(c.areaCode);
      if (!area) throw notFound(`Case ${c.id} names unknown area ${c.areaCode}.`);
      const trust = ambulanceTrustOn(geo, area, u.now);
      const service =
        outcome.serviceId && outcomeKindFor(next) === 'referral'
          ? await resolveService(u.db, outcome.serviceId, next)
          : undefined;
      if (outcome.serviceId && !service)
        throw invalid(`${next.code} (${next.title}) is not a referral: do not choose a service.`, [
          { pointer: '/body/serviceId', message: 'Only referral dispositions go to a chosen service.' },
        ]);
      return planCallbackCompletion(c, current, notes, u.now, caller.actor.userId, {
        disposition: next,
        triageSessionId: outcome.triage.triageSessionId,
        summary: outcome.triage.summary ?? [],
        location: { ambulanceTrust: { code: trust.code, name: trust.name } },
        choice: service ? { service } : {},
      });
    },
    idem,
  );
}

/** Closes a case whose outcome is complete. */
export async function closeCase(ctx: ServiceContext, caller: Caller, id: string): Promise<CaseRecord> {
  return changeCase(ctx, caller, id, 'case.change', 'closed', (c, u) => single(c, { kind: 'closed' }, u));
}

/** Call-backs waiting or under way that the caller may see, soonest due first; each is an audited read. */
export async function clinicalQueue(
  ctx: ServiceContext,
  caller: Caller,
  limit: number,
): Promise<QueuedCallback[]> {
  const scope = await listScope(ctx, caller, 'clinical_queue.read', { type: 'clinical_queue' });
  return inUseCase(ctx, caller, async (u) => {
    const cases = await loadCases(u.tx, {
      ...scopeFilter(scope),
      statuses: ['awaiting_callback', 'with_clinician'],
      limit,
    });
    await u.auditEach(
      'read',
      cases.map((c) => caseResource(c.id)),
      { via: 'clinical-queue' },
    );
    const rows: QueuedCallback[] = [];
    for (const c of cases) {
      if (!c.callback || !c.triage) continue;
      rows.push({
        case: c,
        dispositionCode: c.triage.dispositionCode,
        dispositionTitle:
          dispositions().byCode.get(c.triage.dispositionCode)?.title ?? c.triage.dispositionCode,
        reason: c.callback.reason,
        dueAt: c.callback.dueAt,
        priority: c.callback.priority,
        minutesToDue: Math.round((c.callback.dueAt.getTime() - u.now.getTime()) / 6_000) / 10,
        overdue: overdue(c, u.now),
        startedAt: c.callback.startedAt,
      });
    }
    return rows;
  });
}

/**
 * What a receiving service does with a referral made to it, as any change to the case (changeCase):
 * its referral must be to a service of the caller's organisation (another's, or a case with no
 * referral, is "not found").
 */
async function changeReferral(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  change: string,
  body: CaseEventBody,
): Promise<CaseRecord> {
  const toTheService = async (c: Case, db: Db | Tx): Promise<RecordRef> => {
    const service = c.referral ? await findService(db, c.referral.id) : undefined;
    return { providerCode: service?.organisationCode ?? null, areaCode: service?.areaCode ?? null };
  };
  return changeCase(ctx, caller, id, { permission: 'referral.report', about: toTheService }, change, (c, u) =>
    single(c, body, u),
  );
}

/** The receiving service acknowledges the referral made to it. */
export const acknowledgeReferral = (ctx: ServiceContext, caller: Caller, id: string): Promise<CaseRecord> =>
  changeReferral(ctx, caller, id, 'referral_acknowledged', { kind: 'referral_acknowledged' });

/** The receiving service reports what happened: seen, treated, referred on, or did not attend. */
export const reportReferralOutcome = (
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  outcome: ReferralOutcome,
): Promise<CaseRecord> =>
  changeReferral(ctx, caller, id, 'referral_outcome_reported', {
    kind: 'referral_outcome_reported',
    outcome,
  });

/** When the receiving service must have acknowledged a referral: within the disposition's timeframe. */
export function referralAcknowledgementDue(c: Case): Date | null {
  const sent = c.referralProgress.referredAt;
  const d = c.triage ? dispositions().byCode.get(c.triage.dispositionCode) : undefined;
  if (!sent || !d) return null;
  return new Date(sent.getTime() + (d.timeframeMinutes ?? 0) * 60_000);
}

/** The shortest timeframe of any referral: no referral sent more recently can be due yet. */
const shortestReferralMinutes = () =>
  Math.min(
    ...[...dispositions().byCode.values()]
      .filter((d) => outcomeKindFor(d) === 'referral')
      .map((d) => d.timeframeMinutes ?? Number.POSITIVE_INFINITY),
  );

const REFERRAL_ALERT = systemCaller('referral-acknowledgement');

/**
 * The second fail-safe: a referral the receiving service has not acknowledged within its timeframe
 * raises an alert on the case (`referral_unacknowledged`), which the console shows to the provider's
 * staff. Each case in its own transaction. Returns the ids alerted.
 */
export async function sweepUnacknowledgedReferrals(ctx: ServiceContext): Promise<string[]> {
  const now = ctx.now();
  const candidates = await loadCases(ctx.store.db, {
    referralUnacknowledgedSince: new Date(now.getTime() - shortestReferralMinutes() * 60_000),
    limit: 500,
  });
  const done: string[] = [];
  for (const candidate of candidates) {
    const due = referralAcknowledgementDue(candidate);
    if (!due || due.getTime() > now.getTime()) continue;
    const alerted = await inUseCase(ctx, REFERRAL_ALERT, async (u) => {
      const c = await findCaseForUpdate(u.tx, candidate.id);
      if (!c?.referral || c.referralProgress.acknowledgedAt || c.referralProgress.alertedAt) return false;
      const p = single(c, { kind: 'referral_unacknowledged', dueAt: due.toISOString() }, u);
      u.later(...caseEventsAppend(u.tx, p.case, p.events));
      await u.audit('update', caseResource(c.id), { change: 'referral_unacknowledged' });
      return true;
    });
    if (alerted) done.push(candidate.id);
  }
  return done;
}

/** Referrals of the caller's provider that raised the unacknowledged alert and are still unacknowledged. */
export async function referralAlerts(ctx: ServiceContext, caller: Caller, limit: number): Promise<Case[]> {
  const scope = await listScope(ctx, caller, 'case.read', { type: 'case' });
  return inUseCase(ctx, caller, async (u) => {
    const cases = await loadCases(u.tx, { ...scopeFilter(scope), referralAlerted: true, limit });
    await u.auditEach(
      'read',
      cases.map((c) => caseResource(c.id)),
      { via: 'referral-alerts' },
    );
    return cases;
  });
}

/** The Dx catalogue, most urgent first, for whoever may read triage content. */
export async function listDispositions(ctx: ServiceContext, caller: Caller): Promise<Disposition[]> {
  await listScope(ctx, caller, 'pathway.read', { type: 'disposition' });
  return [...dispositions().byCode.values()].sort((a, b) => a.urgencyRank - b.urgencyRank);
}
