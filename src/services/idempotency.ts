import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors';
import type { Tx } from '../store/db';
import { claimKey, completeKey, purgeKeys, storedResponse } from '../store/idempotency';
import type { ServiceContext } from './context';

/**
 * A creating write sent with an `Idempotency-Key`: the key, what the request was, and how its result
 * is answered (status and body), which is stored with the result in the write's own transaction.
 */
export interface Idempotent<T> {
  readonly key: string;
  /** A hash of the request (method, path, body): the same key with another request is refused. */
  readonly fingerprint: string;
  readonly respond: (result: T) => { readonly status: number; readonly body: unknown };
}

/** Keys are kept this long: a client retries within minutes; a day covers any outage of the client. */
export const IDEMPOTENCY_KEY_KEPT_MS = 24 * 60 * 60_000;

/**
 * The request was already done under its key: the first response, to be sent again as it was. Thrown
 * out of the use case's transaction (which has written nothing) and answered by the edge.
 */
export class IdempotentReplay extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(key: string, status: number, body: unknown) {
    super(`The request with Idempotency-Key "${key}" was already done: its first response is sent again.`);
    this.name = 'IdempotentReplay';
    this.status = status;
    this.body = body;
  }
}

/** The fingerprint of a request: what "the same request" means for a key (method, path and JSON body). */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${url}\n${JSON.stringify(body ?? null)}`)
    .digest('base64url');
}

/**
 * Claims the key as the first statement of the use case's transaction: a retry (this user, this key)
 * gets IdempotentReplay, the same key with another request a 422, and a first request goes on.
 */
export async function claimIdempotencyKey<T>(
  tx: Tx,
  userId: number,
  idem: Idempotent<T>,
  now: Date,
): Promise<void> {
  if (await claimKey(tx, userId, idem.key, idem.fingerprint, now)) return;
  const stored = await storedResponse(tx, userId, idem.key);
  if (!stored) return; // cannot happen: the conflict was on this row
  if (stored.fingerprint !== idem.fingerprint)
    throw new DomainError(
      'unprocessable',
      `Idempotency-Key "${idem.key}" was first used for another request (another method, path or body): ` +
        'a retry must repeat its request exactly, and a new request needs a new key.',
      [{ pointer: '/headers/idempotency-key', message: 'was used before for a different request' }],
    );
  throw new IdempotentReplay(idem.key, stored.status, stored.body);
}

/** Stores the response with the work, before the transaction commits. */
export async function completeIdempotencyKey<T>(
  tx: Tx,
  userId: number,
  idem: Idempotent<T>,
  result: T,
): Promise<void> {
  await completeKey(tx, userId, idem.key, idem.respond(result));
}

/** Forgets keys older than IDEMPOTENCY_KEY_KEPT_MS (the server runs this with the session purge). */
export function purgeIdempotencyKeys(ctx: ServiceContext): Promise<number> {
  return purgeKeys(ctx.store.db, new Date(ctx.now().getTime() - IDEMPOTENCY_KEY_KEPT_MS));
}
