/** A calendar date in England (Europe/London), `YYYY-MM-DD`. A go-live date starts at local midnight. */
export type IsoDate = string;

/** What a provider can deliver for 111. The national specification needs all of a plan's providers together to dispatch an ambulance. */
export const CAPABILITIES = ['call_handling', 'clinical_assessment', 'ambulance_dispatch'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const PROVIDER_KINDS = ['nhs_direct', 'ambulance_trust', 'out_of_hours', 'other'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export interface Provider {
  readonly code: string;
  readonly name: string;
  readonly kind: ProviderKind;
  readonly capabilities: readonly Capability[];
  /** True when the organisation or its code is invented for the demo. */
  readonly demo: boolean;
}

export const PLAN_STATUSES = [
  'pilot_live',
  'planned',
  'in_procurement',
  'live',
  'opted_in_default',
  'withdrawn',
] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** Statuses a commissioner may set by editing; the others come from the deadline and from withdrawal. */
export const EDITABLE_STATUSES = ['pilot_live', 'planned', 'in_procurement', 'live'] as const;
export type EditableStatus = (typeof EDITABLE_STATUSES)[number];

export const OPERATING_MODELS = ['single_provider', 'partnership', 'default_nhs_direct_partnership'] as const;
export type OperatingModel = (typeof OPERATING_MODELS)[number];

/** Where a plan is in its approval: edited by the SHA's commissioner, submitted by the SHA, approved by a CCG. */
export const PLAN_STAGES = ['draft', 'submitted', 'approved'] as const;
export type PlanStage = (typeof PLAN_STAGES)[number];

export interface CcgApproval {
  /** Username of the approver. */
  readonly by: string;
  /** The CCG that approved (ODS code). */
  readonly ccgCode: string;
  readonly at: string; // ISO instant
}

/** The default service an area was opted in to at the submission deadline, and why. */
export interface DefaultOptIn {
  /** The deadline at which the area was opted in. */
  readonly at: IsoDate;
  readonly goLiveDate: IsoDate;
  /** NHS Direct first (it answers the calls), then the area's ambulance trust and out-of-hours provider. */
  readonly providerCodes: readonly string[];
  readonly reason: string;
}

/** What a commissioner writes: the plan's own content. */
export interface PlanDraft {
  readonly status: EditableStatus;
  readonly operatingModel: OperatingModel;
  /** The first provider answers 111 calls; the others are its partners. */
  readonly providerCodes: readonly string[];
  readonly procurementDate: IsoDate | null;
  readonly goLiveDate: IsoDate | null;
  readonly note: string;
}

/** An area's rollout plan as it stands. */
export interface RolloutPlan {
  readonly areaCode: string;
  readonly status: PlanStatus;
  readonly operatingModel: OperatingModel;
  readonly providerCodes: readonly string[];
  readonly procurementDate: IsoDate | null;
  readonly goLiveDate: IsoDate | null;
  readonly note: string;
  readonly stage: PlanStage;
  /** When and by whom the SHA submitted the plan to the Department of Health. */
  readonly submittedAt: string | null;
  readonly submittedBy: string | null;
  readonly ccgApproval: CcgApproval | null;
  readonly defaultOptIn: DefaultOptIn | null;
  /** Increases with every change: the ETag for optimistic concurrency. */
  readonly version: number;
}

export type PlanEventKind =
  | 'created'
  | 'updated'
  | 'submitted'
  | 'approved'
  | 'withdrawn'
  | 'opted_in_default'
  | 'deleted';

/** One change in a plan's history. */
export interface PlanEvent {
  readonly areaCode: string;
  readonly kind: PlanEventKind;
  readonly at: string; // ISO instant
  readonly by: string;
  readonly reason: string;
  readonly version: number;
}

/** The dates that frame the rollout: configurable, with the 2011 values in the demo scenario. */
export interface RolloutCalendar {
  /** SHAs confirm plans (with CCG approval) by this date; areas without are opted in to the default. */
  readonly submissionDeadline: IsoDate;
  /** Full coverage of England wanted by this date. */
  readonly nationalCoverageDate: IsoDate;
  /** When the default service goes live in an opted-in area. */
  readonly defaultGoLiveDate: IsoDate;
  /** The provider that leads the default service (NHS Direct). */
  readonly defaultProviderCode: string;
  /** What a caller is told where 111 is not live yet. */
  readonly fallbackAdvice: string;
}

/** What routing and coverage need to know about an area. */
export interface RolloutArea {
  readonly code: string;
  readonly name: string;
  readonly regionCode: string;
  readonly population: number;
  readonly ambulanceTrustCode: string;
  readonly outOfHoursProviderCode: string;
}
