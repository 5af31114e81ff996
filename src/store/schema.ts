import type { ColumnType, Generated } from 'kysely';

/** Timestamps are written as Date or ISO string and read back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** `date` columns stay ISO strings (YYYY-MM-DD) both ways: no time zone to get wrong. */
type IsoDate = string;
/** A timestamp the database fills in (`default now()`) unless one is given. */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface RegionTable {
  code: string;
  ons_code: string;
  name: string;
  org_name: string;
}

export interface AreaTable {
  code: string;
  ons_code: string;
  name: string;
  kind: 'pct' | 'care_trust';
  region_code: string;
  ambulance_trust_code: string;
  ambulance_coverage: 'whole' | 'partial';
  population_2011: number;
}

export interface AmbulanceTrustTable {
  code: string;
  name: string;
  short_name: string;
  valid_from: string;
  valid_to: IsoDate | null;
  successor_code: string | null;
}

export interface CcgAreaTable {
  ccg_code: string;
  ccg_ons_code: string;
  ccg_name: string;
  area_code: string;
  area_postcodes_percent: number;
}

export interface PostcodeDistrictTable {
  outcode: string;
  latitude: number;
  longitude: number;
  population_2011: number;
  area_code: string;
  confidence: 'high' | 'medium' | 'low';
  method: string;
}

export interface PostcodeTable {
  postcode: string;
  outcode: string;
  latitude: number;
  longitude: number;
  area_code: string;
  source: string;
  imported_at: GeneratedTimestamp;
}

export interface OrganisationTable {
  code: string;
  name: string;
  /** What the organisation is in this service: region, area, ambulance_trust or provider. */
  kind: string;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  organisation_code: string;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  created_at: GeneratedTimestamp;
  disabled_at: Timestamp | null;
  demo: Generated<boolean>;
}

export interface SessionTable {
  token_hash: string;
  user_id: number;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  last_seen_at: GeneratedTimestamp;
}

export interface LoginFailureTable {
  username: string;
  address: string;
  failures: number;
  locked_until: Timestamp | null;
  updated_at: Timestamp;
}

/** A client's Idempotency-Key on a creating write, with the response it got (migration 0013). */
export interface IdempotencyKeyTable {
  user_id: number;
  key: string;
  fingerprint: string;
  status: number;
  body: Json<unknown>;
  created_at: GeneratedTimestamp;
}

export interface AuditTable {
  id: Generated<string>;
  at: GeneratedTimestamp;
  user_id: number | null;
  username: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  request_id: string | null;
  detail: Json<Record<string, unknown>> | null;
}

export interface SettingTable {
  key: string;
  value: string;
}

export interface CallTable {
  id: string;
  area_code: string | null;
  provider_code: string;
  status: string;
  offered_at: Date;
  answered_at: Date | null;
  abandoned_at: Date | null;
  transferred_at: Date | null;
  ended_at: Date | null;
  answered_by: number | null;
  /** The telephony switch's reference for the call (absent for calls taken by hand). */
  call_ref: ColumnType<string | null, string | null | undefined, string | null>;
  caller_number: ColumnType<string | null, string | null | undefined, string | null>;
  dialled: ColumnType<string | null, string | null | undefined, string | null>;
  agent: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TelephonyEventTable {
  id: Generated<string>;
  call_ref: string;
  type: string;
  at: Timestamp;
  call_id: string;
  received_at: GeneratedTimestamp;
  body: Json<Record<string, unknown>>;
}

export interface CallEventTable {
  id: Generated<string>;
  call_id: string;
  kind: string;
  at: Date;
  recorded_at: GeneratedTimestamp;
  recorded_by: number | null;
}

export interface OutboxTable {
  id: Generated<string>;
  kind: string;
  destination: string;
  idempotency_key: string;
  subject: string | null;
  /** The provider whose patient the message carries: whose staff may see and resend it. */
  provider_code: string | null;
  priority: number;
  payload: Json<Record<string, unknown>>;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  claimed_until: Date | null;
  /** The sender holding the claim; only it renews the claim or records a failure over it. */
  claimed_by: string | null;
  /** The first failure since the message was last queued: when its alert started. */
  failing_since: Date | null;
  last_error: string | null;
  acknowledgement: string | null;
  created_at: GeneratedTimestamp;
  delivered_at: Date | null;
}

/** What the demo's receiving systems (ambulance CAD, GP practices, services) have received. */
export interface ReceivedMessageTable {
  idempotency_key: string;
  kind: string;
  destination: string;
  payload: Json<Record<string, unknown>>;
  received_at: GeneratedTimestamp;
  /** Repeats of this idempotency key the receiver refused to act on again. */
  duplicates_refused: Generated<number>;
}

/** Every attempt to deliver a message, kept for good: the failure history an operator reads. */
export interface DeliveryAttemptTable {
  id: Generated<string>;
  message_id: string;
  sender: string;
  started_at: Date;
  finished_at: Date;
  outcome: 'delivered' | 'failed';
  error: string | null;
  acknowledgement: string | null;
}

/** How a demo receiving system behaves, per kind of message: for demonstrations and the fault tests. */
export interface DemoReceiverSwitchTable {
  kind: string;
  mode: 'normal' | 'fail' | 'slow' | 'timeout';
  delay_ms: number;
  updated_by: string;
  updated_at: Date;
}

/** A case's running summary; the record is its events (`case_event`). */
export interface CaseRecordTable {
  id: string;
  call_id: string;
  provider_code: string;
  area_code: string;
  status: string;
  disposition_code: string | null;
  outcome: string | null;
  callback_due_at: Date | null;
  /** Set while the case waits for clinical validation: when the fail-safe acts. */
  validation_breach_at: Date | null;
  /** Set while a sent referral is neither acknowledged nor alerted: when it was sent. */
  referral_unacknowledged_since: Date | null;
  opened_at: Date;
  updated_at: Date;
  event_count: number;
}

/** Append-only (a trigger refuses update and delete). */
export interface CaseEventTable {
  id: Generated<string>;
  case_id: string;
  seq: number;
  kind: string;
  at: Date;
  recorded_by: number | null;
  body: Json<Record<string, unknown>>;
  recorded_at: GeneratedTimestamp;
}

export interface RolloutPlanTable {
  area_code: string;
  status: string;
  operating_model: string;
  provider_codes: Json<string[]>;
  procurement_date: IsoDate | null;
  go_live_date: IsoDate | null;
  note: string;
  stage: string;
  submitted_at: Timestamp | null;
  submitted_by: string | null;
  ccg_approval: Json<{ by: string; ccgCode: string; at: string }> | null;
  default_opt_in: Json<{ at: string; goLiveDate: string; providerCodes: string[]; reason: string }> | null;
  version: number;
  updated_at: GeneratedTimestamp;
  updated_by: string;
}

export interface RolloutPlanEventTable {
  id: Generated<string>;
  area_code: string;
  kind: string;
  at: Timestamp;
  by: string;
  reason: string;
  version: number;
  plan: Json<Record<string, unknown>> | null;
}

export interface TriageSessionTable {
  id: string;
  pathway_id: string;
  pathway_version: number;
  module0_version: number;
  content_version: string;
  patient_age_years: number;
  patient_sex: 'female' | 'male';
  status: 'in_progress' | 'finished';
  disposition_code: string | null;
  created_at: Timestamp;
  created_by: number;
  finished_at: Timestamp | null;
  finished_by: number | null;
  /** The last answer's sequence number, moved by each append (migration 0021). */
  last_seq: Generated<number>;
}

export interface TriageEventTable {
  session_id: string;
  seq: number;
  kind: 'answer' | 'back';
  pathway_id: string | null;
  question_id: string | null;
  value: Json<string | number> | null;
  keep: number | null;
  at: Timestamp;
  actor_id: number;
}

export interface DosServiceTable {
  id: string;
  name: string;
  type_id: number;
  status: string;
  organisation_code: string;
  area_code: string;
  latitude: number;
  longitude: number;
  record: Json<Record<string, unknown>>;
  capacity_status: ColumnType<string, string | undefined, string>;
  capacity_reset_at: Timestamp | null;
  capacity_changed_at: Timestamp | null;
  capacity_changed_by: string | null;
  version: ColumnType<number, number | undefined, number>;
  updated_at: GeneratedTimestamp;
}

export interface DosTypeRankTable {
  area_code: string;
  type_id: number;
  rank: number;
}

export interface DosGapTable {
  id: Generated<string>;
  at: Timestamp;
  area_code: string | null;
  disposition: string;
  service_id: string;
  filter: string;
}

/** How often a service failed one filter, an hour (UTC) at a time: the gap log in aggregate. */
export interface DosGapCountTable {
  hour: Timestamp;
  area_code: string | null;
  disposition: string;
  service_id: string;
  filter: string;
  count: number;
}

export interface PathwayVersionTable {
  pathway_id: string;
  version: number;
  file: string;
  yaml: string;
  status: 'draft' | 'in_review' | 'approved' | 'released' | 'retired';
  based_on: number | null;
  author_id: number | null;
  summary: Generated<string>;
  created_at: Timestamp;
  submitted_at: Timestamp | null;
  approved_by: number | null;
  approved_at: Timestamp | null;
  review_note: string | null;
  release_at: Timestamp | null;
  released_by: number | null;
  retired_at: Timestamp | null;
  retired_by: number | null;
}

/** A governance lead's review rule for one provider: on or off, and its parameters. */
export interface ReviewRuleTable {
  provider_code: string;
  rule: string;
  enabled: boolean;
  params: Json<Record<string, number | string>>;
  updated_by: number | null;
  updated_at: Timestamp;
}

/** A case in the review queue (every reason it was picked), and its score once reviewed. */
export interface CaseReviewTable {
  id: Generated<number>;
  case_id: string;
  provider_code: string;
  area_code: string;
  adviser_id: number | null;
  reasons: Json<string[]>;
  queued_at: Timestamp;
  reviewer_id: number | null;
  scored_at: Timestamp | null;
  disposition: 'correct' | 'too_urgent' | 'not_urgent_enough' | null;
  safety: 'safe' | 'safe_with_concerns' | 'unsafe' | null;
  communication: number | null;
  findings: string | null;
  learning: string | null;
}

export interface IncidentTable {
  id: Generated<number>;
  provider_code: string;
  area_code: string | null;
  about: 'case' | 'service' | 'pathway_version';
  subject: string;
  title: string;
  description: string;
  grade: 'no_harm' | 'low' | 'moderate' | 'severe' | 'death' | null;
  status: 'reported' | 'investigating' | 'closed';
  reported_by: number;
  reported_at: Timestamp;
  graded_by: number | null;
  graded_at: Timestamp | null;
  closed_by: number | null;
  closed_at: Timestamp | null;
  close_reason: string | null;
}

export interface IncidentActionTable {
  id: Generated<number>;
  incident_id: number;
  description: string;
  owner: string;
  due_on: IsoDate | null;
  status: 'open' | 'done' | 'waived';
  note: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
  finished_by: number | null;
}

export interface IncidentLinkTable {
  incident_id: number;
  kind: 'case' | 'pathway_version';
  ref: string;
  linked_at: Timestamp;
}

/** A month's return for one service, provider and area (counts keyed as MONTHLY_RETURN_COLUMNS). */
export interface MonthlyReturnTable {
  /** YYYY-MM. */
  month: string;
  /** `nhs111`, or `nhs_direct_0845` for the service an area had before it went live. */
  service: string;
  provider_code: string;
  area_code: string;
  /** Where the figures came from: `simulated_history` (the demo) or `imported`. */
  source: string;
  counts: Json<Record<string, number>>;
}

/** An SHA's submission to the Department of Health, as sent. */
export interface ShaSubmissionTable {
  id: Generated<string>;
  region_code: string;
  sent_at: Timestamp;
  sent_by: string;
  document: Json<Record<string, unknown>>;
}

export interface Database {
  region: RegionTable;
  area: AreaTable;
  ambulance_trust: AmbulanceTrustTable;
  ccg_area: CcgAreaTable;
  postcode_district: PostcodeDistrictTable;
  postcode: PostcodeTable;
  organisation: OrganisationTable;
  app_user: UserTable;
  user_session: SessionTable;
  login_failure: LoginFailureTable;
  idempotency_key: IdempotencyKeyTable;
  audit_log: AuditTable;
  setting: SettingTable;
  call: CallTable;
  call_event: CallEventTable;
  telephony_event: TelephonyEventTable;
  outbox: OutboxTable;
  received_message: ReceivedMessageTable;
  delivery_attempt: DeliveryAttemptTable;
  demo_receiver_switch: DemoReceiverSwitchTable;
  case_record: CaseRecordTable;
  case_event: CaseEventTable;
  rollout_plan: RolloutPlanTable;
  rollout_plan_event: RolloutPlanEventTable;
  triage_session: TriageSessionTable;
  triage_event: TriageEventTable;
  dos_service: DosServiceTable;
  dos_type_rank: DosTypeRankTable;
  dos_gap: DosGapTable;
  dos_gap_count: DosGapCountTable;
  pathway_version: PathwayVersionTable;
  review_rule: ReviewRuleTable;
  case_review: CaseReviewTable;
  incident: IncidentTable;
  incident_action: IncidentActionTable;
  incident_link: IncidentLinkTable;
  monthly_return: MonthlyReturnTable;
  sha_submission: ShaSubmissionTable;
}
