import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  EDITABLE_STATUSES,
  isConfirmed,
  isIsoDate,
  londonMidnight,
  missingForConfirmation,
  OPERATING_MODELS,
  PLAN_STAGES,
  PLAN_STATUSES,
  type RolloutPlan,
} from '../domain/commissioning/index';
import { invalid } from '../domain/errors';
import {
  type AreaPlan,
  applyDeadline,
  approvePlan,
  coverage,
  coverageTimeline,
  deletePlan,
  editPlan,
  etagOf,
  exportPlansCsv,
  listPlans,
  planHistory,
  readPlan,
  rolloutConfig,
  routeCall,
  submitPlan,
  withdrawPlan,
} from '../services/rollout';
import { readSubmission, sendSubmission } from '../services/submissions';
import { callerOf, typed } from './context';

const enumOf = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const NullableDate = Type.Union([Type.String({ maxLength: 10 }), Type.Null()]);
const AreaParams = Type.Object({ area: Type.String({ minLength: 1, maxLength: 10 }) });
const DateQuery = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date', description: 'A date in England (default: today)' })) },
  { additionalProperties: false },
);

const PlanBody = Type.Object(
  {
    status: enumOf(EDITABLE_STATUSES),
    operatingModel: enumOf(OPERATING_MODELS),
    providerCodes: Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 10 }),
    procurementDate: NullableDate,
    goLiveDate: NullableDate,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

const ProblemItem = Type.Object({
  pointer: Type.String(),
  message: Type.String(),
  rule: Type.Optional(Type.String()),
});

export const PlanSchema = Type.Object({
  areaCode: Type.String(),
  status: enumOf(PLAN_STATUSES),
  operatingModel: enumOf(OPERATING_MODELS),
  providerCodes: Type.Array(Type.String()),
  procurementDate: NullableDate,
  goLiveDate: NullableDate,
  note: Type.String(),
  stage: enumOf(PLAN_STAGES),
  submittedAt: Type.Union([Type.String(), Type.Null()]),
  submittedBy: Type.Union([Type.String(), Type.Null()]),
  ccgApproval: Type.Union([
    Type.Object({ by: Type.String(), ccgCode: Type.String(), at: Type.String() }),
    Type.Null(),
  ]),
  defaultOptIn: Type.Union([
    Type.Object({
      at: Type.String(),
      goLiveDate: Type.String(),
      providerCodes: Type.Array(Type.String()),
      reason: Type.String(),
    }),
    Type.Null(),
  ]),
  version: Type.Number(),
  confirmed: Type.Boolean(),
  missing: Type.Array(Type.String()),
});

export const AreaPlanRow = Type.Object({
  area: Type.Object({
    code: Type.String(),
    name: Type.String(),
    regionCode: Type.String(),
    population: Type.Number(),
  }),
  plan: Type.Union([PlanSchema, Type.Null()]),
  issues: Type.Array(ProblemItem),
  canEdit: Type.Boolean(),
  canApprove: Type.Boolean(),
});

const ProviderRefSchema = Type.Object({ code: Type.String(), name: Type.String() });
export const RouteSchema = Type.Object({
  areaCode: Type.String(),
  areaName: Type.String(),
  at: Type.String(),
  live: Type.Boolean(),
  basis: Type.Union([Type.String(), Type.Null()]),
  provider: Type.Union([ProviderRefSchema, Type.Null()]),
  partners: Type.Array(ProviderRefSchema),
  since: Type.Union([Type.String(), Type.Null()]),
  until: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  advice: Type.Union([Type.String(), Type.Null()]),
  query: Type.String(),
  regionCode: Type.String(),
});

const Totals = Type.Object({
  areas: Type.Number(),
  areasCovered: Type.Number(),
  population: Type.Number(),
  populationCovered: Type.Number(),
});
export const CoverageSchema = Type.Object({
  date: Type.String(),
  national: Totals,
  regions: Type.Array(Type.Intersect([Type.Object({ regionCode: Type.String() }), Totals])),
  areas: Type.Array(
    Type.Object({
      areaCode: Type.String(),
      areaName: Type.String(),
      regionCode: Type.String(),
      population: Type.Number(),
      state: Type.String(),
      covered: Type.Boolean(),
    }),
  ),
});

function planBody(plan: RolloutPlan): Static<typeof PlanSchema> {
  return {
    ...plan,
    providerCodes: [...plan.providerCodes],
    defaultOptIn: plan.defaultOptIn
      ? { ...plan.defaultOptIn, providerCodes: [...plan.defaultOptIn.providerCodes] }
      : null,
    confirmed: isConfirmed(plan),
    missing: missingForConfirmation(plan),
  };
}

const rowBody = (row: AreaPlan): Static<typeof AreaPlanRow> => ({
  ...row,
  plan: row.plan ? planBody(row.plan) : null,
});

/** The first If-Match a request sent (a header may repeat); the use case compares it with the plan. */
const ifMatchOf = (header: string | string[] | undefined): string | undefined =>
  Array.isArray(header) ? header[0] : header;

/** A calendar date in England, for "at" (the schema's format says so; this names the rule in the 400). */
function parseDay(at: string | undefined): string | undefined {
  if (at !== undefined && !isIsoDate(at))
    throw invalid(`"at" must be a calendar date such as 2012-04-01, not "${at}".`);
  return at;
}

/** A date (start of that day in England) or a date-time. */
function parseInstant(at: string | undefined): Date | undefined {
  if (at === undefined) return undefined;
  if (isIsoDate(at)) return londonMidnight(at);
  const d = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(d.getTime()))
    throw invalid(`"at" must be a date (2012-04-01) or a date-time (2012-04-01T09:00:00Z), not "${at}".`);
  return d;
}

/**
 * An action's optional body: nothing, or `{ "reason": "…" }`. Read by hand rather than by a schema,
 * because a schema would refuse the empty body most actions are sent with.
 */
function actionReason(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalid('The body, if any, must be {"reason": "…"}.');
  const extra = Object.keys(body).filter((k) => k !== 'reason');
  if (extra.length > 0) throw invalid(`Unknown field(s) in the body: ${extra.join(', ')}.`);
  if (!('reason' in body) || body.reason === undefined) return undefined;
  const { reason } = body;
  if (typeof reason !== 'string' || reason.length > 500)
    throw invalid('"reason" must be text of at most 500 characters.');
  return reason;
}

export const DeadlineResult = Type.Object({
  deadline: Type.String(),
  optedIn: Type.Array(Type.Object({ areaCode: Type.String(), reason: Type.String() })),
});

/** What GET /api/rollout/config sends (the route has no response schema): the service's answer. */
export type ConfigAnswer = Awaited<ReturnType<typeof rolloutConfig>>;
/** What GET /api/rollout/coverage/timeline sends (the route has no response schema): the service's answer. */
export type TimelineAnswer = Awaited<ReturnType<typeof coverageTimeline>>;

/** What GET /api/rollout/submissions/:region sends (no response schema): the service's document. */
export type SubmissionAnswer = Awaited<ReturnType<typeof readSubmission>>;

export async function rolloutPlugin(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  const r = typed(app);

  r.get(
    '/api/rollout/config',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'The rollout calendar (deadline, national date), providers, statuses, operating models, and what you may do',
      },
      config: { access: 'reference.read' },
    },
    async (request) => rolloutConfig(ctx, callerOf(request)),
  );

  r.get(
    '/api/rollout/plans',
    {
      schema: {
        tags: ['rollout'],
        summary: 'Every area (or one SHA) with its plan, issues against the calendar, and what you may do',
        querystring: Type.Object(
          { region: Type.Optional(Type.String({ maxLength: 10 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(AreaPlanRow) },
      },
      config: { access: 'plan.read' },
    },
    async (request) => (await listPlans(ctx, callerOf(request), request.query.region)).map(rowBody),
  );

  r.get(
    '/api/rollout/plans/:area',
    {
      schema: {
        tags: ['rollout'],
        summary: "One area's plan, with its ETag",
        params: AreaParams,
        response: { 200: PlanSchema },
      },
      config: { access: 'plan.read' },
    },
    async (request, reply) => {
      const plan = await readPlan(ctx, callerOf(request), request.params.area);
      return reply.header('etag', etagOf(plan)).send(planBody(plan));
    },
  );

  r.put(
    '/api/rollout/plans/:area',
    {
      schema: {
        tags: ['rollout'],
        summary: "Create or replace an area's plan (If-Match with the ETag to replace); returns to draft",
        params: AreaParams,
        body: PlanBody,
        response: { 200: PlanSchema, 201: PlanSchema },
      },
      config: { access: 'plan.edit' },
    },
    async (request, reply) => {
      const { body } = request;
      const { plan, created } = await editPlan(
        ctx,
        callerOf(request),
        request.params.area,
        { ...body, note: body.note ?? '' },
        ifMatchOf(request.headers['if-match']),
      );
      return reply
        .code(created ? 201 : 200)
        .header('etag', etagOf(plan))
        .send(planBody(plan));
    },
  );

  r.delete(
    '/api/rollout/plans/:area',
    {
      schema: { tags: ['rollout'], summary: "Delete an area's plan (If-Match required)", params: AreaParams },
      config: { access: 'plan.edit' },
    },
    async (request, reply) => {
      await deletePlan(ctx, callerOf(request), request.params.area, ifMatchOf(request.headers['if-match']));
      return reply.code(204).send();
    },
  );

  const action = (
    name: 'submit' | 'approve' | 'withdraw',
    summary: string,
    access: 'plan.edit' | 'plan.approve',
    useCase: typeof submitPlan,
  ) =>
    r.post(
      `/api/rollout/plans/:area/${name}`,
      {
        schema: { tags: ['rollout'], summary, params: AreaParams, response: { 200: PlanSchema } },
        config: { access },
      },
      async (request, reply) => {
        const plan = await useCase(
          ctx,
          callerOf(request),
          request.params.area,
          ifMatchOf(request.headers['if-match']),
          actionReason(request.body) ?? name,
        );
        return reply.header('etag', etagOf(plan)).send(planBody(plan));
      },
    );

  action('submit', 'The SHA submits a plan (both dates needed) for CCG approval', 'plan.edit', submitPlan);
  action(
    'approve',
    'A CCG covering the area approves a submitted plan; with both dates it is then confirmed',
    'plan.approve',
    approvePlan,
  );
  action('withdraw', "Withdraw an area's own plan (a default opt-in stands)", 'plan.edit', withdrawPlan);

  r.get(
    '/api/rollout/plans/:area/history',
    {
      schema: {
        tags: ['rollout'],
        summary: "An area's plan history: every change, by whom, when and why",
        params: AreaParams,
      },
      config: { access: 'plan.read' },
    },
    async (request) => planHistory(ctx, callerOf(request), request.params.area),
  );

  r.post(
    '/api/rollout/deadline/apply',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'Apply the submission deadline: opt every area without a confirmed plan in to the default (idempotent)',
        response: { 200: DeadlineResult },
      },
      config: { access: 'deadline.apply' },
    },
    async (request) => applyDeadline(ctx, callerOf(request)),
  );

  r.get(
    '/api/rollout/coverage',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'Areas and population covered by 111 on a date, per SHA and nationally, with each area’s state',
        querystring: DateQuery,
        response: { 200: CoverageSchema },
      },
      config: { access: 'reference.read' },
    },
    async (request) => {
      const c = await coverage(ctx, callerOf(request), parseDay(request.query.at));
      return { ...c, regions: [...c.regions], areas: [...c.areas] };
    },
  );

  r.get(
    '/api/rollout/coverage/timeline',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'Coverage month by month to the national date, the go-lives, and the gaps on the national date',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ format: 'date' })),
            to: Type.Optional(Type.String({ format: 'date' })),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'reference.read' },
    },
    async (request) => coverageTimeline(ctx, callerOf(request), request.query),
  );

  r.get(
    '/api/rollout/export.csv',
    {
      schema: { tags: ['rollout'], summary: 'Every area and its plan as CSV' },
      config: { access: 'plan.read' },
    },
    async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="rollout-plans.csv"')
        .send(await exportPlansCsv(ctx, callerOf(request))),
  );

  r.get(
    '/api/routing',
    {
      schema: {
        tags: ['rollout'],
        summary: 'Who answers a 111 call from a postcode (or area) at an instant, and why',
        querystring: Type.Object(
          {
            postcode: Type.Optional(Type.String({ maxLength: 40 })),
            area: Type.Optional(Type.String({ maxLength: 10 })),
            at: Type.Optional(
              Type.String({ maxLength: 40, description: 'A date or date-time (default: now)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: RouteSchema },
      },
      config: { access: 'reference.read' },
    },
    async (request) => {
      const { postcode, area, at } = request.query;
      const origin =
        postcode !== undefined && area === undefined
          ? { postcode }
          : area !== undefined && postcode === undefined
            ? { area }
            : undefined;
      if (!origin) throw invalid('Give either "postcode" or "area" (not both).');
      const routed = await routeCall(ctx, callerOf(request), origin, parseInstant(at));
      return { ...routed, partners: [...routed.partners] };
    },
  );
  const RegionParams = Type.Object({ region: Type.String({ minLength: 1, maxLength: 10 }) });
  r.get(
    '/api/rollout/submissions/:region',
    {
      schema: {
        tags: ['rollout'],
        summary:
          "The SHA's submission to the Department of Health as it stands: go-live dates, geographic rollout, operating models, CCG approval, what is outstanding, and whether it was sent",
        params: RegionParams,
      },
      config: { access: 'plan.read' },
    },
    async (request) => readSubmission(ctx, callerOf(request), request.params.region),
  );
  r.post(
    '/api/rollout/submissions/:region/send',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'The SHA sends its submission to the Department of Health (kept as sent; after the deadline, late)',
        params: RegionParams,
      },
      config: { access: 'submission.send' },
    },
    async (request) => sendSubmission(ctx, callerOf(request), request.params.region),
  );
}
