import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { outcomeKindFor } from '../domain/cases/index';
import { invalid } from '../domain/errors';
import {
  acknowledgeReferral,
  type CaseRecord,
  clinicalQueue,
  closeCase,
  completeCallback,
  listCases,
  listDispositions,
  openCase,
  type QueuedCallback,
  type QueuedValidation,
  readCase,
  recordOutcome,
  recordTriage,
  referralAcknowledgementDue,
  referralAlerts,
  replayCase,
  reportReferralOutcome,
  type StoredMessage,
  startCallback,
  validateCase,
  validationQueue,
} from '../services/cases';
import { callerOf, typed } from './context';
import { caseFhirRoutes } from './fhir/cases';
import { IdempotencyHeaders, idempotencyOf } from './idempotency';

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
      // ODS codes are upper-case letters and digits (a real practice's is a letter and five digits, as E81001);
      // the demo Directory's practices carry made-up ones (Y5GC1), so the pattern is the ODS alphabet.
      Type.String({
        pattern: '^[A-Z][A-Z0-9]{2,9}$',
        description: 'ODS code of a GP practice in the Directory of Services, e.g. Y5GC1',
      }),
    ),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ]{6,20}$' })),
    nhsNumber: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 20,
        description: '10 digits, spaces allowed; modulus-11 checked',
      }),
    ),
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

/** The service chosen from a Directory search: its id; the referral goes to the directory's own name and endpoint. */
const ServiceChoiceSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

const CaseStatusSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('triaged'),
  Type.Literal('awaiting_validation'),
  Type.Literal('awaiting_callback'),
  Type.Literal('with_clinician'),
  Type.Literal('outcome_complete'),
  Type.Literal('closed'),
]);

const MessageSummarySchema = Type.Object({
  kind: Type.String(),
  destination: Type.String(),
  idempotencyKey: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  deliveredAt: Nullable(Type.String()),
  acknowledgement: Nullable(Type.String()),
});

export const CaseSchema = Type.Object({
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
  validation: Type.Union([
    Type.Object({
      reason: Type.String(),
      queuedAt: Type.String(),
      breachAt: Type.String(),
      result: Nullable(Type.String()),
      validatedAt: Nullable(Type.String()),
      notes: Nullable(Type.String()),
      breachedAt: Nullable(Type.String()),
      heldService: Type.Union([ServiceSchema, Type.Null()]),
    }),
    Type.Null(),
  ]),
  referralProgress: Type.Object({
    acknowledgedAt: Nullable(Type.String()),
    outcome: Nullable(Type.String()),
    outcomeAt: Nullable(Type.String()),
    /** When the receiving service had to acknowledge by (the disposition's timeframe). */
    acknowledgementDueAt: Nullable(Type.String()),
    /** The unacknowledged-referral alert, once raised. */
    alertedAt: Nullable(Type.String()),
  }),
  /** The triage answers and report the adviser's assessment recorded, for whoever picks the case up. */
  summary: Type.Array(Type.String()),
  closedAt: Nullable(Type.String()),
  messages: Type.Array(MessageSummarySchema),
});
export type CaseBody = Static<typeof CaseSchema>;

export const QueueEntrySchema = Type.Object({
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
});

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

/** The case as the API shows it. */
function caseBody({ case: c, disposition: d, messages, callbackOverdue }: CaseRecord): CaseBody {
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
          overdue: callbackOverdue,
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
    validation: c.validation
      ? {
          reason: c.validation.reason,
          queuedAt: c.validation.queuedAt.toISOString(),
          breachAt: c.validation.breachAt.toISOString(),
          result: c.validation.result,
          validatedAt: iso(c.validation.validatedAt),
          notes: c.validation.notes,
          breachedAt: iso(c.validation.breachedAt),
          heldService: c.validation.heldService,
        }
      : null,
    referralProgress: {
      acknowledgedAt: iso(c.referralProgress.acknowledgedAt),
      outcome: c.referralProgress.outcome,
      outcomeAt: iso(c.referralProgress.outcomeAt),
      acknowledgementDueAt: iso(referralAcknowledgementDue(c)),
      alertedAt: iso(c.referralProgress.alertedAt),
    },
    summary: [...(c.triage?.summary ?? [])],
    closedAt: iso(c.closedAt),
    messages: messages.map(messageSummary),
  };
}

export const ValidationEntrySchema = Type.Object({
  caseId: Type.String(),
  patientName: Type.String(),
  birthDate: Type.String(),
  sex: Type.String(),
  dispositionCode: Type.String(),
  dispositionTitle: Type.String(),
  reason: Type.String(),
  breachAt: Type.String(),
  minutesToBreach: Type.Number(),
  summary: Type.Array(Type.String()),
  heldService: Type.Union([ServiceSchema, Type.Null()]),
});

const validationEntry = (q: QueuedValidation): Static<typeof ValidationEntrySchema> => ({
  caseId: q.case.id,
  patientName: q.case.patient.name,
  birthDate: q.case.patient.birthDate,
  sex: q.case.patient.sex,
  dispositionCode: q.dispositionCode,
  dispositionTitle: q.dispositionTitle,
  reason: q.reason,
  breachAt: q.breachAt.toISOString(),
  minutesToBreach: q.minutesToBreach,
  summary: [...(q.case.triage?.summary ?? [])],
  heldService: q.case.validation?.heldService ?? null,
});

export const DispositionSchema = Type.Object({
  code: Type.String(),
  title: Type.String(),
  group: Type.String(),
  outcome: Type.String(),
  urgencyRank: Type.Integer(),
  timeframeMinutes: Type.Union([Type.Integer(), Type.Null()]),
});

export const ReferralAlertSchema = Type.Object({
  caseId: Type.String(),
  patientName: Type.String(),
  serviceName: Type.String(),
  referredAt: Nullable(Type.String()),
  alertedAt: Nullable(Type.String()),
});

const queueEntry = (q: QueuedCallback): Static<typeof QueueEntrySchema> => ({
  caseId: q.case.id,
  patientName: q.case.patient.name,
  birthDate: q.case.patient.birthDate,
  phone: q.case.patient.phone ?? null,
  dispositionCode: q.dispositionCode,
  dispositionTitle: q.dispositionTitle,
  status: q.case.status,
  reason: q.reason,
  dueAt: q.dueAt.toISOString(),
  priority: q.priority,
  minutesToDue: q.minutesToDue,
  overdue: q.overdue,
  startedAt: iso(q.startedAt),
});

/** Case management: open from an answered call, record the triage, decide the outcome, call back, close. */
export async function casesPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);

  r.post(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open a case for an answered call: who the patient is and where',
        headers: IdempotencyHeaders,
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
      config: { access: 'case.open' },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          caseBody(
            await openCase(app.ctx, callerOf(request), request.body, idempotencyOf(request, 201, caseBody)),
          ),
        ),
  );

  r.get(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Cases of your provider (by call, or by status)',
        querystring: Type.Object(
          {
            callId: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(CaseStatusSchema),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(CaseSchema) },
      },
      config: { access: 'case.read' },
    },
    async (request) => {
      const { callId, status, limit } = request.query;
      const cases = await listCases(app.ctx, callerOf(request), {
        ...(callId ? { callId } : {}),
        ...(status ? { status } : {}),
        limit: limit ?? 50,
      });
      return cases.map(caseBody);
    },
  );

  r.get(
    '/api/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case, with its outbound messages and their delivery',
        params: CaseIdParams,
        response: { 200: CaseSchema },
      },
      config: { access: 'case.read' },
    },
    async (request) => caseBody(await readCase(app.ctx, callerOf(request), request.params.id)),
  );

  r.post(
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
      config: { access: 'case.change' },
    },
    async (request) =>
      caseBody(await recordTriage(app.ctx, callerOf(request), request.params.id, request.body)),
  );

  r.post(
    '/api/cases/:id/outcome',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Act on the disposition: dispatch an ambulance, refer, queue or warm-transfer to a clinician, or advise; messages go out with the change',
        params: CaseIdParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            service: Type.Optional(ServiceChoiceSchema),
            warmTransfer: Type.Optional(Type.Union([Type.Literal('connected'), Type.Literal('failed')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: CaseSchema },
      },
      config: { access: 'case.change' },
    },
    async (request) =>
      caseBody(
        await recordOutcome(
          app.ctx,
          callerOf(request),
          request.params.id,
          {
            ...(request.body.service
              ? {
                  service: {
                    id: request.body.service.id,
                    name: request.body.service.name ?? request.body.service.id,
                    endpoint: request.body.service.endpoint ?? '',
                  },
                }
              : {}),
            ...(request.body.warmTransfer ? { warmTransfer: request.body.warmTransfer } : {}),
          },
          idempotencyOf(request, 200, caseBody),
        ),
      ),
  );

  r.post(
    '/api/cases/:id/callback/start',
    {
      schema: {
        tags: ['cases'],
        summary: 'A clinician starts the call-back',
        params: CaseIdParams,
        response: { 200: CaseSchema },
      },
      config: { access: 'case.callback' },
    },
    async (request) => caseBody(await startCallback(app.ctx, callerOf(request), request.params.id)),
  );

  r.post(
    '/api/cases/:id/callback/complete',
    {
      schema: {
        tags: ['cases'],
        summary:
          'The clinician completes the call-back, with notes only or with their own triage and its outcome (ambulance, referral, self-care); the post-event message goes to the GP and the case closes',
        params: CaseIdParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            notes: Type.String({ maxLength: 4000 }),
            triage: Type.Optional(
              Type.Object(
                {
                  triageSessionId: Type.String({ minLength: 1, maxLength: 100 }),
                  dispositionCode: Type.String({ minLength: 3, maxLength: 10 }),
                  summary: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 100 })),
                },
                { additionalProperties: false },
              ),
            ),
            serviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CaseSchema },
      },
      config: { access: 'case.callback' },
    },
    async (request) => {
      if (request.body.serviceId && !request.body.triage)
        throw invalid(
          'A service is chosen for the outcome of the clinician’s triage: re-run the triage first.',
          [
            {
              pointer: '/body/serviceId',
              message: 'Only a call-back completed with a triage outcome refers.',
            },
          ],
        );
      return caseBody(
        await completeCallback(
          app.ctx,
          callerOf(request),
          request.params.id,
          request.body.notes,
          idempotencyOf(request, 200, caseBody),
          request.body.triage
            ? {
                triage: request.body.triage,
                ...(request.body.serviceId ? { serviceId: request.body.serviceId } : {}),
              }
            : undefined,
        ),
      );
    },
  );

  r.post(
    '/api/cases/:id/close',
    {
      schema: {
        tags: ['cases'],
        summary: 'Close a case whose outcome is complete',
        params: CaseIdParams,
        response: { 200: CaseSchema },
      },
      config: { access: 'case.change' },
    },
    async (request) => caseBody(await closeCase(app.ctx, callerOf(request), request.params.id)),
  );

  r.get(
    '/api/cases/:id/replay',
    {
      schema: {
        tags: ['cases'],
        summary: 'The case’s events in order, as recorded: what clinical governance replays',
        params: CaseIdParams,
      },
      config: { access: 'case.read' },
    },
    async (request) => {
      const { id } = request.params;
      const steps = await replayCase(app.ctx, callerOf(request), id);
      return {
        caseId: id,
        events: steps.map(({ seq, event, statusAfter }) => {
          const { caseId: _c, at, by, ...rest } = event;
          return { seq, at: at.toISOString(), by, ...rest, statusAfter };
        }),
      };
    },
  );

  r.get(
    '/api/clinical-queue',
    {
      schema: {
        tags: ['cases'],
        summary: 'Call-backs waiting or under way for your provider, soonest due first',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(QueueEntrySchema) },
      },
      config: { access: 'clinical_queue.read' },
    },
    async (request) =>
      (await clinicalQueue(app.ctx, callerOf(request), request.query.limit ?? 200)).map(queueEntry),
  );

  r.get(
    '/api/dispositions',
    {
      schema: {
        tags: ['cases'],
        summary: 'The Dx catalogue: every disposition, most urgent first, with what it makes a case do',
        response: { 200: Type.Array(DispositionSchema) },
      },
      config: { access: 'pathway.read' },
    },
    async (request) =>
      (await listDispositions(app.ctx, callerOf(request))).map((d) => ({
        code: d.code,
        title: d.title,
        group: d.group,
        outcome: outcomeKindFor(d),
        urgencyRank: d.urgencyRank,
        timeframeMinutes: d.timeframeMinutes,
      })),
  );

  r.get(
    '/api/validation-queue',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Ambulance category 3/4 and A&E dispositions waiting for clinical validation, soonest breach first',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ValidationEntrySchema) },
      },
      config: { access: 'clinical_queue.read' },
    },
    async (request) =>
      (await validationQueue(app.ctx, callerOf(request), request.query.limit ?? 200)).map(validationEntry),
  );

  r.post(
    '/api/cases/:id/validate',
    {
      schema: {
        tags: ['cases'],
        summary:
          'A clinician validates the disposition: upgraded, confirmed or downgraded (with the new disposition and, for a referral, the service from its Directory search)',
        params: CaseIdParams,
        body: Type.Object(
          {
            result: Type.Union([
              Type.Literal('upgraded'),
              Type.Literal('confirmed'),
              Type.Literal('downgraded'),
            ]),
            dispositionCode: Type.String({ minLength: 3, maxLength: 10 }),
            notes: Type.String({ maxLength: 4000 }),
            serviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CaseSchema },
      },
      config: { access: 'case.validate' },
    },
    async (request) =>
      caseBody(
        await validateCase(app.ctx, callerOf(request), request.params.id, {
          result: request.body.result,
          dispositionCode: request.body.dispositionCode,
          notes: request.body.notes,
          ...(request.body.serviceId ? { serviceId: request.body.serviceId } : {}),
        }),
      ),
  );

  r.post(
    '/api/referrals/:id/acknowledge',
    {
      schema: {
        tags: ['cases'],
        summary: 'The receiving service acknowledges the referral of case :id made to it',
        params: CaseIdParams,
        response: { 200: CaseSchema },
      },
      config: { access: 'referral.report' },
    },
    async (request) => caseBody(await acknowledgeReferral(app.ctx, callerOf(request), request.params.id)),
  );

  r.post(
    '/api/referrals/:id/outcome',
    {
      schema: {
        tags: ['cases'],
        summary: 'The receiving service reports what happened: seen, treated, referred on, or did not attend',
        params: CaseIdParams,
        body: Type.Object(
          {
            outcome: Type.Union([
              Type.Literal('seen'),
              Type.Literal('treated'),
              Type.Literal('referred_on'),
              Type.Literal('did_not_attend'),
            ]),
          },
          { additionalProperties: false },
        ),
        response: { 200: CaseSchema },
      },
      config: { access: 'referral.report' },
    },
    async (request) =>
      caseBody(
        await reportReferralOutcome(app.ctx, callerOf(request), request.params.id, request.body.outcome),
      ),
  );

  r.get(
    '/api/referral-alerts',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Referrals of your provider not acknowledged by the receiving service within their timeframe',
        response: { 200: Type.Array(ReferralAlertSchema) },
      },
      config: { access: 'case.read' },
    },
    async (request) =>
      (await referralAlerts(app.ctx, callerOf(request), 100)).map((c) => ({
        caseId: c.id,
        patientName: c.patient.name,
        serviceName: c.referral?.name ?? '',
        referredAt: iso(c.referralProgress.referredAt),
        alertedAt: iso(c.referralProgress.alertedAt),
      })),
  );

  await caseFhirRoutes(app);
}
