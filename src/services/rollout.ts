import { decide, inScope, type Permission } from '../domain/auth/index';
import {
  approvePlan as approved,
  type Coverage,
  type CoveragePoint,
  calendarIssues,
  coverageOn,
  coverageSeries,
  EDITABLE_STATUSES,
  editPlan as edited,
  type GoLive,
  goLiveTimeline,
  isConfirmed,
  isIsoDate,
  londonDate,
  OPERATING_MODELS,
  applyDeadline as optInsAtDeadline,
  PLAN_STATUSES,
  type PlanDraft,
  type PlanEvent,
  type PlanEventKind,
  type Provider,
  type RolloutArea,
  type RolloutCalendar,
  type RolloutPlan,
  type RouteDecision,
  submitPlan as submitted,
  withdrawPlan as withdrawn,
} from '../domain/commissioning/index';
import { type FieldProblem, invalid, notFound, preconditionFailed } from '../domain/errors';
import { areaWithRegion } from '../domain/geography/index';
import {
  appendPlanEvent,
  deletePlan as deleteStoredPlan,
  findPlan,
  loadPlans,
  savePlan,
  planHistory as storedPlanHistory,
} from '../store/commissioning';
import type { ServiceContext } from './context';
import { locate } from './locate';
import { authorize, type Caller, inUseCase, listScope } from './use-case';

/**
 * Commissioning the 111 rollout: each area's plan (edited and submitted by its SHA, approved by a CCG
 * covering it), the submission deadline that opts the rest in to the default service, coverage over
 * time, and routing a call to whoever answers 111 where the caller is. Who may do which is the policy's:
 * `plan.read`, `plan.edit` (the area's SHA), `plan.approve` (a CCG covering it), `deadline.apply`
 * (national), `reference.read` (coverage, routing, the calendar).
 */

const PLAN = 'rollout_plan';

/** The calendar, the providers a plan may name, and what this caller may do with the rollout. */
export interface RolloutConfig {
  readonly calendar: RolloutCalendar;
  readonly providers: Provider[];
  readonly statuses: typeof PLAN_STATUSES;
  readonly editableStatuses: typeof EDITABLE_STATUSES;
  readonly operatingModels: typeof OPERATING_MODELS;
  readonly today: string;
  /** Whether the policy lets this caller apply the submission deadline (the national user). */
  readonly canApplyDeadline: boolean;
}

export async function rolloutConfig(ctx: ServiceContext, caller: Caller): Promise<RolloutConfig> {
  await authorize(ctx, caller, 'reference.read', {}, { type: 'rollout_config' });
  const [state, tree] = await Promise.all([ctx.rollout(), ctx.organisations()]);
  return {
    calendar: state.calendar,
    providers: [...state.providers.values()].sort((a, b) => a.name.localeCompare(b.name)),
    statuses: PLAN_STATUSES,
    editableStatuses: EDITABLE_STATUSES,
    operatingModels: OPERATING_MODELS,
    today: londonDate(ctx.now()),
    canApplyDeadline: decide(caller.actor, 'deadline.apply', {}, tree).allowed,
  };
}

/** One area as the rollout screen lists it: its plan, what is wrong with it, and what the caller may do. */
export interface AreaPlan {
  readonly area: Pick<RolloutArea, 'code' | 'name' | 'regionCode' | 'population'>;
  readonly plan: RolloutPlan | null;
  readonly issues: FieldProblem[];
  /** The policy's answer for `plan.edit` on this area (also submit, withdraw, delete). */
  readonly canEdit: boolean;
  /** The policy's answer for `plan.approve` on this area. */
  readonly canApprove: boolean;
}

/** Every area the caller may read (or one SHA's), with its plan and issues against the calendar. */
export async function listPlans(
  ctx: ServiceContext,
  caller: Caller,
  regionCode?: string,
): Promise<AreaPlan[]> {
  const scope = await listScope(ctx, caller, 'plan.read', { type: PLAN });
  const [state, tree] = await Promise.all([ctx.rollout(), ctx.organisations()]);
  const today = londonDate(ctx.now());
  const may = (permission: Permission, areaCode: string) =>
    decide(caller.actor, permission, { areaCode }, tree).allowed;
  return state.areas
    .filter((a) => !regionCode || a.regionCode === regionCode.toUpperCase())
    .filter((a) => inScope(scope, { areaCode: a.code }))
    .map((a) => {
      const plan = state.plans.get(a.code);
      return {
        area: { code: a.code, name: a.name, regionCode: a.regionCode, population: a.population },
        plan: plan ?? null,
        issues: calendarIssues(plan, state.calendar, today),
        canEdit: may('plan.edit', a.code),
        canApprove: may('plan.approve', a.code),
      };
    });
}

/** The commissioning area a request names: 404 for a code that is no PCT. */
async function areaCodeOf(ctx: ServiceContext, area: string): Promise<string> {
  return areaWithRegion(await ctx.geography(), area).area.code;
}

/** One area's plan as it stands; 404 when the area has none. */
export async function readPlan(ctx: ServiceContext, caller: Caller, area: string): Promise<RolloutPlan> {
  const code = await areaCodeOf(ctx, area);
  await authorize(ctx, caller, 'plan.read', { areaCode: code }, { type: PLAN, id: code });
  const plan = await findPlan(ctx.store.db, code);
  if (!plan) throw notFound(`Area ${code} has no rollout plan yet.`);
  return plan;
}

/** Every change to an area's plan: by whom, when and why. */
export async function planHistory(ctx: ServiceContext, caller: Caller, area: string): Promise<PlanEvent[]> {
  const code = await areaCodeOf(ctx, area);
  await authorize(ctx, caller, 'plan.read', { areaCode: code }, { type: PLAN, id: code });
  return storedPlanHistory(ctx.store.db, code);
}

/** A plan's ETag: its version. */
export const etagOf = (plan: RolloutPlan): string => `"${plan.version}"`;

/**
 * The version the caller last read (its If-Match), which must still be the plan's: a change made
 * meanwhile is never silently overwritten.
 */
function expectedVersion(ifMatch: string | undefined, plan: RolloutPlan): number {
  if (ifMatch === undefined) {
    throw preconditionFailed(
      `The plan for ${plan.areaCode} exists: send If-Match with its ETag (${etagOf(plan)}) so a change made meanwhile is not overwritten.`,
    );
  }
  const m = /^(?:W\/)?"(\d+)"$/.exec(ifMatch.trim());
  if (!m || Number(m[1]) !== plan.version) {
    throw preconditionFailed(
      `The plan for ${plan.areaCode} has changed since you read it (now ${etagOf(plan)}, you sent ${ifMatch}): reload it and try again.`,
    );
  }
  return plan.version;
}

interface PlanChange {
  readonly area: string;
  /** The If-Match the caller sent: required to change a plan that exists. */
  readonly ifMatch: string | undefined;
  readonly permission: 'plan.edit' | 'plan.approve';
  readonly kind: PlanEventKind;
  /** The plan after the change (null: deleted), and the reason recorded with it. */
  readonly apply: (
    existing: RolloutPlan | undefined,
    now: Date,
    areaCode: string,
  ) => { plan: RolloutPlan | null; reason: string };
}

/**
 * One change to a plan in one transaction: ask the policy → lock the plan → check the ETag → apply the
 * domain rule → save → record the event → audit. The routing table is rebuilt after it commits.
 */
async function changePlan(
  ctx: ServiceContext,
  caller: Caller,
  change: PlanChange,
): Promise<{ plan: RolloutPlan | null; created: boolean }> {
  const code = await areaCodeOf(ctx, change.area);
  const { actor } = caller;
  const result = await inUseCase(ctx, caller, async (u) => {
    await u.allow(change.permission, { areaCode: code }, { type: PLAN, id: code });
    const existing = await findPlan(u.tx, code, true);
    if (!existing && change.kind !== 'created') throw notFound(`Area ${code} has no rollout plan yet.`);
    const expected = existing ? expectedVersion(change.ifMatch, existing) : null;
    const { plan, reason } = change.apply(existing, u.now, code);
    const saved =
      plan === null
        ? await deleteStoredPlan(u.tx, code, expected ?? 0)
        : await savePlan(u.tx, plan, expected, actor.username);
    if (!saved) throw preconditionFailed(`The plan for ${code} changed meanwhile: reload it and try again.`);
    const kind: PlanEventKind = change.kind === 'created' && existing ? 'updated' : change.kind;
    await appendPlanEvent(u.tx, { areaCode: code, kind, at: u.now, by: actor.username, reason }, plan);
    await u.audit(
      plan === null ? 'delete' : existing ? 'update' : 'create',
      { type: PLAN, id: code },
      { event: kind, version: plan?.version ?? null, reason },
    );
    return { plan, created: existing === undefined };
  });
  ctx.refreshRollout();
  return result;
}

function changed(result: { plan: RolloutPlan | null }): RolloutPlan {
  if (!result.plan) throw notFound('The plan was removed.');
  return result.plan;
}

/** The SHA writes an area's plan (new, or replacing the one it read); it goes back to draft. */
export async function editPlan(
  ctx: ServiceContext,
  caller: Caller,
  area: string,
  draft: PlanDraft,
  ifMatch: string | undefined,
): Promise<{ plan: RolloutPlan; created: boolean }> {
  const { providers } = await ctx.rollout();
  const result = await changePlan(ctx, caller, {
    area,
    ifMatch,
    permission: 'plan.edit',
    kind: 'created',
    apply: (existing, _now, code) => ({
      plan: edited(code, existing, draft, providers),
      reason: existing ? 'plan edited' : 'plan created',
    }),
  });
  return { plan: changed(result), created: result.created };
}

/** The SHA deletes an area's plan. */
export async function deletePlan(
  ctx: ServiceContext,
  caller: Caller,
  area: string,
  ifMatch: string | undefined,
): Promise<void> {
  await changePlan(ctx, caller, {
    area,
    ifMatch,
    permission: 'plan.edit',
    kind: 'deleted',
    apply: () => ({ plan: null, reason: 'plan deleted' }),
  });
}

/** Applies a step of the plan's approval to an existing plan. */
async function planStep(
  ctx: ServiceContext,
  caller: Caller,
  area: string,
  ifMatch: string | undefined,
  step: {
    permission: PlanChange['permission'];
    kind: PlanEventKind;
    reason: string;
    apply: (plan: RolloutPlan, now: Date) => RolloutPlan;
  },
): Promise<RolloutPlan> {
  const result = await changePlan(ctx, caller, {
    area,
    ifMatch,
    permission: step.permission,
    kind: step.kind,
    apply: (existing, now, code) => {
      if (!existing) throw notFound(`Area ${code} has no rollout plan yet.`);
      return { plan: step.apply(existing, now), reason: step.reason };
    },
  });
  return changed(result);
}

/** The SHA submits a plan (both dates needed) for a CCG's approval. */
export function submitPlan(
  ctx: ServiceContext,
  caller: Caller,
  area: string,
  ifMatch: string | undefined,
  reason = 'submit',
): Promise<RolloutPlan> {
  return planStep(ctx, caller, area, ifMatch, {
    permission: 'plan.edit',
    kind: 'submitted',
    reason,
    apply: (plan, now) => submitted(plan, caller.actor.username, now),
  });
}

/** A CCG covering the area approves its submitted plan; with both dates the plan is then confirmed. */
export function approvePlan(
  ctx: ServiceContext,
  caller: Caller,
  area: string,
  ifMatch: string | undefined,
  reason = 'approve',
): Promise<RolloutPlan> {
  return planStep(ctx, caller, area, ifMatch, {
    permission: 'plan.approve',
    kind: 'approved',
    reason,
    apply: (plan, now) => approved(plan, caller.actor.username, caller.actor.organisationCode, now),
  });
}

/** The SHA withdraws an area's own plan (a default opt-in stands). */
export function withdrawPlan(
  ctx: ServiceContext,
  caller: Caller,
  area: string,
  ifMatch: string | undefined,
  reason = 'withdraw',
): Promise<RolloutPlan> {
  return planStep(ctx, caller, area, ifMatch, {
    permission: 'plan.edit',
    kind: 'withdrawn',
    reason,
    apply: (plan) => withdrawn(plan),
  });
}

export interface DeadlineApplied {
  readonly deadline: string;
  readonly defaultGoLiveDate: string;
  /** The areas opted in now (none when the deadline was applied before: it is idempotent). */
  readonly optedIn: { readonly areaCode: string; readonly areaName: string; readonly reason: string }[];
}

/**
 * Applies the submission deadline: every area without a confirmed plan is opted in to the default
 * service, each with its reason. The plans are read locked, so two applications cannot both opt an area
 * in; refused before the deadline has passed.
 */
export async function applyDeadline(ctx: ServiceContext, caller: Caller): Promise<DeadlineApplied> {
  const state = await ctx.rollout();
  const { calendar } = state;
  const by = caller.actor.username;
  const changes = await inUseCase(ctx, caller, async (u) => {
    await u.allow('deadline.apply', {}, { type: 'rollout_deadline', id: calendar.submissionDeadline });
    const current = await loadPlans(u.tx, true);
    const optIns = optInsAtDeadline(state.areas, current, calendar, londonDate(u.now));
    for (const c of optIns) {
      const before = current.get(c.areaCode);
      if (!(await savePlan(u.tx, c.plan, before ? before.version : null, by)))
        throw preconditionFailed(`The plan for ${c.areaCode} changed meanwhile: apply the deadline again.`);
      await appendPlanEvent(
        u.tx,
        { areaCode: c.areaCode, kind: 'opted_in_default', at: u.now, by, reason: c.reason },
        c.plan,
      );
    }
    await u.audit(
      'update',
      { type: 'rollout_deadline', id: calendar.submissionDeadline },
      { optedIn: optIns.map((c) => c.areaCode) },
    );
    return optIns;
  });
  ctx.refreshRollout();
  return {
    deadline: calendar.submissionDeadline,
    defaultGoLiveDate: calendar.defaultGoLiveDate,
    optedIn: changes.map((c) => ({
      areaCode: c.areaCode,
      areaName: state.table.areas.get(c.areaCode)?.area.name ?? c.areaCode,
      reason: c.reason,
    })),
  };
}

/** Areas and population covered by 111 on a date (default: today in England), per SHA and nationally. */
export async function coverage(ctx: ServiceContext, caller: Caller, date?: string): Promise<Coverage> {
  await authorize(ctx, caller, 'reference.read', {}, { type: 'rollout_coverage' });
  const state = await ctx.rollout();
  return coverageOn(state.table, state.plans, date ?? londonDate(ctx.now()));
}

export interface CoverageTimeline {
  readonly nationalCoverageDate: string;
  readonly series: CoveragePoint[];
  readonly goLives: GoLive[];
  readonly notCoveredAtNationalDate: {
    readonly areas: { readonly code: string; readonly name: string; readonly population: number }[];
    readonly population: number;
  };
}

/** Coverage month by month (by default to the national date), the go-lives, and the gaps on that date. */
export async function coverageTimeline(
  ctx: ServiceContext,
  caller: Caller,
  range: { from?: string; to?: string },
): Promise<CoverageTimeline> {
  await authorize(ctx, caller, 'reference.read', {}, { type: 'rollout_coverage' });
  const state = await ctx.rollout();
  const from = range.from ?? '2010-08-01';
  const to = range.to ?? state.calendar.nationalCoverageDate;
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
}

/** A CSV cell: quoted when needed, and a leading = + - @ defused so a spreadsheet runs no formula. */
function csvCell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s)
    ? `"${s.replace(/^([=+\-@])/, "'$1").replaceAll('"', '""')}"`
    : s;
}

const CSV_HEADER = [
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

/** Every area the caller may read and its plan, as CSV (RFC 4180 line ends). */
export async function exportPlansCsv(ctx: ServiceContext, caller: Caller): Promise<string> {
  const scope = await listScope(ctx, caller, 'plan.read', { type: PLAN });
  const state = await ctx.rollout();
  const lines = [CSV_HEADER.join(',')];
  for (const a of state.areas) {
    if (!inScope(scope, { areaCode: a.code })) continue;
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
  return `${lines.join('\r\n')}\r\n`;
}

/** Where a call comes from: a postcode the caller gave, or a commissioning area. */
export type CallOrigin = { readonly postcode: string } | { readonly area: string };

export interface RoutedCall extends RouteDecision {
  /** The postcode or area as open111 understood it. */
  readonly query: string;
  readonly regionCode: string;
}

/** Who answers a 111 call from there at the instant (default: now), and why. */
export async function routeCall(
  ctx: ServiceContext,
  caller: Caller,
  origin: CallOrigin,
  at?: Date,
): Promise<RoutedCall> {
  await authorize(ctx, caller, 'reference.read', {}, { type: 'routing' });
  const instant = at ?? ctx.now();
  let areaCode: string;
  let query: string;
  if ('postcode' in origin) {
    const location = await locate(ctx, origin.postcode, instant);
    areaCode = location.area.code;
    query = location.query;
  } else {
    areaCode = await areaCodeOf(ctx, origin.area);
    query = areaCode;
  }
  const [decision, geo] = await Promise.all([ctx.route(areaCode, instant), ctx.geography()]);
  return { ...decision, query, regionCode: geo.areas.get(areaCode)?.regionCode ?? '' };
}
