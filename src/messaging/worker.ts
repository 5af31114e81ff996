import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ADAPTER_TIMEOUT_MS,
  afterFailure,
  LEASE_RENEW_MS,
  NEVER_GIVEN_UP,
  toWire,
  type WireMessage,
} from '../domain/messaging/index';
import type { Db } from '../store/db';
import { claimDue, markDelivered, markFailed, renewClaims, type StoredMessage } from '../store/outbox';

/**
 * Delivers one kind of message to its receiving system; returns the receiver's acknowledgement. The
 * signal is aborted when the call has taken too long: an adapter stops what it is doing then.
 */
export type Adapter = (message: WireMessage, signal: AbortSignal) => Promise<string>;

/** Where the worker says what went wrong: pino's shape (the server passes its logger). */
export interface DeliveryLog {
  error(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

export interface DeliveryOptions {
  /** Who is sending: names the claims this worker holds and renews. */
  readonly sender?: string;
  readonly batch?: number;
  readonly timeoutMs?: number;
  readonly log?: DeliveryLog;
  /** How often a pass renews its claims (tests shorten it; the lease itself is LEASE_MS). */
  readonly renewEveryMs?: number;
}

export interface DeliveryReport {
  readonly delivered: number;
  readonly failed: number;
}

/** A name for this process's sender, unique across nodes and restarts. */
export const senderName = (): string => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/** One adapter call, given up (and its work aborted) after `timeoutMs`. */
async function callWithTimeout(adapter: Adapter, wire: WireMessage, timeoutMs: number): Promise<string> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settle the race first, so the adapter's own reaction to the abort is not taken as the reason.
      reject(new Error(`no answer from the receiver within ${timeoutMs} ms`));
      controller.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([adapter(wire, controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One pass of the delivery worker: claim what is due, deliver each (all at once, so one slow receiver
 * does not hold up an ambulance dispatch), record every attempt, and schedule a retry or hold. While
 * the pass runs its claims are renewed, so another sender takes over only from one that died. A message
 * with no adapter for its kind fails like any other (an adapter may be configured later): never dropped.
 */
export async function deliverDue(
  db: Db,
  adapters: ReadonlyMap<string, Adapter>,
  now: () => Date,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const sender = options.sender ?? 'sender';
  const timeoutMs = options.timeoutMs ?? ADAPTER_TIMEOUT_MS;
  const messages = await claimDue(db, options.batch ?? 20, now(), sender);
  if (messages.length === 0) return { delivered: 0, failed: 0 };
  const inFlight = new Set(messages.map((m) => m.id));
  let renewing: Promise<unknown> = Promise.resolve();
  const renewal = setInterval(() => {
    renewing = renewing
      .then(() => renewClaims(db, [...inFlight], sender, now()))
      .catch((err: unknown) => options.log?.warn({ err }, 'outbox: renewing claims failed'));
  }, options.renewEveryMs ?? LEASE_RENEW_MS);
  renewal.unref();
  try {
    const outcomes = await Promise.all(
      messages.map(async (m) => {
        try {
          return await deliverOne(db, adapters, now, m, sender, timeoutMs, options.log);
        } finally {
          inFlight.delete(m.id);
        }
      }),
    );
    const delivered = outcomes.filter(Boolean).length;
    return { delivered, failed: outcomes.length - delivered };
  } finally {
    clearInterval(renewal);
    await renewing;
  }
}

async function deliverOne(
  db: Db,
  adapters: ReadonlyMap<string, Adapter>,
  now: () => Date,
  m: StoredMessage,
  sender: string,
  timeoutMs: number,
  log: DeliveryLog | undefined,
): Promise<boolean> {
  const startedAt = now();
  const adapter = adapters.get(m.kind);
  let error: string;
  try {
    if (!adapter) throw new Error(`no adapter delivers "${m.kind}" messages`);
    const ack = await callWithTimeout(adapter, toWire(m), timeoutMs);
    await markDelivered(db, m.id, ack, { sender, startedAt, finishedAt: now() });
    return true;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const attempts = m.attempts + 1;
  const next = afterFailure(m.kind, attempts, now());
  const scheduled = await markFailed(db, m.id, error, next, { sender, startedAt, finishedAt: now() });
  const details = {
    messageId: m.id,
    kind: m.kind,
    destination: m.destination,
    subject: m.subject ?? null,
    attempts,
    error,
    ...(next.status === 'pending' ? { nextAttemptAt: next.nextAttemptAt.toISOString() } : {}),
  };
  // An undelivered ambulance dispatch is an emergency on every failure; a held message needs a person.
  if (scheduled && NEVER_GIVEN_UP.has(m.kind))
    log?.error(details, 'outbox alert: ambulance dispatch not delivered, retrying');
  else if (scheduled && next.status === 'dead')
    log?.error(details, 'outbox alert: message held for a person after its attempts');
  else log?.warn(details, 'outbox: delivery attempt failed');
  return false;
}

/** Runs the worker every `intervalMs` until stopped; stopping waits for the pass in flight. */
export function startDeliveryWorker(
  db: Db,
  adapters: ReadonlyMap<string, Adapter>,
  now: () => Date,
  options: DeliveryOptions & { intervalMs?: number; onError?: (e: unknown) => void } = {},
) {
  const sender = options.sender ?? senderName();
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        // Drain what is due, a batch at a time, before sleeping again.
        for (let i = 0; i < 50 && !stopped; i++) {
          const r = await deliverDue(db, adapters, now, { ...options, sender });
          if (r.delivered + r.failed === 0) break;
        }
      } catch (e) {
        options.onError?.(e);
      }
    });
  }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    sender,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
