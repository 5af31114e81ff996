import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { triageContent } from '../content/triage';
import type { Actor } from '../domain/auth/index';
import { invalid } from '../domain/errors';
import {
  answersInForce,
  backTo,
  type Evidence,
  evaluateEvidence,
  evidenceSummary,
  pathwayAt,
  pathwayFits,
  pathwaysFor,
  type Question,
  replay,
  type SessionEvent,
  searchPathways,
  step,
  type TriageContent,
} from '../domain/triage/index';
import {
  changeTriageSession,
  createTriageSession,
  readTriageSession,
  type StoredTriageSession,
} from '../store/triage';
import { requireRole } from './context';
import { triageFhirPlugin } from './fhir/triage';

/** Who may run a triage, and who may read one afterwards. */
export const TRIAGE_ROLES = ['health_adviser', 'clinician'] as const;
export const TRIAGE_READ_ROLES = ['health_adviser', 'clinician', 'governance'] as const;

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

export function questionView(
  content: TriageContent,
  pathwayId: string,
  q: Question,
): Static<typeof QuestionView> {
  const finding = content.findings.get(q.finding);
  const base = {
    pathwayId,
    id: q.id,
    type: q.type,
    text: q.text,
    rationale: q.rationale,
    finding: q.finding,
  };
  if (q.type === 'yes_no')
    return {
      ...base,
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
      ],
    };
  if (q.type === 'choice') return { ...base, options: [...q.options] };
  return {
    ...base,
    options: [],
    unit: q.unit,
    ...(finding?.kind === 'number' ? { min: finding.min, max: finding.max } : {}),
  };
}

const labelOf = (q: Question | undefined, value: string | number): string => {
  if (!q || q.type === 'number') return `${value}${q?.type === 'number' ? ` ${q.unit}` : ''}`;
  if (q.type === 'yes_no') return value === 'yes' ? 'Yes' : 'No';
  return q.options.find((o) => o.value === value)?.label ?? String(value);
};

const inputOfStored = (s: StoredTriageSession) => ({
  pathwayId: s.pathwayId,
  pathwayVersion: s.pathwayVersion,
  module0Version: s.module0Version,
});

/** The session as the console and integrations see it: answers in force, the next question or the outcome. */
export function sessionState(content: TriageContent, s: StoredTriageSession): SessionStateBody {
  const pathway = pathwayAt(content, s.pathwayId, s.pathwayVersion);
  const module0 = pathwayAt(content, content.module0.id, s.module0Version);
  const inForce = answersInForce(s.events);
  const result = step(content, {
    pathwayId: s.pathwayId,
    pathwayVersion: s.pathwayVersion,
    module0Version: s.module0Version,
    answers: inForce,
  });
  const questionOf = (pathwayId: string, id: string) =>
    (pathwayId === module0.id ? module0 : pathway).questions.get(id);
  return {
    id: s.id,
    status: s.status,
    contentVersion: s.contentVersion,
    pathway: {
      id: pathway.id,
      version: pathway.version,
      title: pathway.title,
      symptomGroup: pathway.symptomGroup,
    },
    module0Version: s.module0Version,
    patient: { ageYears: s.patient.ageYears, sex: s.patient.sex },
    createdAt: s.createdAt.toISOString(),
    createdBy: s.createdBy,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    finishedBy: s.finishedBy,
    answers: inForce.map((a) => {
      const q = questionOf(a.pathwayId, a.questionId);
      return {
        seq: a.seq,
        pathwayId: a.pathwayId,
        questionId: a.questionId,
        question: q?.text ?? a.questionId,
        finding: q?.finding ?? '',
        value: a.value,
        label: labelOf(q, a.value),
        at: a.at.toISOString(),
        answeredBy: a.actor,
      };
    }),
    shown: [...replay(content, inputOfStored(s), s.events).shown],
    next: result.kind === 'question' ? questionView(content, result.pathwayId, result.question) : null,
    outcome:
      result.kind === 'disposition'
        ? {
            disposition: {
              code: result.disposition.code,
              title: result.disposition.title,
              group: result.disposition.group,
              urgencyRank: result.disposition.urgencyRank,
              timeframeMinutes: result.disposition.timeframeMinutes,
              ambulanceCategory: result.disposition.ambulanceCategory,
            },
            endedIn: result.endedIn,
            discriminators: [...result.discriminators],
            report: [...result.report],
            careAdvice: [...result.careAdvice],
          }
        : null,
    history: s.events.map((e) =>
      e.kind === 'answer'
        ? {
            seq: e.seq,
            kind: e.kind,
            questionId: `${e.pathwayId}/${e.questionId}`,
            value: e.value,
            at: e.at.toISOString(),
            by: e.actor,
          }
        : { seq: e.seq, kind: e.kind, keep: e.keep, at: e.at.toISOString(), by: e.actor },
    ),
  };
}

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
  },
  { additionalProperties: false },
);

export async function triagePlugin(app: FastifyInstance): Promise<void> {
  // Validated at load: a server with broken triage content does not start.
  triageContent();
  const content = () => triageContent();
  const who = (request: FastifyRequest, actor: Actor) => ({
    actor,
    at: app.ctx.now(),
    requestId: request.id,
  });

  app.get(
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
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.String(),
              title: Type.String(),
              symptomGroup: Type.String(),
              version: Type.Number(),
              status: Type.String(),
              matched: Type.Array(Type.String()),
            }),
          ),
        },
      },
    },
    async (request) => {
      requireRole(request.actor, ...TRIAGE_READ_ROLES);
      const { q, age, sex } = request.query as { q?: string; age?: number; sex?: 'female' | 'male' };
      const patient = { ...(age !== undefined ? { ageYears: age } : {}), ...(sex ? { sex } : {}) };
      const c = content();
      const found = q?.trim()
        ? searchPathways(c, q, patient).map((m) => ({ pathway: m.pathway, matched: [...m.matched] }))
        : pathwaysFor(c, patient).map((pathway) => ({ pathway, matched: [] as string[] }));
      return found.map(({ pathway, matched }) => ({
        id: pathway.id,
        title: pathway.title,
        symptomGroup: pathway.symptomGroup,
        version: pathway.version,
        status: pathway.status,
        matched,
      }));
    },
  );

  app.post(
    '/api/triage/sessions',
    {
      schema: {
        tags: ['triage'],
        summary: 'Start a triage session on a pathway: module 0 comes first',
        body: Type.Object({ pathwayId: Id, patient: Patient }, { additionalProperties: false }),
        response: { 201: SessionState },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request.actor, ...TRIAGE_ROLES);
      const body = request.body as {
        pathwayId: string;
        patient: { ageYears: number; sex: 'female' | 'male' };
      };
      const c = content();
      const pathway = c.current.get(body.pathwayId);
      if (!pathway)
        throw invalid(`There is no pathway "${body.pathwayId}".`, [
          { pointer: '/body/pathwayId', message: 'unknown pathway' },
        ]);
      if (!pathwayFits(pathway, body.patient.ageYears, body.patient.sex))
        throw invalid(
          `${pathway.title} is for ${pathway.sex === 'any' ? 'patients' : `${pathway.sex} patients`} aged ${pathway.age.minYears} to under ${pathway.age.maxYears}; it does not fit this patient.`,
          [
            {
              pointer: '/body/patient',
              message: 'the pathway does not fit the patient’s age or sex',
              rule: 'pathway-fits-patient',
            },
          ],
        );
      const db = app.ctx.store.db;
      const w = who(request, actor);
      const id = await createTriageSession(
        db,
        {
          pathwayId: pathway.id,
          pathwayVersion: pathway.version,
          module0Version: c.module0.version,
          contentVersion: c.version,
          patient: body.patient,
        },
        w,
      );
      reply.code(201);
      return sessionState(c, await readTriageSession(db, id, w));
    },
  );

  app.get(
    '/api/triage/sessions/:id',
    {
      schema: {
        tags: ['triage'],
        summary: 'A triage session: answers, next question or disposition',
        params: SessionId,
        response: { 200: SessionState },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...TRIAGE_READ_ROLES);
      const { id } = request.params as { id: string };
      return sessionState(content(), await readTriageSession(app.ctx.store.db, id, who(request, actor)));
    },
  );

  /** Applies a change decided on the stored session, then returns the new state. */
  async function change(
    request: FastifyRequest,
    decide: (
      s: StoredTriageSession,
      c: TriageContent,
    ) => {
      append?: SessionEvent;
      finish?: { dispositionCode: string };
      detail: Record<string, unknown>;
    },
  ): Promise<SessionStateBody> {
    const actor = requireRole(request.actor, ...TRIAGE_ROLES);
    const { id } = request.params as { id: string };
    const c = content();
    const w = who(request, actor);
    await changeTriageSession(app.ctx.store.db, id, w, (s) => decide(s, c));
    return sessionState(c, await readTriageSession(app.ctx.store.db, id, w));
  }

  const inputOf = (s: StoredTriageSession) => ({
    pathwayId: s.pathwayId,
    pathwayVersion: s.pathwayVersion,
    module0Version: s.module0Version,
  });

  app.post(
    '/api/triage/sessions/:id/answers',
    {
      schema: {
        tags: ['triage'],
        summary: 'Answer the question being asked',
        params: SessionId,
        body: Type.Object({ pathwayId: Id, questionId: Id, value: Value }, { additionalProperties: false }),
        response: { 200: SessionState },
      },
    },
    async (request) => {
      const body = request.body as { pathwayId: string; questionId: string; value: string | number };
      return change(request, (s, c) => {
        const answers = answersInForce(s.events);
        const now = step(c, { ...inputOf(s), answers });
        if (now.kind === 'disposition')
          throw invalid('This triage has reached its disposition: go back to change an answer, or finish.');
        if (now.pathwayId !== body.pathwayId || now.question.id !== body.questionId)
          throw invalid(
            `The question being asked is ${now.pathwayId}/${now.question.id}, not ${body.pathwayId}/${body.questionId}.`,
            [
              {
                pointer: '/body/questionId',
                message: `expected ${now.question.id}`,
                rule: 'answer-in-order',
              },
            ],
          );
        const answer = { pathwayId: body.pathwayId, questionId: body.questionId, value: body.value };
        // The engine checks the value (type, plausible range) before anything is stored.
        step(c, { ...inputOf(s), answers: [...answers, answer] });
        return {
          append: { kind: 'answer', ...answer },
          detail: { answered: `${body.pathwayId}/${body.questionId}` },
        };
      });
    },
  );

  app.post(
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
    },
    async (request) => {
      const body = (request.body ?? {}) as { pathwayId?: string; questionId?: string };
      return change(request, (s) => {
        const answers = answersInForce(s.events);
        const target =
          body.questionId !== undefined
            ? { pathwayId: body.pathwayId ?? s.pathwayId, questionId: body.questionId }
            : undefined;
        const keep = backTo(answers, target);
        return { append: { kind: 'back', keep }, detail: { backTo: keep } };
      });
    },
  );

  app.post(
    '/api/triage/sessions/:id/finish',
    {
      schema: {
        tags: ['triage'],
        summary: 'Finish the triage with its disposition; the session is then read-only',
        params: SessionId,
        response: { 200: SessionState },
      },
    },
    async (request) =>
      change(request, (s, c) => {
        const r = step(c, { ...inputOf(s), answers: answersInForce(s.events) });
        if (r.kind !== 'disposition')
          throw invalid(
            `The triage has not reached a disposition yet: question ${r.pathwayId}/${r.question.id} is waiting.`,
          );
        return { finish: { dispositionCode: r.disposition.code }, detail: { finished: r.disposition.code } };
      }),
  );

  app.post(
    '/api/triage/evidence',
    {
      schema: {
        tags: ['triage'],
        summary:
          'Evidence mode: choose the pathway and answer from the evidence; silent findings take the safe default',
        body: EvidenceBody,
      },
    },
    async (request) => {
      requireRole(request.actor, ...TRIAGE_READ_ROLES);
      return evidenceSummary(evaluateEvidence(content(), request.body as Evidence));
    },
  );

  await triageFhirPlugin(app);
}
