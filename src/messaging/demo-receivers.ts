import type { Db } from '../store/db';
import type { StoredMessage } from '../store/outbox';
import type { Adapter } from './worker';

/**
 * Stand-ins for the systems open111 sends to in a demo (the ambulance trust's CAD, GP practice
 * systems, service providers): they keep what they receive, once per idempotency key, and
 * acknowledge. A real deployment registers adapters for ITK/FHIR endpoints under the same kinds.
 */
export function demoReceiver(db: Db): Adapter {
  return async (m: StoredMessage) => {
    await db
      .insertInto('received_message')
      .values({
        idempotency_key: m.idempotencyKey,
        kind: m.kind,
        destination: m.destination,
        payload: JSON.stringify(m.payload),
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
    return `ACK ${m.destination} ${m.idempotencyKey}`;
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
