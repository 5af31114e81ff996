import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Actor } from '../domain/auth/index';
import {
  approvePlan,
  calendarIssues,
  canApprovePlan,
  canEditPlan,
  canReadPlans,
  coverageOn,
  coverageSeries,
  EDITABLE_STATUSES,
  editPlan,
  goLiveTimeline,
  isConfirmed,
  isIsoDate,
  isNational,
  londonDate,
  londonMidnight,
  missingForConfirmation,
  OPERATING_MODELS,
  PLAN_STAGES,
  PLAN_STATUSES,
  type PlanDraft,
  type PlanEventKind,
  type RolloutPlan,
  route,
  submitPlan,
  withdrawPlan,
} from '../domain/commissioning/index';
import { forbidden, invalid, notFound, preconditionFailed } from '../domain/errors';
import { areaWithRegion, parsePostcode, resolveLocation } from '../domain/geography/index';
import { audit } from '../store/audit';
import {
  appendPlanEvent,
  applyDeadlineInStore,
  deletePlan,
  findPlan,
  planHistory,
  savePlan,
} from '../store/commissioning';
import { inTransaction } from '../store/db';
import { findPostcode } from '../store/geography';
import type { RolloutState } from '../store/rollout-state';
import { requireActor } from './context';

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

const PlanSchema = Type.Object({
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

const AreaPlanRow = Type.Object({
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
const RouteSchema = Type.Object({
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
const CoverageSchema = Type.Object({
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

const etagOf = (plan: RolloutPlan): string => `"${plan.version}"`;

/** The version an If-Match header names; required for any change to an existing plan. */
function ifMatchVersion(header: string | string[] | undefined, plan: RolloutPlan): number {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined) {
    throw preconditionFailed(
      `The plan for ${plan.areaCode} exists: send If-Match with its ETag (${etagOf(plan)}) so a change made meanwhile is not overwritten.`,
    );
  }
  const m = /^(?:W\/)?"(\d+)"$/.exec(raw.trim());
  if (!m || Number(m[1]) !== plan.version) {
    throw preconditionFailed(
      `The plan for ${plan.areaCode} has changed since you read it (now ${etagOf(plan)}, you sent ${raw}): reload it and try again.`,
    );
  }
  return plan.version;
}

function parseDay(at: string | undefined, now: Date): string {
  if (at === undefined) return londonDate(now);
  if (!isIsoDate(at)) throw invalid(`"at" must be a calendar date such as 2012-04-01, not "${at}".`);
  return at;
}

/** A date (start of that day in England) or a date-time. */
function parseInstant(at: string | undefined, now: Date): Date {
  if (at === undefined) return now;
  if (isIsoDate(at)) return londonMidnight(at);
  const d = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(d.getTime()))
    throw invalid(`"at" must be a date (2012-04-01) or a date-time (2012-04-01T09:00:00Z), not "${at}".`);
  return d;
}

function csvCell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s)
    ? `"${s.replace(/^([=+\-@])/, "'$1").replaceAll('"', '""')}"`
    : s;
}

/** An action's optional body: nothing, or `{ "reason": "…" }`. */
function actionReason(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalid('The body, if any, must be {"reason": "…"}.');
  const extra = Object.keys(body).filter((k) => k !== 'reason');
  if (extra.length > 0) throw invalid(`Unknown field(s) in the body: ${extra.join(', ')}.`);
  const { reason } = body as { reason?: unknown };
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string' || reason.length > 500)
    throw invalid('"reason" must be text of at most 500 characters.');
  return reason;
}

export async function rolloutPlugin(app: FastifyInstance): Promise<void> {
  const { ctx } = app;

  const readable = (actor: Actor | null): Actor => {
    const a = requireActor(actor);
    if (!canReadPlans(a))
      throw forbidden(
        `Rollout plans are for commissioners and administrators; you are signed in as ${a.role}.`,
      );
    return a;
  };

  function row(state: RolloutState, actor: Actor, code: string, today: string): Static<typeof AreaPlanRow> {
    const area = state.table.areas.get(code)?.area;
    if (!area) throw notFound(`There is no commissioning area with code "${code}".`);
    const plan = state.plans.get(code);
    return {
      area: { code: area.code, name: area.name, regionCode: area.regionCode, population: area.population },
      plan: plan ? planBody(plan) : null,
      issues: calendarIssues(plan, state.calendar, today),
      canEdit: canEditPlan(actor, area.regionCode),
      canApprove: canApprovePlan(actor, state.ccgs.get(code) ?? []),
    };
  }

  /** Runs one change to a plan in a transaction: lock, check the ETag, apply, save, record, audit. */
  async function change(
    actor: Actor,
    areaParam: string,
    requestId: string,
    ifMatch: string | string[] | undefined,
    kind: PlanEventKind,
    apply: (
      existing: RolloutPlan | undefined,
      state: RolloutState,
    ) => { plan: RolloutPlan | null; reason: string },
    allowed: (state: RolloutState, regionCode: string) => boolean,
  ): Promise<RolloutPlan | null> {
    const geo = await ctx.geography();
    const { area } = areaWithRegion(geo, areaParam);
    const state = await ctx.rollout();
    if (!allowed(state, area.regionCode)) {
      throw forbidden(
        kind === 'approved'
          ? `Only a CCG covering ${area.name} may approve its plan (its CCGs: ${(state.ccgs.get(area.code) ?? []).join(', ') || 'none'}).`
          : `A commissioner may change plans only for areas in its own SHA; ${area.name} is in ${area.regionCode} and you are at ${actor.organisationCode}.`,
      );
    }
    const result = await inTransaction(ctx.store.db, async (tx) => {
      const existing = await findPlan(tx, area.code, true);
      const expected = existing ? ifMatchVersion(ifMatch, existing) : null;
      if (!existing && kind !== 'created')
        throw notFound(`${area.name} (${area.code}) has no rollout plan yet.`);
      const { plan, reason } = apply(existing, state);
      const ok =
        plan === null
          ? await deletePlan(tx, area.code, expected ?? 0)
          : await savePlan(tx, plan, expected, actor.username);
      if (!ok)
        throw preconditionFailed(`The plan for ${area.code} changed meanwhile: reload it and try again.`);
      const eventKind: PlanEventKind = kind === 'created' && existing ? 'updated' : kind;
      await appendPlanEvent(
        tx,
        { areaCode: area.code, kind: eventKind, at: ctx.now(), by: actor.username, reason },
        plan,
      );
      await audit(tx, {
        actor,
        action: plan === null ? 'delete' : existing ? 'update' : 'create',
        resourceType: 'rollout_plan',
        resourceId: area.code,
        requestId,
        detail: { event: eventKind, version: plan?.version ?? null, reason },
      });
      return plan;
    });
    ctx.refreshRollout();
    return result;
  }

  const sendPlan = (reply: FastifyReply, plan: RolloutPlan, status = 200) =>
    reply.code(status).header('etag', etagOf(plan)).send(planBody(plan));

  app.get(
    '/api/rollout/config',
    {
      schema: {
        tags: ['rollout'],
        summary: 'The rollout calendar (deadline, national date), providers, statuses and operating models',
      },
    },
    async (request) => {
      readable(request.actor);
      const state = await ctx.rollout();
      return {
        calendar: state.calendar,
        providers: [...state.providers.values()].sort((a, b) => a.name.localeCompare(b.name)),
        statuses: PLAN_STATUSES,
        editableStatuses: EDITABLE_STATUSES,
        operatingModels: OPERATING_MODELS,
        today: londonDate(ctx.now()),
      };
    },
  );

  app.get(
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
    },
    async (request) => {
      const actor = readable(request.actor);
      const { region } = request.query as { region?: string };
      const state = await ctx.rollout();
      const today = londonDate(ctx.now());
      return state.areas
        .filter((a) => !region || a.regionCode === region.toUpperCase())
        .map((a) => row(state, actor, a.code, today));
    },
  );

  app.get(
    '/api/rollout/plans/:area',
    {
      schema: {
        tags: ['rollout'],
        summary: "One area's plan, with its ETag",
        params: AreaParams,
        response: { 200: PlanSchema },
      },
    },
    async (request, reply) => {
      readable(request.actor);
      const { area } = request.params as { area: string };
      const code = areaWithRegion(await ctx.geography(), area).area.code;
      const plan = await findPlan(ctx.store.db, code);
      if (!plan) throw notFound(`Area ${code} has no rollout plan yet.`);
      return sendPlan(reply, plan);
    },
  );

  app.put(
    '/api/rollout/plans/:area',
    {
      schema: {
        tags: ['rollout'],
        summary: "Create or replace an area's plan (If-Match with the ETag to replace); returns to draft",
        params: AreaParams,
        body: PlanBody,
        response: { 200: PlanSchema, 201: PlanSchema },
      },
    },
    async (request, reply) => {
      const actor = readable(request.actor);
      const { area } = request.params as { area: string };
      const body = request.body as Static<typeof PlanBody>;
      const draft: PlanDraft = { ...body, note: body.note ?? '' };
      let created = false;
      const plan = await change(
        actor,
        area,
        request.id,
        request.headers['if-match'],
        'created',
        (existing, state) => {
          created = existing === undefined;
          const next = editPlan(areaWithRegionCode(area), existing, draft, state.providers);
          return { plan: next, reason: created ? 'plan created' : 'plan edited' };
        },
        (_state, regionCode) => canEditPlan(actor, regionCode),
      );
      if (!plan) throw notFound('The plan was removed.');
      return sendPlan(reply, plan, created ? 201 : 200);
    },
  );

  app.delete(
    '/api/rollout/plans/:area',
    {
      schema: { tags: ['rollout'], summary: "Delete an area's plan (If-Match required)", params: AreaParams },
    },
    async (request, reply) => {
      const actor = readable(request.actor);
      const { area } = request.params as { area: string };
      await change(
        actor,
        area,
        request.id,
        request.headers['if-match'],
        'deleted',
        () => ({ plan: null, reason: 'plan deleted' }),
        (_state, regionCode) => canEditPlan(actor, regionCode),
      );
      return reply.code(204).send();
    },
  );

  const action = (
    name: 'submit' | 'approve' | 'withdraw',
    kind: PlanEventKind,
    summary: string,
    apply: (plan: RolloutPlan, actor: Actor, reason: string) => RolloutPlan,
    allowed: (actor: Actor, state: RolloutState, area: string, regionCode: string) => boolean,
  ) =>
    app.post(
      `/api/rollout/plans/:area/${name}`,
      {
        schema: {
          tags: ['rollout'],
          summary,
          params: AreaParams,
          response: { 200: PlanSchema },
        },
      },
      async (request, reply) => {
        const actor = readable(request.actor);
        const { area } = request.params as { area: string };
        const reason = actionReason(request.body) ?? name;
        const code = areaWithRegionCode(area);
        const plan = await change(
          actor,
          area,
          request.id,
          request.headers['if-match'],
          kind,
          (existing) => {
            if (!existing) throw notFound(`Area ${code} has no rollout plan yet.`);
            return { plan: apply(existing, actor, reason), reason };
          },
          (state, regionCode) => allowed(actor, state, code, regionCode),
        );
        if (!plan) throw notFound('The plan was removed.');
        return sendPlan(reply, plan);
      },
    );

  action(
    'submit',
    'submitted',
    'The SHA submits a plan (both dates needed) for CCG approval',
    (plan, actor) => submitPlan(plan, actor.username, ctx.now()),
    (actor, _state, _area, regionCode) => canEditPlan(actor, regionCode),
  );
  action(
    'approve',
    'approved',
    'A CCG covering the area approves a submitted plan; with both dates it is then confirmed',
    (plan, actor) => approvePlan(plan, actor.username, actor.organisationCode, ctx.now()),
    (actor, state, area) => canApprovePlan(actor, state.ccgs.get(area) ?? []),
  );
  action(
    'withdraw',
    'withdrawn',
    "Withdraw an area's own plan (a default opt-in stands)",
    (plan) => withdrawPlan(plan),
    (actor, _state, _area, regionCode) => canEditPlan(actor, regionCode),
  );

  function areaWithRegionCode(area: string): string {
    return area.toUpperCase();
  }

  app.get(
    '/api/rollout/plans/:area/history',
    {
      schema: {
        tags: ['rollout'],
        summary: "An area's plan history: every change, by whom, when and why",
        params: AreaParams,
      },
    },
    async (request) => {
      readable(request.actor);
      const { area } = request.params as { area: string };
      const code = areaWithRegion(await ctx.geography(), area).area.code;
      return planHistory(ctx.store.db, code);
    },
  );

  app.post(
    '/api/rollout/deadline/apply',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'Apply the submission deadline: opt every area without a confirmed plan in to the default (idempotent)',
        response: {
          200: Type.Object({
            deadline: Type.String(),
            optedIn: Type.Array(Type.Object({ areaCode: Type.String(), reason: Type.String() })),
          }),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request.actor);
      if (!isNational(actor))
        throw forbidden('Only a national role (the Department of Health) applies the submission deadline.');
      const state = await ctx.rollout();
      const now = ctx.now();
      const changes = await applyDeadlineInStore(ctx.store.db, state, { actor, requestId: request.id }, now);
      const optedIn = changes.map((c) => ({ areaCode: c.areaCode, reason: c.reason }));
      ctx.refreshRollout();
      return { deadline: state.calendar.submissionDeadline, optedIn };
    },
  );

  app.get(
    '/api/rollout/coverage',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'Areas and population covered by 111 on a date, per SHA and nationally, with each area’s state',
        querystring: DateQuery,
        response: { 200: CoverageSchema },
      },
    },
    async (request) => {
      readable(request.actor);
      const { at } = request.query as { at?: string };
      const state = await ctx.rollout();
      return coverageOn(state.table, state.plans, parseDay(at, ctx.now()));
    },
  );

  app.get(
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
    },
    async (request) => {
      readable(request.actor);
      const q = request.query as { from?: string; to?: string };
      const state = await ctx.rollout();
      const from = q.from ?? '2010-08-01';
      const to = q.to ?? state.calendar.nationalCoverageDate;
      if (!isIsoDate(from) || !isIsoDate(to) || from > to)
        throw invalid('"from" and "to" must be calendar dates with from ≤ to.');
      if (Number(to.slice(0, 4)) - Number(from.slice(0, 4)) > 20) throw invalid('Ask for at most 20 years.');
      const atNational = coverageOn(state.table, state.plans, state.calendar.nationalCoverageDate);
      return {
        nationalCoverageDate: state.calendar.nationalCoverageDate,
        series: coverageSeries(state.table, state.plans, from, to),
        goLives: goLiveTimeline(state.table),
        notCoveredAtNationalDate: {
          areas: atNational.areas
            .filter((a) => !a.covered)
            .map((a) => ({ code: a.areaCode, name: a.areaName, population: a.population })),
          population: atNational.national.population - atNational.national.populationCovered,
        },
      };
    },
  );

  app.get(
    '/api/rollout/export.csv',
    { schema: { tags: ['rollout'], summary: 'Every area and its plan as CSV' } },
    async (request, reply) => {
      readable(request.actor);
      const state = await ctx.rollout();
      const header = [
        'area_code',
        'area_name',
        'region_code',
        'population_2011',
        'status',
        'operating_model',
        'providers',
        'procurement_date',
        'go_live_date',
        'stage',
        'confirmed',
        'ccg_approved_by',
        'ccg_approved_at',
        'default_opt_in_at',
        'default_go_live',
        'version',
      ];
      const lines = [header.join(',')];
      for (const a of state.areas) {
        const p = state.plans.get(a.code);
        lines.push(
          [
            a.code,
            a.name,
            a.regionCode,
            a.population,
            p?.status ?? 'no_plan',
            p?.operatingModel ?? null,
            p ? p.providerCodes.join(';') : null,
            p?.procurementDate ?? null,
            p?.goLiveDate ?? null,
            p?.stage ?? null,
            isConfirmed(p) ? 'yes' : 'no',
            p?.ccgApproval?.ccgCode ?? null,
            p?.ccgApproval?.at ?? null,
            p?.defaultOptIn?.at ?? null,
            p?.defaultOptIn?.goLiveDate ?? null,
            p?.version ?? null,
          ]
            .map(csvCell)
            .join(','),
        );
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="rollout-plans.csv"')
        .send(`${lines.join('\r\n')}\r\n`);
    },
  );

  app.get(
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
    },
    async (request) => {
      requireActor(request.actor);
      const q = request.query as { postcode?: string; area?: string; at?: string };
      if ((q.postcode === undefined) === (q.area === undefined))
        throw invalid('Give either "postcode" or "area" (not both).');
      const at = parseInstant(q.at, ctx.now());
      const geo = await ctx.geography();
      let areaCode: string;
      let query: string;
      if (q.postcode !== undefined) {
        const parsed = parsePostcode(q.postcode);
        const exact =
          parsed.kind === 'postcode' ? await findPostcode(ctx.store.db, parsed.postcode) : undefined;
        const location = resolveLocation(geo, parsed, exact, at);
        areaCode = location.area.code;
        query = location.query;
      } else {
        areaCode = areaWithRegion(geo, q.area ?? '').area.code;
        query = areaCode;
      }
      const decision = route((await ctx.rollout()).table, areaCode, at);
      return {
        ...decision,
        partners: [...decision.partners],
        query,
        regionCode: geo.areas.get(areaCode)?.regionCode ?? '',
      };
    },
  );
}
