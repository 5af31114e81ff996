import { type DayType, expectedCallsByHour } from './demand';
import { agentsNeeded } from './erlang';

/** What an area's 111 service must staff, hour by hour, to meet the national targets. */
export interface CapacityAssumptions {
  /** Adviser call handling time, seconds (answer to end, including wrap-up). */
  readonly adviserHandleSeconds: number;
  /** Share of calls passed to a clinician (0–1). */
  readonly clinicianShare: number;
  readonly clinicianHandleSeconds: number;
  /** Clinician target: this share of transfers and call-backs reached… */
  readonly clinicianServiceLevel: number;
  /** …within this many seconds (a call-back within 10 minutes). */
  readonly clinicianWithinSeconds: number;
  /** Share of paid time not on the phones (breaks, training, leave): rosters are grossed up by it. */
  readonly shrinkage: number;
  readonly callsPerPersonYear?: number;
}

export const DEFAULT_ASSUMPTIONS: CapacityAssumptions = {
  adviserHandleSeconds: 600,
  clinicianShare: 0.2,
  clinicianHandleSeconds: 900,
  clinicianServiceLevel: 0.9,
  clinicianWithinSeconds: 600,
  shrinkage: 0.3,
};

export interface HourPlan {
  readonly hour: number;
  readonly calls: number;
  readonly advisers: number;
  readonly clinicians: number;
  readonly adviserServiceLevel: number;
  readonly rosteredAdvisers: number;
  readonly rosteredClinicians: number;
}

/** Advisers (95% answered within 60 s) and clinicians needed in each hour of a day of the given type. */
export function capacityPlan(
  population: number,
  day: DayType,
  a: CapacityAssumptions = DEFAULT_ASSUMPTIONS,
): HourPlan[] {
  if (!(population >= 0)) throw new RangeError('population must be 0 or more');
  return expectedCallsByHour(population, day, a.callsPerPersonYear).map((calls, hour) => {
    const adv = agentsNeeded({
      callsPerHour: calls,
      handleSeconds: a.adviserHandleSeconds,
      serviceLevel: 0.95,
      withinSeconds: 60,
    });
    const clin = agentsNeeded({
      callsPerHour: calls * a.clinicianShare,
      handleSeconds: a.clinicianHandleSeconds,
      serviceLevel: a.clinicianServiceLevel,
      withinSeconds: a.clinicianWithinSeconds,
    });
    return {
      hour,
      calls,
      advisers: adv.agents,
      clinicians: clin.agents,
      adviserServiceLevel: adv.serviceLevel,
      rosteredAdvisers: Math.ceil(adv.agents / (1 - a.shrinkage)),
      rosteredClinicians: Math.ceil(clin.agents / (1 - a.shrinkage)),
    };
  });
}
