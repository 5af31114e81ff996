/**
 * What the API answers, as the API declares it: the route modules' TypeBox schemas, imported for their
 * types only (nothing of src/ reaches the bundle). A page retypes none of these by hand.
 */
import type { Static } from '@sinclair/typebox';
import type { LoginAnswer, Me as MeSchema } from '../../src/api/auth';
import type { CallSchema } from '../../src/api/calls';
import type { CaseSchema, QueueEntrySchema } from '../../src/api/cases';
import type { GapReportAnswer, SearchAnswer, ServiceOutput } from '../../src/api/directory';
import type { DistrictRow, LocationSchema, RegionRow } from '../../src/api/geography';
import type { DemoReceiversAnswer, MessageDetailAnswer, OutboxAnswer } from '../../src/api/messages';
import type { CapacityAnswer, KpiAnswer, ReportAreasAnswer } from '../../src/api/reports';
import type {
  AreaPlanRow,
  ConfigAnswer,
  CoverageSchema,
  DeadlineResult,
  PlanSchema,
  RouteSchema,
  TimelineAnswer,
} from '../../src/api/rollout';
import type { LiveQueueSchema } from '../../src/api/telephony';
import type { PathwayHit as PathwayHitSchema, SessionState } from '../../src/api/triage';

// Auth
export type Me = Static<typeof MeSchema>;
export type Login = Static<typeof LoginAnswer>;

// Calls and cases
export type Call = Static<typeof CallSchema>;
export type Case = Static<typeof CaseSchema>;
export type QueueEntry = Static<typeof QueueEntrySchema>;
export type LiveQueue = Static<typeof LiveQueueSchema>;

// Directory of Services
export type SearchResult = Static<typeof SearchAnswer>;
export type SearchHit = SearchResult['results'][number];
export type ServiceSummary = SearchHit['service'];
export type Service = Static<typeof ServiceOutput>;
export type OpeningTimes = Service['openingTimes'];
export type OpeningSession = OpeningTimes['bankHolidays'][number];
export type GapReport = Static<typeof GapReportAnswer>;

// Geography
export type District = Static<typeof DistrictRow>;
export type Region = Static<typeof RegionRow>;
export type Location = Static<typeof LocationSchema>;

// Reports (kpis and capacity have no response schema: their types are the service's answers)
export type KpiReport = KpiAnswer;
export type Kpis = KpiReport['kpis'];
export type Capacity = CapacityAnswer;
export type HourPlan = Capacity['hours'][number];
export type ReportAreas = Static<typeof ReportAreasAnswer>;

// Rollout (config and timeline have no response schema: their types are the service's answers)
export type RolloutConfig = ConfigAnswer;
export type Provider = RolloutConfig['providers'][number];
export type Plan = Static<typeof PlanSchema>;
export type PlanRow = Static<typeof AreaPlanRow>;
export type Coverage = Static<typeof CoverageSchema>;
export type CoverageTimeline = TimelineAnswer;
export type RouteAnswer = Static<typeof RouteSchema>;
export type DeadlineAnswer = Static<typeof DeadlineResult>;

// Triage
export type PathwayHit = Static<typeof PathwayHitSchema>;
export type TriageSession = Static<typeof SessionState>;
export type QuestionView = NonNullable<TriageSession['next']>;

// Clinical governance: case review, incidents, the monthly report (the services' answers)
export type { GovernanceReport } from '../../src/domain/review/index';
// Clinical governance: pathway change control
export type {
  PathwayVersionDetail,
  PathwayVersionView,
} from '../../src/services/governance';
export type {
  FillResult,
  IncidentDetail,
  IncidentView,
  ReviewDetail,
  ReviewView,
  RuleView,
} from '../../src/services/review';
// Outbox (no response schemas: the service's answers, dates as strings)
export type Outbox = OutboxAnswer;
export type OutboxMessage = Outbox['messages'][number];
export type MessageDetail = MessageDetailAnswer;
export type DemoReceivers = DemoReceiversAnswer;
