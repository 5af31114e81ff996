/**
 * Outbound messages (ambulance dispatch, referrals, post-event messages to GPs) are never lost:
 * each is written in the same transaction as the change that caused it, then delivered with retries.
 * These are the rules of that delivery; the store and worker apply them.
 */

/**
 * `dead` is the stored name of "held for a person": the message stopped retrying and waits for someone
 * to send it again. It is kept, never dropped. An ambulance dispatch is never held.
 */
export type MessageStatus = 'pending' | 'sending' | 'delivered' | 'dead';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['pending', 'sending', 'delivered', 'dead'];

export interface OutboundMessage {
  /** What it is; picks the adapter that delivers it (e.g. `ambulance_dispatch`, `gp_post_event`). */
  readonly kind: string;
  /** Who receives it: an organisation or service code. */
  readonly destination: string;
  /** Unique per intended effect: the receiver uses it to ignore a repeat of a message it already has. */
  readonly idempotencyKey: string;
  readonly payload: Record<string, unknown>;
  /** The case or call it belongs to, for tracing. */
  readonly subject?: string;
  /** The provider whose patient it carries: only its staff may see or resend it (none: system admins only). */
  readonly providerCode?: string;
  /** Higher goes first: an ambulance dispatch before a post-event message. */
  readonly priority?: number;
}

/** After this many failed attempts an ordinary message stops retrying and waits for a person. */
export const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 10 * 60_000;
/**
 * An ambulance dispatch is retried at least this often for as long as it is undelivered: a receiver
 * that recovers gets it within this interval, and no person has to notice first.
 */
export const NEVER_GIVEN_UP_INTERVAL_MS = 30_000;
/** The kinds of message that are never held for a person: a patient is waiting for an ambulance. */
export const NEVER_GIVEN_UP: ReadonlySet<string> = new Set(['ambulance_dispatch']);

/**
 * A sender's claim on a message it is sending lasts this long and is renewed every LEASE_RENEW_MS while
 * the sender works; a sender that dies stops renewing, so its claims are taken over within the lease.
 */
export const LEASE_MS = 8_000;
export const LEASE_RENEW_MS = 2_000;
/** The longest one call to a receiving system may take before it counts as a failed attempt. */
export const ADAPTER_TIMEOUT_MS = 5_000;

/**
 * Exponential backoff: 2 s, 4 s, 8 s … capped at 10 minutes, or at 30 s for a message that is never
 * given up. `attempts` counts the failures so far.
 */
export function retryDelayMs(attempts: number, kind?: string): number {
  const cap = kind !== undefined && NEVER_GIVEN_UP.has(kind) ? NEVER_GIVEN_UP_INTERVAL_MS : MAX_DELAY_MS;
  return Math.min(cap, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}

export type AfterFailure =
  | { readonly status: 'pending'; readonly nextAttemptAt: Date }
  | { readonly status: 'dead' };

/** What happens to a message after its `attempts`-th failure (attempts counted since it was last queued). */
export function afterFailure(kind: string, attempts: number, now: Date): AfterFailure {
  if (attempts >= MAX_ATTEMPTS && !NEVER_GIVEN_UP.has(kind)) return { status: 'dead' };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, kind)) };
}

/**
 * What goes to the receiving system: the idempotency key travels both as a header and in the body, so
 * a receiver can refuse a repeat whichever it reads (a sender whose lease lapsed may send twice).
 */
export interface WireMessage {
  readonly headers: { readonly 'Idempotency-Key': string; readonly 'Content-Type': 'application/json' };
  readonly body: {
    readonly idempotencyKey: string;
    readonly kind: string;
    readonly destination: string;
    readonly subject: string | null;
    readonly payload: Record<string, unknown>;
  };
}

export function toWire(m: OutboundMessage): WireMessage {
  return {
    headers: { 'Idempotency-Key': m.idempotencyKey, 'Content-Type': 'application/json' },
    body: {
      idempotencyKey: m.idempotencyKey,
      kind: m.kind,
      destination: m.destination,
      subject: m.subject ?? null,
      payload: m.payload,
    },
  };
}

/** The part of a stored message the alert rule reads. */
export interface DeliveryState {
  readonly id: number;
  readonly kind: string;
  readonly destination: string;
  readonly subject?: string;
  readonly status: MessageStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  /** The first failure since the message was last queued; none while it has not failed. */
  readonly failingSince: Date | null;
}

export interface DeliveryAlert {
  /** `dispatch_failing`: an ambulance dispatch is not getting through; `held`: a message waits for a person. */
  readonly kind: 'dispatch_failing' | 'held';
  readonly messageId: number;
  readonly messageKind: string;
  readonly destination: string;
  readonly subject: string | null;
  readonly since: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly message: string;
}

/**
 * The alerts a set of messages raises: every undelivered never-given-up message that has failed at
 * least once (so the alert is up from the first failure, not after the ordinary attempts), and every
 * held message. Dispatches first, the longest-failing first.
 */
export function deliveryAlerts(messages: readonly DeliveryState[]): DeliveryAlert[] {
  const alerts: DeliveryAlert[] = [];
  for (const m of messages) {
    if (!m.failingSince) continue;
    const since = m.failingSince.toISOString();
    const base = {
      messageId: m.id,
      messageKind: m.kind,
      destination: m.destination,
      subject: m.subject ?? null,
      since,
      attempts: m.attempts,
      lastError: m.lastError,
    };
    if (NEVER_GIVEN_UP.has(m.kind) && (m.status === 'pending' || m.status === 'sending')) {
      alerts.push({
        ...base,
        kind: 'dispatch_failing',
        message: `Ambulance dispatch ${m.id} to ${m.destination} has not been delivered since ${since} (${m.attempts} failed attempts): still retrying.`,
      });
    } else if (m.status === 'dead') {
      alerts.push({
        ...base,
        kind: 'held',
        message: `Message ${m.id} (${m.kind}) to ${m.destination} is held after ${m.attempts} failed attempts: send it again once the receiver is back.`,
      });
    }
  }
  const rank = (a: DeliveryAlert) => (a.kind === 'dispatch_failing' ? 0 : 1);
  return alerts.sort((a, b) => rank(a) - rank(b) || a.since.localeCompare(b.since));
}
