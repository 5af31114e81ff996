import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { triageContent } from '../content/triage';
import {
  answerTriage,
  evaluateEvidence,
  findPathways,
  finishTriage,
  goBack,
  readTriage,
  startTriage,
} from '../services/triage';
import { callerOf, typed } from './context';
import { triageFhirPlugin } from './fhir/triage';

const Sex = Type.Union([Type.Literal('female'), Type.Literal('male')]);
const Patient = Type.Object(
  { ageYears: Type.Number({ minimum: 0, maximum: 130 }), sex: Sex },
  { additionalProperties: false },
);
const Value = Type.Union([Type.String({ minLength: 1, maxLength: 60 }), Type.Number()]);
const Id = Type.String({ minLength: 1, maxLength: 80, pattern: '^[A-Za-z0-9_.-]+$' });
const SessionId = Type.Object({ id: Type.String({ format: 'uuid' }) });

const QuestionView = Type.Object({
  pathwayId: Type.String(),
  id: Type.String(),
  type: Type.Union([Type.Literal('yes_no'), Type.Literal('choice'), Type.Literal('number')]),
  text: Type.String(),
  rationale: Type.String(),
  finding: Type.String(),
  options: Type.Array(Type.Object({ value: Type.String(), label: Type.String() })),
  dontKnow: Type.Object({ value: Type.String(), label: Type.String() }),
  unit: Type.Optional(Type.String()),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
});

const DispositionView = Type.Object({
  code: Type.String(),
  title: Type.String(),
  group: Type.String(),
  urgencyRank: Type.Number(),
  timeframeMinutes: Type.Union([Type.Number(), Type.Null()]),
  timeframe: Type.String(),
  ambulanceCategory: Type.Union([Type.Number(), Type.Null()]),
});

export const SessionState = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('in_progress'), Type.Literal('finished')]),
  contentVersion: Type.String(),
  pathway: Type.Object({
    id: Type.String(),
    version: Type.Number(),
    title: Type.String(),
    symptomGroup: Type.String(),
  }),
  module0Version: Type.Number(),
  patient: Type.Object({ ageYears: Type.Number(), sex: Type.String() }),
  createdAt: Type.String(),
  createdBy: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  finishedBy: Type.Union([Type.String(), Type.Null()]),
  answers: Type.Array(
    Type.Object({
      seq: Type.Number(),
      pathwayId: Type.String(),
      questionId: Type.String(),
      question: Type.String(),
      finding: Type.String(),
      value: Value,
      label: Type.String(),
      at: Type.String(),
      answeredBy: Type.String(),
    }),
  ),
  /** Every question shown, in order, replayed from the stored events (going back included). */
  shown: Type.Array(Type.String()),
  next: Type.Union([QuestionView, Type.Null()]),
  outcome: Type.Union([
    Type.Object({
      disposition: DispositionView,
      endedIn: Type.String(),
      discriminators: Type.Array(Type.String()),
      report: Type.Array(Type.String()),
      careAdvice: Type.Array(Type.String()),
    }),
    Type.Null(),
  ]),
  history: Type.Array(
    Type.Object({
      seq: Type.Number(),
      kind: Type.String(),
      questionId: Type.Optional(Type.String()),
      value: Type.Optional(Value),
      keep: Type.Optional(Type.Number()),
      at: Type.String(),
      by: Type.String(),
    }),
  ),
});
export type SessionStateBody = Static<typeof SessionState>;

export const PathwayHit = Type.Object({
  id: Type.String(),
  title: Type.String(),
  symptomGroup: Type.String(),
  version: Type.Number(),
  status: Type.String(),
  matched: Type.Array(Type.String()),
});

const EvidenceBody = Type.Object(
  {
    age: Type.Number({ minimum: 0, maximum: 130 }),
    sex: Sex,
    complaint: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    symptomGroup: Type.Optional(Type.String({ maxLength: 20 })),
    pathwayId: Type.Optional(Id),
    present: Type.Optional(Type.Array(Type.String({ maxLength: 80 }), { maxItems: 200 })),
    absent: Type.Optional(Type.Array(Type.String({ maxLength: 80 }), { maxItems: 200 })),
    values: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 80 }),
        Type.Union([Type.Number(), Type.String({ maxLength: 60 })]),
      ),
    ),
    unknown: Type.Optional(Type.Array(Type.String({ maxLength: 80 }), { maxItems: 200 })),
    unreported: Type.Optional(Type.Union([Type.Literal('unknown'), Type.Literal('absent')])),
  },
  { additionalProperties: false },
);

/** Triage over HTTP: each route parses, calls one use case of src/services/triage, and sends its answer. */
export async function triagePlugin(app: FastifyInstance): Promise<void> {
  // Validated at load: a server with broken triage content does not start.
  triageContent();
  const r = typed(app);

  r.get(
    '/api/triage/pathways',
    {
      schema: {
        tags: ['triage'],
        summary: 'Find pathways by the caller’s words (symptoms and synonyms), for the patient’s age and sex',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 200 })),
            age: Type.Optional(Type.Number({ minimum: 0, maximum: 130 })),
            sex: Type.Optional(Sex),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(PathwayHit) },
      },
      config: { access: 'pathway.read' },
    },
    async (request) => findPathways(app.ctx, callerOf(request), request.query),
  );

  r.post(
    '/api/triage/sessions',
    {
      schema: {
        tags: ['triage'],
        summary: 'Start a triage session on a pathway: module 0 comes first',
        body: Type.Object({ pathwayId: Id, patient: Patient }, { additionalProperties: false }),
        response: { 201: SessionState },
      },
      config: { access: 'triage_session.start' },
    },
    async (request, reply) => {
      const session = await startTriage(app.ctx, callerOf(request), request.body);
      return reply.code(201).send(session);
    },
  );

  r.get(
    '/api/triage/sessions/:id',
    {
      schema: {
        tags: ['triage'],
        summary: 'A triage session: answers, next question or disposition',
        params: SessionId,
        response: { 200: SessionState },
      },
      config: { access: 'triage_session.read' },
    },
    async (request) => readTriage(app.ctx, callerOf(request), request.params.id),
  );

  r.post(
    '/api/triage/sessions/:id/answers',
    {
      schema: {
        tags: ['triage'],
        summary: 'Answer the question being asked',
        params: SessionId,
        body: Type.Object({ pathwayId: Id, questionId: Id, value: Value }, { additionalProperties: false }),
        response: { 200: SessionState },
      },
      config: { access: 'triage_session.answer' },
    },
    async (request) => answerTriage(app.ctx, callerOf(request), request.params.id, request.body),
  );

  r.post(
    '/api/triage/sessions/:id/back',
    {
      schema: {
        tags: ['triage'],
        summary:
          'Go back: to the last question, or to a named one; later answers stop counting (they stay in the history)',
        params: SessionId,
        body: Type.Object(
          { pathwayId: Type.Optional(Id), questionId: Type.Optional(Id) },
          { additionalProperties: false },
        ),
        response: { 200: SessionState },
      },
      config: { access: 'triage_session.answer' },
    },
    async (request) => goBack(app.ctx, callerOf(request), request.params.id, request.body),
  );

  r.post(
    '/api/triage/sessions/:id/finish',
    {
      schema: {
        tags: ['triage'],
        summary: 'Finish the triage with its disposition; the session is then read-only',
        params: SessionId,
        response: { 200: SessionState },
      },
      config: { access: 'triage_session.answer' },
    },
    async (request) => finishTriage(app.ctx, callerOf(request), request.params.id),
  );

  r.post(
    '/api/triage/evidence',
    {
      schema: {
        tags: ['triage'],
        summary:
          'Evidence mode: choose the pathway and answer from the evidence; findings it does not mention are "don’t know" (unreported: unknown) or "no" (unreported: absent)',
        body: EvidenceBody,
      },
      config: { access: 'pathway.read' },
    },
    async (request) => evaluateEvidence(app.ctx, callerOf(request), request.body),
  );

  await triageFhirPlugin(app);
}
