import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../domain/errors';
import { type Idempotent, IdempotentReplay, requestFingerprint } from '../services/idempotency';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** A key is 1–255 visible ASCII characters (a UUID is the usual choice). */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The header as the OpenAPI document shows it on each creating write that takes one. */
export const IdempotencyHeaders = Type.Object({
  [IDEMPOTENCY_HEADER]: Type.Optional(
    Type.String({
      pattern: '^[\\x21-\\x7e]{1,255}$',
      description:
        'A key of your choice (e.g. a UUID) for this request: a retry with the same key and the same body ' +
        'gets the first response back, and does not do the work again. Kept 24 hours, per user.',
    }),
  ),
});

/**
 * The `Idempotency-Key` of a creating write, if the client sent one, with the response (status and body)
 * the route answers its result with, which the use case stores with the work. Without a header there is
 * nothing to remember; a malformed key is a 400.
 */
export function idempotencyOf<T>(
  request: FastifyRequest,
  status: number,
  body: (result: T) => unknown,
): Idempotent<T> | undefined {
  const given = request.headers[IDEMPOTENCY_HEADER];
  if (given === undefined) return undefined;
  const key = Array.isArray(given) ? undefined : given;
  if (key === undefined || !KEY.test(key))
    throw invalid('The Idempotency-Key header must be one value of 1–255 visible ASCII characters.', [
      { pointer: '/headers/idempotency-key', message: 'must be 1–255 visible ASCII characters, sent once' },
    ]);
  return {
    key,
    fingerprint: requestFingerprint(request.method, request.url, request.body),
    respond: (result) => ({ status, body: body(result) }),
  };
}

/** Sends a retried request its first response again, saying so; false when the error is something else. */
export function sendReplay(error: unknown, reply: FastifyReply): FastifyReply | undefined {
  if (!(error instanceof IdempotentReplay)) return undefined;
  return reply.code(error.status).header('idempotent-replayed', 'true').send(error.body);
}
