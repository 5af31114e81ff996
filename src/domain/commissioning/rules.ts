import type { FieldProblem } from '../errors';
import { isIsoDate, sixMonthsBefore } from './dates';
import type { Capability, IsoDate, PlanDraft, Provider, RolloutCalendar, RolloutPlan } from './types';

/** The rules a plan is checked against, each named so a broken one can be shown by name. */
export const RULES = {
  procurementSixMonths: 'procurement-six-months-before-go-live',
  providersDispatchAmbulance: 'providers-can-dispatch-ambulance',
  providersHandleCalls: 'lead-provider-handles-calls',
  knownProviders: 'providers-known',
  operatingModel: 'operating-model-matches-providers',
  liveNeedsGoLive: 'live-plan-needs-go-live-date',
  validDates: 'dates-are-calendar-dates',
  submissionNeedsDates: 'submission-needs-both-dates',
  confirmedByDeadline: 'confirmed-by-submission-deadline',
  coveredByNationalDate: 'live-by-national-coverage-date',
} as const;

/** The latest procurement date a go-live date allows: six calendar months before it. */
export const latestProcurementDate = sixMonthsBefore;

/** Procurement (all arrangements in place) must be on or before go-live − 6 calendar months. */
export function procurementInTime(procurementDate: string, goLiveDate: string): boolean {
  return procurementDate <= latestProcurementDate(goLiveDate);
}

/** The capabilities a set of providers brings together. */
export function capabilitiesOf(providers: readonly Provider[]): Set<Capability> {
  return new Set(providers.flatMap((p) => p.capabilities));
}

/**
 * Every rule a plan's own content breaks, with the field it concerns. An empty list means the plan
 * may be saved. Pure: the provider catalogue is passed in.
 */
export function planProblems(draft: PlanDraft, providers: ReadonlyMap<string, Provider>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const datesOk: boolean[] = [];
  for (const field of ['procurementDate', 'goLiveDate'] as const) {
    const value = draft[field];
    const ok = value === null || isIsoDate(value);
    datesOk.push(ok);
    if (!ok) {
      problems.push({
        pointer: `/${field}`,
        message: `${field} must be a calendar date written YYYY-MM-DD, not "${value}".`,
        rule: RULES.validDates,
      });
    }
  }
  const { procurementDate, goLiveDate } = draft;
  if (datesOk.every(Boolean) && procurementDate !== null && goLiveDate !== null) {
    if (!procurementInTime(procurementDate, goLiveDate)) {
      problems.push({
        pointer: '/procurementDate',
        message: `Procurement must be complete six months before go-live: for go-live on ${goLiveDate} the procurement date must be on or before ${latestProcurementDate(goLiveDate)}, not ${procurementDate}.`,
        rule: RULES.procurementSixMonths,
      });
    }
  }
  if ((draft.status === 'live' || draft.status === 'pilot_live') && goLiveDate === null) {
    problems.push({
      pointer: '/goLiveDate',
      message: `A plan with status ${draft.status} needs the date it went live.`,
      rule: RULES.liveNeedsGoLive,
    });
  }

  const unknown = draft.providerCodes.filter((c) => !providers.has(c));
  if (unknown.length > 0 || draft.providerCodes.length === 0) {
    problems.push({
      pointer: '/providerCodes',
      message:
        unknown.length > 0
          ? `Unknown provider code(s): ${unknown.join(', ')}.`
          : 'Name at least one provider; the first answers the calls.',
      rule: RULES.knownProviders,
    });
    return problems;
  }
  if (new Set(draft.providerCodes).size !== draft.providerCodes.length) {
    problems.push({
      pointer: '/providerCodes',
      message: 'A provider is named twice.',
      rule: RULES.knownProviders,
    });
  }
  const chosen = draft.providerCodes.flatMap((c) => providers.get(c) ?? []);
  const lead = chosen[0];
  if (lead && !lead.capabilities.includes('call_handling')) {
    problems.push({
      pointer: '/providerCodes/0',
      message: `The first provider answers the calls, and ${lead.name} does not handle calls.`,
      rule: RULES.providersHandleCalls,
    });
  }
  if (!capabilitiesOf(chosen).has('ambulance_dispatch')) {
    problems.push({
      pointer: '/providerCodes',
      message:
        'The national specification requires the ability to dispatch an ambulance: add a provider that can (e.g. the ambulance trust).',
      rule: RULES.providersDispatchAmbulance,
    });
  }
  const n = draft.providerCodes.length;
  const modelOk =
    draft.operatingModel === 'single_provider'
      ? n === 1
      : draft.operatingModel === 'partnership'
        ? n >= 2
        : n >= 2 && lead?.kind === 'nhs_direct';
  if (!modelOk) {
    problems.push({
      pointer: '/operatingModel',
      message:
        draft.operatingModel === 'single_provider'
          ? 'A single-provider model names exactly one provider.'
          : draft.operatingModel === 'partnership'
            ? 'A partnership names at least two providers.'
            : 'The default model is NHS Direct (first) in partnership with the ambulance trust and out-of-hours provider.',
      rule: RULES.operatingModel,
    });
  }
  return problems;
}

/** A plan is confirmed only with both dates and CCG approval, and not withdrawn. */
export function isConfirmed(plan: RolloutPlan | undefined): boolean {
  return (
    plan !== undefined &&
    plan.status !== 'withdrawn' &&
    plan.status !== 'opted_in_default' &&
    plan.procurementDate !== null &&
    plan.goLiveDate !== null &&
    plan.ccgApproval !== null
  );
}

/**
 * The date from which an area's own plan answers calls: a live service or pilot from its go-live
 * date; a planned one only once confirmed. Null when the plan does not (yet) route calls.
 */
export function ownServiceStart(plan: RolloutPlan | undefined): IsoDate | null {
  if (!plan || plan.goLiveDate === null) return null;
  if (plan.status === 'live' || plan.status === 'pilot_live') return plan.goLiveDate;
  return isConfirmed(plan) ? plan.goLiveDate : null;
}

/** What keeps a plan from being confirmed, in words (empty when confirmed). */
export function missingForConfirmation(plan: RolloutPlan | undefined): string[] {
  if (!plan) return ['a plan'];
  if (plan.status === 'withdrawn') return ['a plan (withdrawn)'];
  const missing: string[] = [];
  if (plan.status === 'opted_in_default') missing.push('a plan of its own');
  if (plan.procurementDate === null) missing.push('a procurement date');
  if (plan.goLiveDate === null) missing.push('a go-live date');
  if (plan.ccgApproval === null) missing.push('CCG approval');
  return missing;
}

/** Before submitting, both dates must be set: the deadline asks for confirmed dates. */
export function submissionProblems(plan: RolloutPlan): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (plan.status === 'withdrawn' || plan.status === 'opted_in_default') {
    problems.push({
      pointer: '/status',
      message: `A plan with status ${plan.status} cannot be submitted: edit it into a plan of the area's own first.`,
      rule: RULES.submissionNeedsDates,
    });
  }
  if (plan.procurementDate === null || plan.goLiveDate === null) {
    problems.push({
      pointer: plan.goLiveDate === null ? '/goLiveDate' : '/procurementDate',
      message: 'A plan is submitted with both its procurement date and its go-live date.',
      rule: RULES.submissionNeedsDates,
    });
  }
  return problems;
}

/**
 * Warnings about a plan against the rollout calendar at a given date: not rules that stop a save,
 * but what a national view must show (unconfirmed after the deadline; not live by the national date).
 */
export function calendarIssues(
  plan: RolloutPlan | undefined,
  calendar: RolloutCalendar,
  today: string,
): FieldProblem[] {
  const issues: FieldProblem[] = [];
  if (!isConfirmed(plan) && today >= calendar.submissionDeadline && !plan?.defaultOptIn) {
    issues.push({
      pointer: '/',
      message: `No confirmed plan by the submission deadline ${calendar.submissionDeadline} (missing ${missingForConfirmation(plan).join(', ')}): the area is due to be opted in to the default provider.`,
      rule: RULES.confirmedByDeadline,
    });
  }
  const ownLive = ownServiceStart(plan);
  const defaultLive = plan?.defaultOptIn?.goLiveDate ?? null;
  const firstLive = [ownLive, defaultLive].filter((d): d is string => d !== null).sort()[0];
  if (firstLive === undefined || firstLive > calendar.nationalCoverageDate) {
    issues.push({
      pointer: '/goLiveDate',
      message: firstLive
        ? `Goes live on ${firstLive}, after the national coverage date ${calendar.nationalCoverageDate}.`
        : `No confirmed go-live date: not covered by the national coverage date ${calendar.nationalCoverageDate}.`,
      rule: RULES.coveredByNationalDate,
    });
  }
  return issues;
}
