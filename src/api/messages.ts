import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  type DemoReceivers,
  demoReceivers,
  listMessages,
  type MessageDetail,
  messageDetail,
  type Outbox,
  retryMessage,
  switchDemoReceiver,
} from '../services/messages';
import { callerOf, typed } from './context';

/** A service answer as it travels: every Date is sent as its ISO string. */
type AsJson<T> = T extends Date
  ? string
  : T extends readonly (infer E)[]
    ? AsJson<E>[]
    : T extends object
      ? { [K in keyof T]: AsJson<T[K]> }
      : T;

/** What GET /api/messages sends (no response schema: the service's answer, dates as strings). */
export type OutboxAnswer = AsJson<Outbox>;
export type MessageDetailAnswer = AsJson<MessageDetail>;
export type DemoReceiversAnswer = AsJson<DemoReceivers>;

const MessageId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const Kind = Type.String({ pattern: '^[a-z_]{1,40}$' });

/** Operations view of outbound messages: what is waiting, what was delivered, what needs a person. */
export async function messagesPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);
  r.get(
    '/api/messages',
    {
      schema: {
        tags: ['messaging'],
        summary:
          'Outbound messages (ambulance dispatch, referrals, GP post-event messages) of your provider, their delivery and the alerts they raise',
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union([
                Type.Literal('pending'),
                Type.Literal('sending'),
                Type.Literal('delivered'),
                Type.Literal('dead'),
              ]),
            ),
            subject: Type.Optional(Type.String({ maxLength: 80 })),
            kind: Type.Optional(Kind),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'message.read' },
    },
    async (request) => listMessages(app.ctx, callerOf(request), request.query),
  );

  r.get(
    '/api/messages/:id',
    {
      schema: {
        tags: ['messaging'],
        summary: 'One outbound message and every attempt to deliver it',
        params: MessageId,
      },
      config: { access: 'message.read' },
    },
    async (request) => messageDetail(app.ctx, callerOf(request), request.params.id),
  );

  r.post(
    '/api/messages/:id/retry',
    {
      schema: {
        tags: ['messaging'],
        summary: 'Send a held message again, or try a waiting one now',
        params: MessageId,
      },
      config: { access: 'message.retry' },
    },
    async (request, reply) =>
      reply.code(202).send(await retryMessage(app.ctx, callerOf(request), request.params.id)),
  );

  r.get(
    '/api/demo-receivers',
    {
      schema: {
        tags: ['messaging'],
        summary: "The demo receiving systems' switches, and what each received and refused as a repeat",
      },
      config: { access: 'receiver.control' },
    },
    async (request) => demoReceivers(app.ctx, callerOf(request)),
  );

  r.put(
    '/api/demo-receivers/:kind',
    {
      schema: {
        tags: ['messaging'],
        summary: 'Switch a demo receiver to fail, answer slowly, never answer (time out), or back to normal',
        params: Type.Object({ kind: Kind }),
        body: Type.Object(
          {
            mode: Type.Union([
              Type.Literal('normal'),
              Type.Literal('fail'),
              Type.Literal('slow'),
              Type.Literal('timeout'),
            ]),
            delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'receiver.control' },
    },
    async (request) => switchDemoReceiver(app.ctx, callerOf(request), request.params.kind, request.body),
  );
}
