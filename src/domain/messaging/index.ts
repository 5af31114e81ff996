/**
 * Outbound messages (ambulance dispatch, referrals, post-event messages to GPs) are never lost:
 * each is written in the same transaction as the change that caused it, then delivered with retries.
 * These are the rules of that delivery; the store and worker apply them.
 */
export type MessageStatus = 'pending' | 'sending' | 'delivered' | 'dead';

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

/** After this many failed attempts a message stops retrying and waits for a person (it is kept, never dropped). */
export const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 10 * 60_000;
/** How long a worker may hold a message it is sending before another worker may take it over. */
export const CLAIM_MS = 60_000;

/** Exponential backoff: 2 s, 4 s, 8 s … capped at 10 minutes. `attempts` counts the failures so far. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}

export type AfterFailure =
  | { readonly status: 'pending'; readonly nextAttemptAt: Date }
  | { readonly status: 'dead' };

export function afterFailure(attempts: number, now: Date): AfterFailure {
  if (attempts >= MAX_ATTEMPTS) return { status: 'dead' };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)) };
}
