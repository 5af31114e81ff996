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
export type * from './types';
