import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  answerNextCall,
  callEvents,
  type HandledCall,
  listCalls,
  offerCall,
  recordCallEvent,
  repeatCaller,
} from '../services/calls';
import { callerOf, typed } from './context';
import { parseAt } from './geography';
import { IdempotencyHeaders, idempotencyOf } from './idempotency';

export const CallSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  areaCode: Type.Union([Type.String(), Type.Null()]),
  providerCode: Type.String(),
  offeredAt: Type.String(),
  answeredAt: Type.Union([Type.String(), Type.Null()]),
  abandonedAt: Type.Union([Type.String(), Type.Null()]),
  transferredAt: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  waitSeconds: Type.Union([Type.Number(), Type.Null()]),
  callRef: Type.Union([Type.String(), Type.Null()]),
  callerNumber: Type.Union([Type.String(), Type.Null()]),
});

const CallEventSchema = Type.Object({ kind: Type.String(), at: Type.String() });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function callBody(c: HandledCall, now: Date): Static<typeof CallSchema> {
  const waitEnd = c.answeredAt ?? c.abandonedAt ?? now;
  return {
    id: c.id,
    status: c.status,
    areaCode: c.areaCode,
    providerCode: c.providerCode,
    offeredAt: c.offeredAt.toISOString(),
    answeredAt: iso(c.answeredAt),
    abandonedAt: iso(c.abandonedAt),
    transferredAt: iso(c.transferredAt),
    endedAt: iso(c.endedAt),
    waitSeconds: Math.max(0, (waitEnd.getTime() - c.offeredAt.getTime()) / 1000),
    callRef: c.callRef ?? null,
    callerNumber: c.callerNumber ?? null,
  };
}

/** A time the client may send, or leave out for "now" (the use case reads its own clock then). */
const optionalAt = (at: string | undefined, now: Date): Date | undefined =>
  at === undefined ? undefined : parseAt(at, now);

/** Call handling: the switch (or an adviser) offers calls; advisers answer, transfer and end them. */
export async function callsPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);

  r.post(
    '/api/calls',
    {
      config: { access: 'call.offer' },
      schema: {
        tags: ['calls'],
        summary: 'A call is offered to the queue (from the telephony switch); routed by the caller’s area',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            postcode: Type.Optional(Type.String({ maxLength: 16 })),
            areaCode: Type.Optional(Type.String({ maxLength: 10 })),
            at: Type.Optional(
              Type.String({
                format: 'date-time',
                description: 'When it was offered: not before 2010, nor more than 5 minutes ahead of now',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: CallSchema },
      },
    },
    async (request, reply) => {
      const { postcode, areaCode, at } = request.body;
      const respond = (c: HandledCall) => callBody(c, app.ctx.now());
      const call = await offerCall(
        app.ctx,
        callerOf(request),
        { postcode, areaCode, at: optionalAt(at, app.ctx.now()) },
        idempotencyOf(request, 201, respond),
      );
      return reply.code(201).send(respond(call));
    },
  );

  r.post(
    '/api/calls/answer-next',
    {
      config: { access: 'call.record' },
      schema: {
        tags: ['calls'],
        summary:
          'Answer next call: the longest-waiting call of your provider, answered by you now (204: none waiting)',
        response: { 200: CallSchema, 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const call = await answerNextCall(app.ctx, callerOf(request));
      if (!call) return reply.code(204).send(null);
      return reply.code(200).send(callBody(call, app.ctx.now()));
    },
  );

  r.post(
    '/api/calls/:id/events',
    {
      config: { access: 'call.record' },
      schema: {
        tags: ['calls'],
        summary: 'Record what happened to a call: answered, abandoned, transferred (to a clinician) or ended',
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        body: Type.Object(
          {
            kind: Type.Union([
              Type.Literal('answered'),
              Type.Literal('abandoned'),
              Type.Literal('transferred'),
              Type.Literal('ended'),
            ]),
            at: Type.Optional(
              Type.String({
                format: 'date-time',
                description: 'Not before the call was offered, nor more than 5 minutes ahead of now',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: CallSchema },
      },
    },
    async (request) => {
      const { kind, at } = request.body;
      const call = await recordCallEvent(app.ctx, callerOf(request), request.params.id, {
        kind,
        at: optionalAt(at, app.ctx.now()),
      });
      return callBody(call, app.ctx.now());
    },
  );

  r.get(
    '/api/calls',
    {
      config: { access: 'call.read' },
      schema: {
        tags: ['calls'],
        summary: 'Calls of your provider, newest first (the queue with status=queued)',
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union([
                Type.Literal('queued'),
                Type.Literal('answered'),
                Type.Literal('abandoned'),
                Type.Literal('transferred'),
                Type.Literal('ended'),
              ]),
            ),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(CallSchema) },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const calls = await listCalls(app.ctx, callerOf(request), { status, limit });
      const now = app.ctx.now();
      return calls.map((c) => callBody(c, now));
    },
  );

  r.get(
    '/api/calls/:id/events',
    {
      config: { access: 'call.read' },
      schema: {
        tags: ['calls'],
        summary: 'The recorded events of one call (the read is audited)',
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        response: { 200: Type.Array(CallEventSchema) },
      },
    },
    async (request) => {
      const events = await callEvents(app.ctx, callerOf(request), request.params.id);
      return events.map((e) => ({ kind: e.kind, at: e.at.toISOString() }));
    },
  );

  r.get(
    '/api/calls/:id/repeat',
    {
      config: { access: 'call.read' },
      schema: {
        tags: ['calls'],
        summary: 'Whether the caller’s number rang this provider in the 72 hours before this call',
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        response: {
          200: Type.Object({
            repeat: Type.Boolean(),
            earlier: Type.Array(
              Type.Object({ callId: Type.String(), offeredAt: Type.String(), status: Type.String() }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const r = await repeatCaller(app.ctx, callerOf(request), request.params.id);
      return {
        repeat: r.repeat,
        earlier: r.earlier.map((e) => ({ ...e, offeredAt: e.offeredAt.toISOString() })),
      };
    },
  );
}
