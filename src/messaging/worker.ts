import { afterFailure } from '../domain/messaging/index';
import type { Db } from '../store/db';
import { claimDue, markDelivered, markFailed, type StoredMessage } from '../store/outbox';

/** Delivers one kind of message to its receiving system; returns the receiver's acknowledgement. */
export type Adapter = (message: StoredMessage) => Promise<string>;

export interface DeliveryReport {
  readonly delivered: number;
  readonly failed: number;
}

/**
 * One pass of the delivery worker: claim what is due, deliver each, record the acknowledgement or
 * schedule a retry. A message with no adapter for its kind fails like any other and is retried (an
 * adapter may be configured later), then held for a person: it is never dropped.
 */
export async function deliverDue(
  db: Db,
  adapters: ReadonlyMap<string, Adapter>,
  now: () => Date,
  batch = 20,
): Promise<DeliveryReport> {
  const messages = await claimDue(db, batch, now());
  let delivered = 0;
  let failed = 0;
  for (const m of messages) {
    const adapter = adapters.get(m.kind);
    try {
      if (!adapter) throw new Error(`no adapter delivers "${m.kind}" messages`);
      const ack = await adapter(m);
      await markDelivered(db, m.id, ack, now());
      delivered++;
    } catch (err) {
      await markFailed(
        db,
        m.id,
        err instanceof Error ? err.message : String(err),
        afterFailure(m.attempts + 1, now()),
      );
      failed++;
    }
  }
  return { delivered, failed };
}

/** Runs the worker every `intervalMs` until stopped; stopping waits for the pass in flight. */
export function startDeliveryWorker(
  db: Db,
  adapters: ReadonlyMap<string, Adapter>,
  now: () => Date,
  intervalMs = 1000,
  onError?: (e: unknown) => void,
) {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        // Drain what is due, a batch at a time, before sleeping again.
        for (let i = 0; i < 50 && !stopped; i++) {
          const r = await deliverDue(db, adapters, now);
          if (r.delivered + r.failed === 0) break;
        }
      } catch (e) {
        onError?.(e);
      }
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
