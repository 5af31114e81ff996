import type { DispositionGroup } from '../dispositions/index';
/**
 * The clinical side of the national measures: what happened after the call was answered — passed to
 * a clinician (warm transfer, or a call-back and how soon it came), validated, and where the caller was
 * sent, by the five groups the IUC ADC reports dispositions in. Counted one call at a time, like
 * KpiTally, so recorded cases and the simulator use the same code.
 */

/** The IUC ADC disposition groups, in the order the return lists them. */
export const OUTCOME_GROUPS = [
  'ambulance',
  'emergency_department',
  'primary_care',
  'other',
  'self_care',
] as const;
export type OutcomeGroup = (typeof OUTCOME_GROUPS)[number];

/** Group indexes, for the simulator's typed arrays. */
export const OUTCOME = {
  ambulance: 0,
  emergency_department: 1,
  primary_care: 2,
  other: 3,
  self_care: 4,
} as const;

/** The national call-back standard: a clinician calls back within 10 minutes. */
export const CALL_BACK_TARGET_SECONDS = 600;

export interface OutcomeKpis {
  /** Calls that reached a disposition (triaged). */
  readonly triaged: number;
  /** Calls passed to a clinician for assessment (warm transfer or call-back). */
  readonly passedToClinician: number;
  readonly passedToClinicianPercent: number | null;
  /** Warm transfers: a clinician was free and took the call there and then. */
  readonly warmTransfers: number;
  /** Call-backs queued, and made. */
  readonly callBacks: number;
  readonly callBacksMade: number;
  /** Call-backs made within 10 minutes of the call, as a share of call-backs made. */
  readonly callBacksWithin10MinPercent: number | null;
  /** Call-backs made by the time they were due, as a share of call-backs made. */
  readonly callBacksByDuePercent: number | null;
  readonly meanCallBackWaitSeconds: number | null;
  /** Ambulance category 3/4 and A&E dispositions validated by a clinician before they stand. */
  readonly validations: number;
  /** Dispositions by group, counts and shares of triaged calls. */
  readonly outcomes: Readonly<Record<OutcomeGroup, number>>;
  readonly outcomePercent: Readonly<Record<OutcomeGroup, number | null>>;
}

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : (100 * part) / whole);

export class OutcomeTally {
  triaged = 0;
  passedToClinician = 0;
  warmTransfers = 0;
  callBacks = 0;
  callBacksMade = 0;
  callBacksWithin10Min = 0;
  callBacksByDue = 0;
  callBackWaitSum = 0;
  validations = 0;
  readonly outcomes = new Float64Array(OUTCOME_GROUPS.length);

  disposition(group: number): void {
    this.triaged++;
    this.outcomes[group] = (this.outcomes[group] ?? 0) + 1;
  }

  /** A call-back made `waitSeconds` after the call, `lateSeconds` after it was due (≤ 0 on time). */
  callBackMade(waitSeconds: number, lateSeconds: number): void {
    this.callBacksMade++;
    this.callBackWaitSum += waitSeconds;
    if (waitSeconds <= CALL_BACK_TARGET_SECONDS) this.callBacksWithin10Min++;
    if (lateSeconds <= 0) this.callBacksByDue++;
  }

  add(o: OutcomeTally): void {
    this.triaged += o.triaged;
    this.passedToClinician += o.passedToClinician;
    this.warmTransfers += o.warmTransfers;
    this.callBacks += o.callBacks;
    this.callBacksMade += o.callBacksMade;
    this.callBacksWithin10Min += o.callBacksWithin10Min;
    this.callBacksByDue += o.callBacksByDue;
    this.callBackWaitSum += o.callBackWaitSum;
    this.validations += o.validations;
    for (let i = 0; i < this.outcomes.length; i++)
      this.outcomes[i] = (this.outcomes[i] ?? 0) + (o.outcomes[i] ?? 0);
  }

  kpis(): OutcomeKpis {
    const count = (g: OutcomeGroup) => this.outcomes[OUTCOME[g]] ?? 0;
    const share = (g: OutcomeGroup) => percent(count(g), this.triaged);
    const outcomes = {
      ambulance: count('ambulance'),
      emergency_department: count('emergency_department'),
      primary_care: count('primary_care'),
      other: count('other'),
      self_care: count('self_care'),
    };
    const outcomePercent = {
      ambulance: share('ambulance'),
      emergency_department: share('emergency_department'),
      primary_care: share('primary_care'),
      other: share('other'),
      self_care: share('self_care'),
    };
    return {
      triaged: this.triaged,
      passedToClinician: this.passedToClinician,
      passedToClinicianPercent: percent(this.passedToClinician, this.triaged),
      warmTransfers: this.warmTransfers,
      callBacks: this.callBacks,
      callBacksMade: this.callBacksMade,
      callBacksWithin10MinPercent: percent(this.callBacksWithin10Min, this.callBacksMade),
      callBacksByDuePercent: percent(this.callBacksByDue, this.callBacksMade),
      meanCallBackWaitSeconds: this.callBacksMade === 0 ? null : this.callBackWaitSum / this.callBacksMade,
      validations: this.validations,
      outcomes,
      outcomePercent,
    };
  }
}

/**
 * The return's group for a disposition's group: the directory's nine groups folded into the five the
 * IUC ADC reports (primary care takes dental, pharmacy and community services; "other" takes urgent
 * treatment centres and a clinician's advice that closed the call).
 */
export function returnGroup(group: DispositionGroup): OutcomeGroup {
  switch (group) {
    case 'ambulance':
      return 'ambulance';
    case 'emergency_department':
      return 'emergency_department';
    case 'primary_care':
    case 'dental':
    case 'prescription':
    case 'community':
      return 'primary_care';
    case 'urgent_treatment':
    case 'clinical':
      return 'other';
    case 'self_care':
      return 'self_care';
  }
}
