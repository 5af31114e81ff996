export { type CallKpis, callKpis, TARGETS } from './kpis';
export { applyCallEvent, callFromEvents, offeredCall, waitSeconds } from './lifecycle';
export type * from './types';
