import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { LiveQueue } from '../domain/calls/index';
import { unavailable } from '../domain/errors';
import { demoSwitchState, setDemoSwitch } from '../services/demo-switch';
import { readLiveQueue, receiveTelephonyEvent } from '../services/telephony';
import { CallSchema, callBody } from './calls';
import { callerOf, typed } from './context';
import { parseAt } from './geography';
import { DEFAULT_MAX_QUEUE_STREAMS, StreamRegistry } from './streams';

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
export async function telephonyPlugin(
  app: FastifyInstance,
  options: { maxQueueStreams?: number } = {},
): Promise<void> {
  const r = typed(app);
  // Open queue streams, at most so many a node, ended before the server closes (they would otherwise
  // hold it open). Monitoring sees how many are open, and so would see them leak.
  const streams = new StreamRegistry(options.maxQueueStreams ?? DEFAULT_MAX_QUEUE_STREAMS);
  app.addHook('preClose', async () => streams.stopAll());
  new Gauge({
    name: 'open111_queue_streams_open',
    help: `Live queue streams (server-sent events) open on this node, at most ${streams.limit}`,
    registers: [app.metrics],
    collect() {
      this.set(streams.size);
    },
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
      // A 503 (with Retry-After, as every 503): a load balancer may send the console to another node.
      if (!once && streams.full) {
        throw unavailable(
          `This node has ${streams.limit} live queue streams open, its most: try again shortly, or read GET /api/queue.`,
        );
      }
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
      let stopped = false;
      const stop = () => {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        streams.delete(stop);
        res.end();
      };
      // No await since the check above, so this place is still free.
      streams.add(stop);
      // The response's 'close' is the connection's end, whichever side ends it. A console that went
      // away while the first view was read has closed already: nothing more would come to stop it.
      res.on('close', stop);
      if (res.destroyed || !res.socket || res.socket.destroyed) stop();
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
