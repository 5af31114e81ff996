import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../domain/auth/index';
import { applyCallEvent, type CallEvent, offeredCall } from '../domain/calls/index';
import { conflict, forbidden, notFound } from '../domain/errors';
import { parsePostcode, resolveLocation } from '../domain/geography/index';
import { audit } from '../store/audit';
import {
  callEvents,
  findCall,
  findCallForUpdate,
  insertCall,
  listCalls,
  type StoredCall,
  saveCallEvent,
} from '../store/calls';
import { inTransaction } from '../store/db';
import { findPostcode } from '../store/geography';
import { requireRole } from './context';
import { parseAt } from './geography';

const CallSchema = Type.Object({
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
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function callBody(c: StoredCall, now: Date) {
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
  };
}

const CALL_STAFF = ['health_adviser', 'clinician', 'provider_admin', 'system_admin'] as const;

/** Provider staff see and change only their own provider's calls; a system administrator sees all. */
function assertSameProvider(actor: Actor, call: StoredCall): void {
  if (actor.role !== 'system_admin' && actor.organisationCode !== call.providerCode) {
    throw forbidden(`Call ${call.id} is handled by another provider.`);
  }
}

// Random, so API nodes behind a load balancer never hand out the same id.
const newCallId = () => `C-${randomUUID()}`;

/** Call handling: the switch (or an adviser) offers calls; advisers answer, transfer and end them. */
export async function callsPlugin(app: FastifyInstance): Promise<void> {
  app.post(
    '/api/calls',
    {
      schema: {
        tags: ['calls'],
        summary: 'A call is offered to the queue (from the telephony switch); routed by the caller’s area',
        body: Type.Object(
          {
            postcode: Type.Optional(Type.String({ maxLength: 16 })),
            areaCode: Type.Optional(Type.String({ maxLength: 10 })),
            at: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CallSchema },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request.actor, ...CALL_STAFF);
      const body = request.body as { postcode?: string; areaCode?: string; at?: string };
      const at = parseAt(body.at, app.ctx.now());
      const geo = await app.ctx.geography();
      let areaCode: string | null = null;
      if (body.postcode) {
        const parsed = parsePostcode(body.postcode);
        const exact =
          parsed.kind === 'postcode' ? await findPostcode(app.ctx.store.db, parsed.postcode) : undefined;
        areaCode = resolveLocation(geo, parsed, exact, at).area.code;
      } else if (body.areaCode) {
        if (!geo.areas.has(body.areaCode.toUpperCase()))
          throw notFound(`There is no commissioning area "${body.areaCode}".`);
        areaCode = body.areaCode.toUpperCase();
      }
      let provider = actor.organisationCode;
      if (areaCode) {
        // Routing by area: the provider commissioned for the caller's area at this instant.
        const decision = await app.ctx.route(areaCode, at);
        if (!decision.live || !decision.provider) {
          throw conflict(
            `111 is not live in ${decision.areaName} on ${at.toISOString().slice(0, 10)}. ${decision.advice ?? ''}`.trim(),
          );
        }
        provider = decision.provider.code;
      }
      const call: StoredCall = { ...offeredCall(newCallId(), at), areaCode, providerCode: provider };
      await inTransaction(app.ctx.store.db, async (tx) => {
        await insertCall(tx, call, actor.userId);
        await audit(tx, {
          actor,
          action: 'create',
          resourceType: 'call',
          resourceId: call.id,
          requestId: request.id,
        });
      });
      return reply.code(201).send(callBody(call, app.ctx.now()));
    },
  );

  app.post(
    '/api/calls/:id/events',
    {
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
            at: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CallSchema },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...CALL_STAFF);
      const { id } = request.params as { id: string };
      const body = request.body as { kind: CallEvent['kind']; at?: string };
      const event: CallEvent = { callId: id, kind: body.kind, at: parseAt(body.at, app.ctx.now()) };
      const updated = await inTransaction(app.ctx.store.db, async (tx) => {
        const call = await findCallForUpdate(tx, id);
        if (!call) throw notFound(`There is no call ${id}.`);
        assertSameProvider(actor, call);
        const next: StoredCall = {
          ...applyCallEvent(call, event),
          areaCode: call.areaCode,
          providerCode: call.providerCode,
        };
        await saveCallEvent(tx, next, event, actor.userId);
        await audit(tx, {
          actor,
          action: 'update',
          resourceType: 'call',
          resourceId: id,
          requestId: request.id,
          detail: { event: body.kind },
        });
        return next;
      });
      return callBody(updated, app.ctx.now());
    },
  );

  app.get(
    '/api/calls',
    {
      schema: {
        tags: ['calls'],
        summary: 'Calls of your provider, newest first (the queue with status=queued)',
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union(
                ['queued', 'answered', 'abandoned', 'transferred', 'ended'].map((s) => Type.Literal(s)),
              ),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(CallSchema) },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...CALL_STAFF);
      const q = request.query as { status?: StoredCall['status']; limit?: number };
      const calls = await listCalls(app.ctx.store.db, {
        ...(actor.role === 'system_admin' ? {} : { providerCode: actor.organisationCode }),
        ...(q.status ? { status: q.status } : {}),
        limit: q.limit ?? 100,
      });
      const now = app.ctx.now();
      return calls.map((c) => callBody(c, now));
    },
  );

  app.get(
    '/api/calls/:id/events',
    {
      schema: {
        tags: ['calls'],
        summary: 'The recorded events of one call',
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...CALL_STAFF, 'governance');
      const { id } = request.params as { id: string };
      const call = await findCall(app.ctx.store.db, id);
      if (!call) throw notFound(`There is no call ${id}.`);
      if (actor.role !== 'governance') assertSameProvider(actor, call);
      await audit(app.ctx.store.db, {
        actor,
        action: 'read',
        resourceType: 'call',
        resourceId: id,
        requestId: request.id,
      });
      return (await callEvents(app.ctx.store.db, id)).map((e) => ({ kind: e.kind, at: e.at.toISOString() }));
    },
  );
}
