export { type CallKpis, callKpis, KpiTally, TARGETS, tallyCall } from './kpis';
export {
  applyCallEvent,
  CLOCK_TOLERANCE_MS,
  callFromEvents,
  checkCallTime,
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
