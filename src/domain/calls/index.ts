export { type DidEstimate, differenceInDifferences, type MonthPair, tCritical95 } from './evaluation';
export {
  addCounts,
  type CallKpis,
  callKpis,
  csvLine,
  KpiTally,
  MONTHLY_RETURN_COLUMNS,
  MONTHLY_RETURN_SHARES,
  type MonthlyCountKey,
  type MonthlyCounts,
  type MonthlyShare,
  monthlyCounts,
  type ReturnColumn,
  shareOf,
  TARGETS,
  tallyCall,
  ZERO_COUNTS,
} from './kpis';
export {
  applyCallEvent,
  CLOCK_TOLERANCE_MS,
  callFromEvents,
  checkCallTime,
  momentOnCall,
  offeredCall,
  SERVICE_START,
  waitSeconds,
} from './lifecycle';
export {
  CALL_BACK_TARGET_SECONDS,
  OUTCOME,
  OUTCOME_GROUPS,
  type OutcomeGroup,
  type OutcomeKpis,
  OutcomeTally,
  returnGroup,
} from './outcomes';
export {
  checkTelephonyEvent,
  type LiveQueue,
  liveQueue,
  type QueuedCallView,
  startOfLondonDay,
  type TelephonyEvent,
  type TelephonyEventType,
} from './telephony';
export type * from './types';
