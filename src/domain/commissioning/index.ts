export { providerCatalogue, rolloutAreas } from './catalogue';
export {
  type AreaCoverage,
  type Coverage,
  type CoveragePoint,
  type CoverageTotals,
  coverageOn,
  coverageSeries,
  type GoLive,
  goLiveTimeline,
  type RegionCoverage,
} from './coverage';
export {
  addCalendarDays,
  isIsoDate,
  LONDON,
  londonDate,
  londonMidnight,
  sixMonthsBefore,
} from './dates';
export { applyDeadline, defaultProvidersFor, type OptIn } from './deadline';
export { approvePlan, editPlan, submitPlan, withdrawPlan } from './plans';
export {
  type AreaState,
  type AreaTimeline,
  areaStateOn,
  buildAreaTimeline,
  buildRoutingTable,
  COVERED_STATES,
  type ProviderRef,
  type RouteBasis,
  type RouteDecision,
  type RouteSegment,
  type RoutingTable,
  route,
  withPlan,
} from './routing';
export {
  calendarIssues,
  capabilitiesOf,
  isConfirmed,
  latestProcurementDate,
  missingForConfirmation,
  ownServiceStart,
  planProblems,
  procurementInTime,
  RULES,
  submissionProblems,
} from './rules';
export {
  buildSubmission,
  type RolloutStep,
  type ShaSubmission,
  type SubmissionArea,
  type SubmissionStatus,
} from './submission';
export * from './types';
