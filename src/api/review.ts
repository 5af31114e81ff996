import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { reportCsv, reportHtml } from '../domain/review/index';
import {
  addIncidentAction,
  closeIncident,
  fillReviewQueue,
  finishIncidentAction,
  governanceReport,
  gradeIncident,
  linkIncident,
  listIncidentsFor,
  listReviewQueue,
  myReviews,
  readIncident,
  readReview,
  readReviewRules,
  reportIncident,
  scoreReview,
  setReviewRule,
} from '../services/review';
import { callerOf, typed } from './context';

const ORG = Type.String({ pattern: '^[A-Za-z0-9-]{1,20}$' });
const DATE = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const TEXT = (max: number) => Type.String({ minLength: 1, maxLength: max });
const idParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const GRADE = Type.Union(
  (['no_harm', 'low', 'moderate', 'severe', 'death'] as const).map((g) => Type.Literal(g)),
);
const INCIDENT_STATUS = Type.Union(
  (['reported', 'investigating', 'closed'] as const).map((s) => Type.Literal(s)),
);

/** Clinical governance over HTTP: case review, incidents and the monthly report. */
export async function reviewPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);
  const tags = ['governance'];

  r.get(
    '/api/review/rules',
    {
      schema: {
        tags,
        summary: 'The review rules of a provider (the caller’s own): which are on, and their parameters',
        querystring: Type.Object({ provider: Type.Optional(ORG) }, { additionalProperties: false }),
      },
      config: { access: 'review.read' },
    },
    async (request) => readReviewRules(app.ctx, callerOf(request), request.query.provider),
  );

  r.put(
    '/api/review/rules/:rule',
    {
      schema: {
        tags,
        summary: 'Switch a review rule on or off and set its parameters (the governance lead)',
        params: Type.Object({ rule: Type.String({ pattern: '^[a-z_]{1,60}$' }) }),
        body: Type.Object(
          {
            enabled: Type.Boolean(),
            provider: Type.Optional(ORG),
            params: Type.Optional(
              Type.Record(
                Type.String({ maxLength: 40 }),
                Type.Union([Type.Number(), Type.String({ maxLength: 100 })]),
              ),
            ),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'review.rules' },
    },
    async (request) =>
      setReviewRule(app.ctx, callerOf(request), {
        rule: request.params.rule,
        enabled: request.body.enabled,
        ...(request.body.provider ? { provider: request.body.provider } : {}),
        ...(request.body.params ? { params: request.body.params } : {}),
      }),
  );

  r.post(
    '/api/review/queue/fill',
    {
      schema: {
        tags,
        summary: 'Run the review rules and the random sample over one week’s cases (this week by default)',
        body: Type.Optional(
          Type.Object(
            { week: Type.Optional(DATE), provider: Type.Optional(ORG) },
            { additionalProperties: false },
          ),
        ),
      },
      config: { access: 'review.rules' },
    },
    async (request) =>
      fillReviewQueue(app.ctx, callerOf(request), {
        ...(request.body?.week ? { week: request.body.week } : {}),
        ...(request.body?.provider ? { provider: request.body.provider } : {}),
      }),
  );

  r.get(
    '/api/review/queue',
    {
      schema: {
        tags,
        summary: 'The review queue of the caller’s provider (status=queued) and the reviews done (scored)',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('queued'), Type.Literal('scored')])),
            provider: Type.Optional(ORG),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'review.read' },
    },
    async (request) =>
      listReviewQueue(app.ctx, callerOf(request), {
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.provider ? { provider: request.query.provider } : {}),
      }),
  );

  r.get(
    '/api/review/mine',
    {
      schema: { tags, summary: 'The reviews of the caller’s own calls (and only those)' },
      config: { access: 'review.own' },
    },
    async (request) => myReviews(app.ctx, callerOf(request)),
  );

  r.get(
    '/api/review/reviews/:id',
    {
      schema: { tags, summary: 'One review', params: idParams },
      config: { access: 'review.read' },
    },
    async (request) => readReview(app.ctx, callerOf(request), request.params.id),
  );

  r.post(
    '/api/review/reviews/:id/score',
    {
      schema: {
        tags,
        summary: 'Score a queued review on the fixed form, once (never one’s own call)',
        params: idParams,
        body: Type.Object(
          {
            disposition: Type.Union([
              Type.Literal('correct'),
              Type.Literal('too_urgent'),
              Type.Literal('not_urgent_enough'),
            ]),
            safety: Type.Union([
              Type.Literal('safe'),
              Type.Literal('safe_with_concerns'),
              Type.Literal('unsafe'),
            ]),
            communication: Type.Union([
              Type.Literal(1),
              Type.Literal(2),
              Type.Literal(3),
              Type.Literal(4),
              Type.Literal(5),
            ]),
            findings: Type.String({ maxLength: 5000 }),
            learning: Type.String({ maxLength: 5000 }),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'review.score' },
    },
    async (request) => scoreReview(app.ctx, callerOf(request), request.params.id, request.body),
  );

  r.post(
    '/api/incidents',
    {
      schema: {
        tags,
        summary:
          'Report an incident about a case, a Directory service or a pathway version (pathway@version)',
        body: Type.Object(
          {
            about: Type.Union([
              Type.Literal('case'),
              Type.Literal('service'),
              Type.Literal('pathway_version'),
            ]),
            subject: TEXT(120),
            title: TEXT(200),
            description: TEXT(10_000),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'incident.report' },
    },
    async (request, reply) =>
      reply.code(201).send(await reportIncident(app.ctx, callerOf(request), request.body)),
  );

  r.get(
    '/api/incidents',
    {
      schema: {
        tags,
        summary: 'Incidents of the caller’s provider',
        querystring: Type.Object({ status: Type.Optional(INCIDENT_STATUS) }, { additionalProperties: false }),
      },
      config: { access: 'incident.read' },
    },
    async (request) =>
      listIncidentsFor(
        app.ctx,
        callerOf(request),
        request.query.status ? { status: request.query.status } : {},
      ),
  );

  r.get(
    '/api/incidents/:id',
    {
      schema: { tags, summary: 'One incident with its actions and links', params: idParams },
      config: { access: 'incident.read' },
    },
    async (request) => readIncident(app.ctx, callerOf(request), request.params.id),
  );

  r.post(
    '/api/incidents/:id/grade',
    {
      schema: {
        tags,
        summary: 'Grade an incident (NHS patient-safety grading: no harm to death)',
        params: idParams,
        body: Type.Object({ grade: GRADE }, { additionalProperties: false }),
      },
      config: { access: 'incident.manage' },
    },
    async (request) => gradeIncident(app.ctx, callerOf(request), request.params.id, request.body.grade),
  );

  r.post(
    '/api/incidents/:id/actions',
    {
      schema: {
        tags,
        summary: 'Give an incident an action with an owner',
        params: idParams,
        body: Type.Object(
          { description: TEXT(2000), owner: TEXT(200), dueOn: Type.Optional(DATE) },
          { additionalProperties: false },
        ),
      },
      config: { access: 'incident.manage' },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await addIncidentAction(app.ctx, callerOf(request), request.params.id, request.body)),
  );

  r.post(
    '/api/incidents/:id/actions/:actionId',
    {
      schema: {
        tags,
        summary: 'Mark an action done, or waive it with a reason',
        params: Type.Object({
          id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
          actionId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
        }),
        body: Type.Object(
          {
            status: Type.Union([Type.Literal('done'), Type.Literal('waived')]),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'incident.manage' },
    },
    async (request) =>
      finishIncidentAction(app.ctx, callerOf(request), request.params.id, request.params.actionId, {
        status: request.body.status,
        ...(request.body.note !== undefined ? { note: request.body.note } : {}),
      }),
  );

  r.post(
    '/api/incidents/:id/links',
    {
      schema: {
        tags,
        summary: 'Link an incident to a case or a pathway version (pathway@version)',
        params: idParams,
        body: Type.Object(
          { kind: Type.Union([Type.Literal('case'), Type.Literal('pathway_version')]), ref: TEXT(120) },
          { additionalProperties: false },
        ),
      },
      config: { access: 'incident.manage' },
    },
    async (request) => linkIncident(app.ctx, callerOf(request), request.params.id, request.body),
  );

  r.post(
    '/api/incidents/:id/close',
    {
      schema: {
        tags,
        summary: 'Close an incident with a reason (every action done or waived)',
        params: idParams,
        body: Type.Object({ reason: TEXT(2000) }, { additionalProperties: false }),
      },
      config: { access: 'incident.manage' },
    },
    async (request) => closeIncident(app.ctx, callerOf(request), request.params.id, request.body.reason),
  );

  r.get(
    '/api/governance/reports/monthly',
    {
      schema: {
        tags,
        summary:
          'The monthly governance report of a provider or a commissioner, as JSON, CSV (format=csv) or HTML with charts (format=html)',
        querystring: Type.Object(
          {
            month: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
            provider: Type.Optional(ORG),
            commissioner: Type.Optional(ORG),
            format: Type.Optional(
              Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('html')]),
            ),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'governance_report.read' },
    },
    async (request, reply) => {
      const { month, provider, commissioner, format } = request.query;
      const report = await governanceReport(app.ctx, callerOf(request), {
        month,
        ...(provider ? { provider } : {}),
        ...(commissioner ? { commissioner } : {}),
      });
      if (format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="governance-${month}.csv"`)
          .send(reportCsv(report));
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(reportHtml(report));
      return report;
    },
  );
}
