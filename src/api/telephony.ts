import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { LiveQueue } from '../domain/calls/index';
import { demoSwitchState, setDemoSwitch } from '../services/demo-switch';
import { readLiveQueue, receiveTelephonyEvent } from '../services/telephony';
import { CallSchema, callBody } from './calls';
import { callerOf, typed } from './context';
import { parseAt } from './geography';

export const LiveQueueSchema = Type.Object({
  providerCode: Type.String(),
  at: Type.String(),
  waiting: Type.Array(
    Type.Object({
      callId: Type.String(),
      position: Type.Integer(),
      waitingSeconds: Type.Number(),
      areaCode: Type.Union([Type.String(), Type.Null()]),
      callerNumber: Type.Union([Type.String(), Type.Null()]),
      offeredAt: Type.String(),
    }),
  ),
  longestWaitSeconds: Type.Number(),
  advisersSignedIn: Type.Integer(),
  advisersOnCalls: Type.Integer(),
  advisersFree: Type.Integer(),
  today: Type.Object({
    offered: Type.Integer(),
    answered: Type.Integer(),
    answeredWithin60s: Type.Integer(),
    answeredWithin60sPercent: Type.Union([Type.Number(), Type.Null()]),
    abandoned: Type.Integer(),
    abandonedPercent: Type.Union([Type.Number(), Type.Null()]),
  }),
});

export function queueBody(q: LiveQueue): Static<typeof LiveQueueSchema> {
  return {
    ...q,
    at: q.at.toISOString(),
    waiting: q.waiting.map((w) => ({ ...w, offeredAt: w.offeredAt.toISOString() })),
  };
}

export const DemoSwitchSchema = Type.Object({
  demo: Type.Boolean(),
  running: Type.Boolean(),
  callsPerHour: Type.Number(),
});

export const TelephonyReceiptSchema = Type.Object({
  call: CallSchema,
  changed: Type.Boolean({ description: 'False when this (callRef, type) was received before' }),
});

/** How often the queue stream pushes: waits change every second, so a fresh view every two. */
export const QUEUE_PUSH_MS = 2000;

/** The CTI adapter (what the switch sends) and the live queue the console watches. */
export async function telephonyPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);
  // Open queue streams, ended before the server closes (they would otherwise hold it open).
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const stop of [...streams]) stop();
  });

  r.post(
    '/api/telephony/events',
    {
      config: { access: 'telephony.event' },
      schema: {
        tags: ['telephony'],
        summary:
          'An event from the telephony switch (automatic call distributor); idempotent by (callRef, type)',
        body: Type.Object(
          {
            type: Type.Union([
              Type.Literal('offered'),
              Type.Literal('answered'),
              Type.Literal('abandoned'),
              Type.Literal('transferred'),
              Type.Literal('ended'),
            ]),
            callRef: Type.String({ minLength: 1, maxLength: 64 }),
            at: Type.String({ format: 'date-time' }),
            callerNumber: Type.String({ minLength: 1, maxLength: 32 }),
            dialled: Type.Optional(Type.String({ maxLength: 32 })),
            agent: Type.Optional(Type.String({ maxLength: 64 })),
            postcode: Type.Optional(Type.String({ maxLength: 16 })),
            area: Type.Optional(Type.String({ maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TelephonyReceiptSchema },
      },
    },
    async (request) => {
      const b = request.body;
      const receipt = await receiveTelephonyEvent(app.ctx, callerOf(request), {
        type: b.type,
        callRef: b.callRef,
        at: parseAt(b.at, app.ctx.now()),
        callerNumber: b.callerNumber,
        dialled: b.dialled,
        agent: b.agent,
        postcode: b.postcode,
        areaCode: b.area,
      });
      return { call: callBody(receipt.call, app.ctx.now()), changed: receipt.changed };
    },
  );

  const queueQuery = Type.Object(
    {
      provider: Type.Optional(
        Type.String({ maxLength: 20, description: 'For a system administrator: whose queue' }),
      ),
    },
    { additionalProperties: false },
  );

  r.get(
    '/api/queue',
    {
      config: { access: 'call.read' },
      schema: {
        tags: ['telephony'],
        summary:
          'Your provider’s live queue: calls waiting, longest wait, advisers free, today’s 60-second line',
        querystring: queueQuery,
        response: { 200: LiveQueueSchema },
      },
    },
    async (request) => queueBody(await readLiveQueue(app.ctx, callerOf(request), request.query.provider)),
  );

  r.get(
    '/api/queue/stream',
    {
      config: { access: 'call.read' },
      schema: {
        tags: ['telephony'],
        summary: 'The live queue as server-sent events (`event: queue`), a fresh view every 2 seconds',
        querystring: Type.Object(
          {
            ...queueQuery.properties,
            once: Type.Optional(Type.Boolean({ description: 'Send one view and end the stream' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { provider, once } = request.query;
      // The first view is read before the stream opens, so a refusal is an ordinary problem+json.
      const first = await readLiveQueue(app.ctx, caller, provider);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      const send = (q: LiveQueue) => res.write(`event: queue\ndata: ${JSON.stringify(queueBody(q))}\n\n`);
      send(first);
      if (once) {
        res.end();
        return;
      }
      // Read from the store each time (not pushed from this process), so a call offered on another
      // API node shows too.
      const timer = setInterval(() => {
        readLiveQueue(app.ctx, caller, provider).then(send, (err: unknown) => {
          request.log.warn({ err }, 'queue stream read failed');
        });
      }, QUEUE_PUSH_MS);
      const stop = () => {
        clearInterval(timer);
        streams.delete(stop);
        res.end();
      };
      streams.add(stop);
      request.raw.on('close', stop);
    },
  );

  r.get(
    '/api/demo/switch',
    {
      schema: {
        tags: ['telephony'],
        summary:
          'The demo’s simulated telephony switch: running or paused, and the calls an hour it offers now',
        response: { 200: DemoSwitchSchema },
      },
      config: { access: 'signed-in' },
    },
    async () => demoSwitchState(app.ctx),
  );

  r.put(
    '/api/demo/switch',
    {
      schema: {
        tags: ['telephony'],
        summary: 'Start or pause the simulated switch (demo mode only)',
        body: Type.Object({ running: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: DemoSwitchSchema },
      },
      config: { access: 'demo.switch' },
    },
    async (request) => setDemoSwitch(app.ctx, callerOf(request), request.body.running),
  );
}
