import { conflict } from '../errors';
import { isConfirmed, missingForConfirmation } from './rules';
import type { DefaultOptIn, RolloutArea, RolloutCalendar, RolloutPlan } from './types';

export interface OptIn {
  readonly areaCode: string;
  readonly plan: RolloutPlan;
  readonly reason: string;
}

/** The default provider for an area: NHS Direct with the area's ambulance trust and out-of-hours provider. */
export function defaultProvidersFor(area: RolloutArea, calendar: RolloutCalendar): string[] {
  return [calendar.defaultProviderCode, area.ambulanceTrustCode, area.outOfHoursProviderCode];
}

/**
 * Applies the submission deadline: every area without a confirmed plan (and not already opted in)
 * is opted in to the default provider, with the reason recorded. Returns only the changes, so a
 * second application finds nothing to do. Refused before the deadline has passed.
 */
export function applyDeadline(
  areas: readonly RolloutArea[],
  plans: ReadonlyMap<string, RolloutPlan>,
  calendar: RolloutCalendar,
  today: string,
): OptIn[] {
  if (today < calendar.submissionDeadline) {
    throw conflict(
      `The submission deadline is ${calendar.submissionDeadline}; it cannot be applied on ${today}, before it has passed.`,
    );
  }
  const changes: OptIn[] = [];
  for (const area of areas) {
    const plan = plans.get(area.code);
    if (isConfirmed(plan) || plan?.defaultOptIn) continue;
    const reason = `No confirmed plan by the submission deadline ${calendar.submissionDeadline} (missing ${missingForConfirmation(plan).join(', ')}): opted in to the default service, NHS Direct in partnership with the ambulance trust and the out-of-hours provider, from ${calendar.defaultGoLiveDate} until the area's own plan goes live.`;
    const defaultOptIn: DefaultOptIn = {
      at: calendar.submissionDeadline,
      goLiveDate: calendar.defaultGoLiveDate,
      providerCodes: defaultProvidersFor(area, calendar),
      reason,
    };
    const next: RolloutPlan = plan
      ? { ...plan, status: 'opted_in_default', defaultOptIn, version: plan.version + 1 }
      : {
          areaCode: area.code,
          status: 'opted_in_default',
          operatingModel: 'default_nhs_direct_partnership',
          providerCodes: defaultOptIn.providerCodes,
          procurementDate: calendar.submissionDeadline,
          goLiveDate: calendar.defaultGoLiveDate,
          note: '',
          stage: 'draft',
          submittedAt: null,
          submittedBy: null,
          ccgApproval: null,
          defaultOptIn,
          version: 1,
        };
    changes.push({ areaCode: area.code, plan: next, reason });
  }
  return changes;
}
