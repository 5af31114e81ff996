import type { Db } from '../store/db';
import { receive, receiverSwitch } from '../store/demo-receivers';
import type { Adapter } from './worker';

/** Waits `ms`, or until the sender gives up on the call. */
const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('the sender gave up'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('the sender gave up'));
      },
      { once: true },
    );
  });

/** How long a receiver switched to `timeout` keeps the sender waiting: longer than any sender waits. */
const HANG_MS = 10 * 60_000;

/**
 * Stand-ins for the systems open111 sends to in a demo (the ambulance trust's CAD, GP practice
 * systems, service providers). Like a real receiver they require the idempotency key (header and body
 * must agree), keep each message once and refuse a repeat (counted, and acknowledged so the sender stops).
 * Each has a switch (`demo_receiver_switch`) to fail, answer slowly or never answer, for demonstrations
 * and the fault tests. A real deployment registers adapters for ITK/FHIR endpoints under the same kinds.
 */
export function demoReceiver(db: Db): Adapter {
  return async (wire, signal) => {
    const s = await receiverSwitch(db, wire.body.kind);
    if (s.mode === 'fail')
      throw new Error(`${wire.body.kind} receiver refused the message (switched to fail)`);
    if (s.mode === 'slow') await wait(s.delayMs, signal);
    if (s.mode === 'timeout') await wait(HANG_MS, signal);
    const key = wire.headers['Idempotency-Key'];
    if (!key || key !== wire.body.idempotencyKey)
      throw new Error('receiver refused the message: its Idempotency-Key header and body disagree');
    const { duplicate } = await receive(db, wire);
    return duplicate
      ? `ACK ${wire.body.destination} ${key} (duplicate refused)`
      : `ACK ${wire.body.destination} ${key}`;
  };
}

export const DEMO_MESSAGE_KINDS = [
  'ambulance_dispatch',
  'referral',
  'gp_post_event',
  'clinician_callback',
] as const;

export function demoAdapters(db: Db): Map<string, Adapter> {
  const receive = demoReceiver(db);
  return new Map(DEMO_MESSAGE_KINDS.map((k) => [k, receive]));
}
