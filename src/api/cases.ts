import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/auth/index';
import {
  applyCaseEvent,
  type Case,
  type CaseEvent,
  type CaseEventBody,
  type CaseStatus,
  type ChosenService,
  type OutcomeChoice,
  openedCase,
  outcomeKindFor,
  type Patient,
  planCallbackCompletion,
  planOutcome,
} from '../domain/cases/index';
import type { Disposition, DispositionCatalogue } from '../domain/dispositions/index';
import { conflict, invalid, notFound } from '../domain/errors';
import { ambulanceTrustOn, parsePostcode, resolveLocation } from '../domain/geography/index';
import type { MessageStatus, OutboundMessage } from '../domain/messaging/index';
import { enqueue, listMessages, type StoredMessage } from '../messaging/outbox';
import { audit, auditEach } from '../store/audit';
import { findCallForUpdate } from '../store/calls';
import {
  appendCaseEvents,
  caseEvents,
  findCase,
  findCaseForUpdate,
  insertCase,
  listCases,
} from '../store/cases';
import { type Db, inTransaction, type Tx } from '../store/db';
import { findPostcode } from '../store/geography';
import { requireRole } from './context';
import {
  callbackTask,
  caseEncounter,
  caseServiceRequest,
  fhirIds,
  postEventCommunication,
} from './fhir/cases';
import { FHIR_BASE, FHIR_JSON, fhirCapabilities } from './fhir/index';

/** Who is asking, when, and through which connection: what a dependency needs to read and audit. */
export interface CaseLookup {
  readonly db: Db | Tx;
  readonly actor: Actor;
  readonly at: Date;
  readonly requestId: string;
}

/**
 * What the cases module needs from modules built beside it: the Dx catalogue, the triage store (did
 * this session end in this disposition?) and the Directory of Services (is this the service chosen?).
 * Built from those modules in `caseDependencies()` (`./case-dependencies`); tests may pass their own.
 */
export interface CaseDependencies {
  readonly dispositions: DispositionCatalogue;
  /**
   * Throws a DomainError unless the session exists, belongs to the actor's provider, is finished and
   * ended in exactly this disposition. Reading the session is an audited access to a patient record.
   */
  verifyTriage(lookup: CaseLookup, triageSessionId: string, dispositionCode: string): Promise<void>;
  /**
   * The service as the directory knows it (its name and endpoint, not the client's); throws when it is
   * unknown, not active, or does not accept the disposition.
   */
  resolveService(lookup: CaseLookup, serviceId: string, disposition: Disposition): Promise<ChosenService>;
}

const CASE_STAFF = ['health_adviser', 'clinician', 'provider_admin', 'system_admin'] as const;
const CLINICAL_QUEUE_STAFF = ['clinician', 'provider_admin', 'system_admin'] as const;

const newCaseId = () => `CASE-${randomUUID()}`;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const PatientSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    birthDate: Type.String({ format: 'date' }),
    sex: Type.Union([
      Type.Literal('female'),
      Type.Literal('male'),
      Type.Literal('other'),
      Type.Literal('unknown'),
    ]),
    postcode: Type.String({ minLength: 2, maxLength: 16 }),
    gpPracticeCode: Type.Optional(
      Type.String({ pattern: '^[A-Z][0-9]{5}$', description: 'ODS code, e.g. E81001' }),
    ),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ]{6,20}$' })),
  },
  { additionalProperties: false },
);

const ServiceSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    endpoint: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

const MessageSummarySchema = Type.Object({
  kind: Type.String(),
  destination: Type.String(),
  idempotencyKey: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  deliveredAt: Nullable(Type.String()),
  acknowledgement: Nullable(Type.String()),
});

const CaseSchema = Type.Object({
  id: Type.String(),
  callId: Type.String(),
  providerCode: Type.String(),
  areaCode: Type.String(),
  status: Type.String(),
  patient: PatientSchema,
  openedAt: Type.String(),
  disposition: Type.Union([
    Type.Object({
      code: Type.String(),
      title: Type.String(),
      group: Type.String(),
      outcome: Type.String(),
      timeframeMinutes: Type.Union([Type.Integer(), Type.Null()]),
      triageSessionId: Type.String(),
      careAdvice: Type.String(),
    }),
    Type.Null(),
  ]),
  outcome: Nullable(Type.String()),
  referral: Type.Union([ServiceSchema, Type.Null()]),
  dispatch: Type.Union([
    Type.Object({
      trustCode: Type.String(),
      trustName: Type.String(),
      category: Type.Integer(),
      at: Type.String(),
    }),
    Type.Null(),
  ]),
  callback: Type.Union([
    Type.Object({
      dueAt: Type.String(),
      priority: Type.Integer(),
      reason: Type.String(),
      overdue: Type.Boolean(),
      startedAt: Nullable(Type.String()),
      completedAt: Nullable(Type.String()),
      notes: Nullable(Type.String()),
    }),
    Type.Null(),
  ]),
  postEvent: Type.Union([
    Type.Object({
      sent: Type.Boolean(),
      practiceCode: Nullable(Type.String()),
      reason: Nullable(Type.String()),
    }),
    Type.Null(),
  ]),
  closedAt: Nullable(Type.String()),
  messages: Type.Array(MessageSummarySchema),
});
type CaseBody = Static<typeof CaseSchema>;

const CaseIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const messageSummary = (m: StoredMessage) => ({
  kind: m.kind,
  destination: m.destination,
  idempotencyKey: m.idempotencyKey,
  status: m.status,
  attempts: m.attempts,
  deliveredAt: iso(m.deliveredAt),
  acknowledgement: m.acknowledgement,
});

/** Staff see only their own provider's cases; another provider's case is "not found", like one that never was. */
function visible(actor: Actor, c: Case | undefined, id: string): Case {
  if (!c || (actor.role !== 'system_admin' && actor.organisationCode !== c.providerCode)) {
    throw notFound(`There is no case ${id}.`);
  }
  return c;
}

/** Case management: open from an answered call, record the triage, decide the outcome, call back, close. */
export async function casesPlugin(app: FastifyInstance, deps: CaseDependencies): Promise<void> {
  const disposition = (code: string, pointer: string): Disposition => {
    const d = deps.dispositions.byCode.get(code);
    if (!d)
      throw invalid(`There is no disposition ${code}.`, [
        { pointer, message: `Unknown disposition code "${code}".` },
      ]);
    return d;
  };

  const caseBody = (c: Case, messages: readonly StoredMessage[], now: Date): CaseBody => {
    const d = c.triage ? deps.dispositions.byCode.get(c.triage.dispositionCode) : undefined;
    return {
      id: c.id,
      callId: c.callId,
      providerCode: c.providerCode,
      areaCode: c.areaCode,
      status: c.status,
      patient: c.patient,
      openedAt: c.openedAt.toISOString(),
      disposition:
        c.triage && d
          ? {
              code: d.code,
              title: d.title,
              group: d.group,
              outcome: outcomeKindFor(d),
              timeframeMinutes: d.timeframeMinutes,
              triageSessionId: c.triage.triageSessionId,
              careAdvice: d.careAdvice,
            }
          : null,
      outcome: c.outcome,
      referral: c.referral,
      dispatch: c.dispatch
        ? {
            trustCode: c.dispatch.trust.code,
            trustName: c.dispatch.trust.name,
            category: c.dispatch.category,
            at: c.dispatch.at.toISOString(),
          }
        : null,
      callback: c.callback
        ? {
            dueAt: c.callback.dueAt.toISOString(),
            priority: c.callback.priority,
            reason: c.callback.reason,
            overdue: !c.callback.startedAt && now.getTime() > c.callback.dueAt.getTime(),
            startedAt: iso(c.callback.startedAt),
            completedAt: iso(c.callback.completedAt),
            notes: c.callback.notes,
          }
        : null,
      postEvent: c.postEvent
        ? c.postEvent.sent
          ? { sent: true, practiceCode: c.postEvent.practiceCode, reason: null }
          : { sent: false, practiceCode: null, reason: c.postEvent.reason }
        : null,
      closedAt: iso(c.closedAt),
      messages: messages.map(messageSummary),
    };
  };

  const messagesOf = (db: Db, caseId: string) => listMessages(db, { subject: caseId, limit: 50 });
  const auditCase = (
    db: Db | Tx,
    request: FastifyRequest,
    actor: Actor,
    action: 'read' | 'create' | 'update',
    id: string,
    detail?: Record<string, unknown>,
  ) =>
    audit(db, {
      actor,
      action,
      resourceType: 'case',
      resourceId: id,
      requestId: request.id,
      ...(detail ? { detail } : {}),
    });

  /** A list of cases is a read of each patient record in it: one audit entry per case, in one statement. */
  const auditReads = (request: FastifyRequest, actor: Actor, cases: readonly Case[], via: string) =>
    auditEach(
      app.ctx.store.db,
      cases.map((c) => ({
        actor,
        action: 'read' as const,
        resourceType: 'case',
        resourceId: c.id,
        requestId: request.id,
        detail: { via },
      })),
    );

  /** Locks, checks and changes one case in a transaction; messages commit with the events, or neither does. */
  const change = async (
    request: FastifyRequest,
    actor: Actor,
    id: string,
    what: string,
    decide: (
      c: Case,
      now: Date,
      tx: Tx,
    ) => Promise<{ events: readonly CaseEvent[]; messages: readonly OutboundMessage[]; case: Case }>,
  ) => {
    const now = app.ctx.now();
    const after = await inTransaction(app.ctx.store.db, async (tx) => {
      const c = visible(actor, await findCaseForUpdate(tx, id), id);
      const plan = await decide(c, now, tx);
      await appendCaseEvents(tx, plan.case, plan.events);
      for (const m of plan.messages) await enqueue(tx, m, now);
      await auditCase(tx, request, actor, 'update', id, {
        change: what,
        events: plan.events.map((e) => e.kind),
        messages: plan.messages.map((m) => m.idempotencyKey),
      });
      return plan.case;
    });
    return caseBody(after, await messagesOf(app.ctx.store.db, id), app.ctx.now());
  };

  const lookup = (db: Db | Tx, request: FastifyRequest, actor: Actor): CaseLookup => ({
    db,
    actor,
    at: app.ctx.now(),
    requestId: request.id,
  });

  const single = (c: Case, body: CaseEventBody, now: Date, by: number) => {
    const event: CaseEvent = { ...body, caseId: c.id, at: now, by };
    return { events: [event], messages: [], case: applyCaseEvent(c, event) };
  };

  app.post(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open a case for an answered call: who the patient is and where',
        body: Type.Object(
          {
            callId: Type.String({ minLength: 1, maxLength: 64 }),
            patient: PatientSchema,
            areaCode: Type.Optional(Type.String({ minLength: 3, maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CaseSchema },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request.actor, 'health_adviser', 'clinician');
      const body = request.body as { callId: string; patient: Patient; areaCode?: string };
      const now = app.ctx.now();
      if (body.patient.birthDate > now.toISOString().slice(0, 10))
        throw invalid('The date of birth is in the future.', [
          { pointer: '/body/patient/birthDate', message: 'A date of birth cannot be after today.' },
        ]);
      const geo = await app.ctx.geography();
      const parsed = parsePostcode(body.patient.postcode);
      const patient: Patient = {
        ...body.patient,
        postcode: parsed.kind === 'postcode' ? parsed.postcode : parsed.outcode,
      };
      const created = await inTransaction(app.ctx.store.db, async (tx) => {
        const call = await findCallForUpdate(tx, body.callId);
        if (!call || (actor.role !== 'system_admin' && call.providerCode !== actor.organisationCode))
          throw notFound(`There is no call ${body.callId}.`);
        if (call.status !== 'answered' && call.status !== 'transferred')
          throw conflict(`Call ${call.id} is ${call.status}: a case is opened for a call being answered.`);
        const existing = await listCases(tx, { callId: call.id, limit: 1 });
        if (existing[0]) throw conflict(`Call ${call.id} already has case ${existing[0].id}.`);
        let areaCode = body.areaCode?.toUpperCase() ?? call.areaCode;
        if (areaCode && !geo.areas.has(areaCode))
          throw notFound(`There is no commissioning area "${areaCode}".`);
        if (!areaCode) {
          const exact = parsed.kind === 'postcode' ? await findPostcode(tx, parsed.postcode) : undefined;
          areaCode = resolveLocation(geo, parsed, exact, now).area.code;
        }
        const event: CaseEvent = {
          kind: 'opened',
          caseId: newCaseId(),
          at: now,
          by: actor.userId,
          callId: call.id,
          providerCode: call.providerCode,
          areaCode,
          patient,
        };
        const c = openedCase(event);
        await insertCase(tx, c, [event]);
        await auditCase(tx, request, actor, 'create', c.id);
        return c;
      });
      return reply.code(201).send(caseBody(created, [], now));
    },
  );

  app.get(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Cases of your provider (by call, or by status)',
        querystring: Type.Object(
          {
            callId: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(
              Type.Union(
                ['open', 'triaged', 'awaiting_callback', 'with_clinician', 'outcome_complete', 'closed'].map(
                  (s) => Type.Literal(s),
                ),
              ),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(CaseSchema) },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...CASE_STAFF, 'governance');
      const q = request.query as { callId?: string; status?: CaseStatus; limit?: number };
      const cases = await listCases(app.ctx.store.db, {
        ...(actor.role === 'system_admin' ? {} : { providerCode: actor.organisationCode }),
        ...(q.callId ? { callId: q.callId } : {}),
        ...(q.status ? { statuses: [q.status] } : {}),
        limit: q.limit ?? 50,
      });
      const now = app.ctx.now();
      await auditReads(request, actor, cases, 'list');
      const out: CaseBody[] = [];
      for (const c of cases) out.push(caseBody(c, await messagesOf(app.ctx.store.db, c.id), now));
      return out;
    },
  );

  app.get(
    '/api/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case, with its outbound messages and their delivery',
        params: CaseIdParams,
        response: { 200: CaseSchema },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...CASE_STAFF, 'governance');
      const { id } = request.params as { id: string };
      const c = visible(actor, await findCase(app.ctx.store.db, id), id);
      await auditCase(app.ctx.store.db, request, actor, 'read', id);
      return caseBody(c, await messagesOf(app.ctx.store.db, id), app.ctx.now());
    },
  );

  app.post(
    '/api/cases/:id/triage',
    {
      schema: {
        tags: ['cases'],
        summary: 'Record the triage result: the session and the disposition it ended in',
        params: CaseIdParams,
        body: Type.Object(
          {
            triageSessionId: Type.String({ minLength: 1, maxLength: 100 }),
            dispositionCode: Type.String({ minLength: 3, maxLength: 10 }),
            summary: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CaseSchema },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, 'health_adviser', 'clinician');
      const { id } = request.params as { id: string };
      const body = request.body as { triageSessionId: string; dispositionCode: string; summary?: string[] };
      const d = disposition(body.dispositionCode, '/body/dispositionCode');
      // Checked before the case is locked, outside its transaction: the audited read of the triage
      // session stands even when the session is refused.
      await deps.verifyTriage(lookup(app.ctx.store.db, request, actor), body.triageSessionId, d.code);
      return change(request, actor, id, 'triage', async (c, now) =>
        single(
          c,
          {
            kind: 'triaged',
            dispositionCode: d.code,
            triageSessionId: body.triageSessionId,
            summary: body.summary ?? [],
          },
          now,
          actor.userId,
        ),
      );
    },
  );

  app.post(
    '/api/cases/:id/outcome',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Act on the disposition: dispatch an ambulance, refer, queue or warm-transfer to a clinician, or advise; messages go out with the change',
        params: CaseIdParams,
        body: Type.Object(
          {
            service: Type.Optional(ServiceSchema),
            warmTransfer: Type.Optional(Type.Union([Type.Literal('connected'), Type.Literal('failed')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: CaseSchema },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, 'health_adviser', 'clinician');
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as OutcomeChoice;
      const geo = await app.ctx.geography();
      return change(request, actor, id, 'outcome', async (c, now, tx) => {
        if (!c.triage) throw conflict(`Case ${c.id} has no disposition yet: record the triage result first.`);
        const d = disposition(c.triage.dispositionCode, '/case/disposition');
        const area = geo.areas.get(c.areaCode);
        if (!area) throw notFound(`Case ${c.id} names unknown area ${c.areaCode}.`);
        const trust = ambulanceTrustOn(geo, area, now);
        // A referral goes to the service as the directory records it; any other outcome refuses a
        // service in `planOutcome`, with the reason.
        const service =
          body.service && outcomeKindFor(d) === 'referral'
            ? await deps.resolveService(lookup(tx, request, actor), body.service.id, d)
            : body.service;
        const choice: OutcomeChoice = {
          ...(service ? { service } : {}),
          ...(body.warmTransfer ? { warmTransfer: body.warmTransfer } : {}),
        };
        return planOutcome(
          c,
          d,
          { ambulanceTrust: { code: trust.code, name: trust.name } },
          choice,
          now,
          actor.userId,
        );
      });
    },
  );

  app.post(
    '/api/cases/:id/callback/start',
    {
      schema: {
        tags: ['cases'],
        summary: 'A clinician starts the call-back',
        params: CaseIdParams,
        response: { 200: CaseSchema },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, 'clinician');
      const { id } = request.params as { id: string };
      return change(request, actor, id, 'callback_started', async (c, now) =>
        single(c, { kind: 'callback_started' }, now, actor.userId),
      );
    },
  );

  app.post(
    '/api/cases/:id/callback/complete',
    {
      schema: {
        tags: ['cases'],
        summary: 'The clinician completes the call-back; the post-event message goes to the GP',
        params: CaseIdParams,
        body: Type.Object({ notes: Type.String({ maxLength: 4000 }) }, { additionalProperties: false }),
        response: { 200: CaseSchema },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, 'clinician');
      const { id } = request.params as { id: string };
      const { notes } = request.body as { notes: string };
      return change(request, actor, id, 'callback_completed', async (c, now) => {
        const d = disposition(c.triage?.dispositionCode ?? '', '/case/disposition');
        return planCallbackCompletion(c, d, notes, now, actor.userId);
      });
    },
  );

  app.post(
    '/api/cases/:id/close',
    {
      schema: {
        tags: ['cases'],
        summary: 'Close a case whose outcome is complete',
        params: CaseIdParams,
        response: { 200: CaseSchema },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, 'health_adviser', 'clinician');
      const { id } = request.params as { id: string };
      return change(request, actor, id, 'closed', async (c, now) =>
        single(c, { kind: 'closed' }, now, actor.userId),
      );
    },
  );

  app.get(
    '/api/cases/:id/replay',
    {
      schema: {
        tags: ['cases'],
        summary: 'The case’s events in order, as recorded: what clinical governance replays',
        params: CaseIdParams,
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...CASE_STAFF, 'governance');
      const { id } = request.params as { id: string };
      const events = await caseEvents(app.ctx.store.db, id);
      const first = events[0];
      const c = visible(actor, first ? openedCase(first) : undefined, id);
      await auditCase(app.ctx.store.db, request, actor, 'read', c.id, { via: 'replay' });
      // Fold the events again, step by step, so each shows the status it left the case in.
      const states: Case[] = [];
      for (const e of events) {
        const previous = states.at(-1);
        states.push(previous ? applyCaseEvent(previous, e) : openedCase(e));
      }
      return {
        caseId: id,
        events: events.map((e, i) => {
          const { caseId: _c, at, by, ...rest } = e;
          const state = states[i] ?? c;
          return { seq: i + 1, at: at.toISOString(), by, ...rest, statusAfter: state.status };
        }),
      };
    },
  );

  app.get(
    '/api/clinical-queue',
    {
      schema: {
        tags: ['cases'],
        summary: 'Call-backs waiting or under way for your provider, soonest due first',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(
            Type.Object({
              caseId: Type.String(),
              patientName: Type.String(),
              birthDate: Type.String(),
              phone: Nullable(Type.String()),
              dispositionCode: Type.String(),
              dispositionTitle: Type.String(),
              status: Type.String(),
              reason: Type.String(),
              dueAt: Type.String(),
              priority: Type.Integer(),
              minutesToDue: Type.Number(),
              overdue: Type.Boolean(),
              startedAt: Nullable(Type.String()),
            }),
          ),
        },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...CLINICAL_QUEUE_STAFF);
      const cases = await listCases(app.ctx.store.db, {
        ...(actor.role === 'system_admin' ? {} : { providerCode: actor.organisationCode }),
        statuses: ['awaiting_callback', 'with_clinician'],
        limit: (request.query as { limit?: number }).limit ?? 200,
      });
      const now = app.ctx.now();
      await auditReads(request, actor, cases, 'clinical-queue');
      const rows = [];
      for (const c of cases) {
        if (!c.callback || !c.triage) continue;
        const minutesToDue = Math.round((c.callback.dueAt.getTime() - now.getTime()) / 6_000) / 10;
        rows.push({
          caseId: c.id,
          patientName: c.patient.name,
          birthDate: c.patient.birthDate,
          phone: c.patient.phone ?? null,
          dispositionCode: c.triage.dispositionCode,
          dispositionTitle:
            deps.dispositions.byCode.get(c.triage.dispositionCode)?.title ?? c.triage.dispositionCode,
          status: c.status,
          reason: c.callback.reason,
          dueAt: c.callback.dueAt.toISOString(),
          priority: c.callback.priority,
          minutesToDue,
          overdue: !c.callback.startedAt && now.getTime() > c.callback.dueAt.getTime(),
          startedAt: iso(c.callback.startedAt),
        });
      }
      return rows;
    },
  );

  // FHIR R4 reads: the case as an Encounter; its dispatch or referral, call-back and post-event message.
  for (const type of ['Encounter', 'ServiceRequest', 'Task', 'Communication'] as const) {
    if (!fhirCapabilities.some((c) => c.type === type))
      fhirCapabilities.push({ type, interactions: ['read'], searchParams: [] });
  }

  const SUFFIX: Record<string, string> = {
    Encounter: '',
    ServiceRequest: '-(dispatch|referral)',
    Task: fhirIds.callback(''),
    Communication: fhirIds.postEvent(''),
  };
  for (const type of Object.keys(SUFFIX)) {
    app.get(
      `${FHIR_BASE}/${type}/:id`,
      {
        schema: {
          tags: ['fhir'],
          summary: `Read a ${type} of a case`,
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        },
      },
      async (request, reply) => {
        const actor = requireRole(request.actor, ...CASE_STAFF, 'governance');
        const { id } = request.params as { id: string };
        if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw invalid(`"${id}" is not a valid FHIR id.`);
        const m = new RegExp(`^(CASE-[0-9a-f-]{36})${SUFFIX[type]}$`).exec(id);
        const caseId = m?.[1];
        const c = visible(actor, caseId ? await findCase(app.ctx.store.db, caseId) : undefined, id);
        const d = c.triage ? deps.dispositions.byCode.get(c.triage.dispositionCode) : undefined;
        const delivery = async (kind: string): Promise<MessageStatus | undefined> =>
          (await messagesOf(app.ctx.store.db, c.id)).find((x) => x.kind === kind)?.status;
        let resource: Resource | undefined;
        if (type === 'Encounter') resource = caseEncounter(c, d);
        else if (type === 'ServiceRequest') {
          const kind = m?.[2] === 'dispatch' ? 'dispatch' : 'referral';
          resource = caseServiceRequest(
            c,
            kind,
            d,
            await delivery(kind === 'dispatch' ? 'ambulance_dispatch' : 'referral'),
          );
        } else if (type === 'Task') resource = callbackTask(c);
        else resource = postEventCommunication(c, await delivery('gp_post_event'));
        if (!resource) throw notFound(`${type}/${id} is not known.`);
        await auditCase(app.ctx.store.db, request, actor, 'read', c.id, { via: `fhir ${type}` });
        reply.type(FHIR_JSON);
        return resource;
      },
    );
  }
}
