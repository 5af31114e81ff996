export { type CallKpis, callKpis, TARGETS } from './kpis';
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
  checkTelephonyEvent,
  type LiveQueue,
  liveQueue,
  type QueuedCallView,
  startOfLondonDay,
  type TelephonyEvent,
  type TelephonyEventType,
} from './telephony';
export type * from './types';
