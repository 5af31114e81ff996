import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listMessages, retryMessage } from '../services/messages';
import { callerOf, typed } from './context';

/** Operations view of outbound messages: what is waiting, what was delivered, what needs a person. */
export async function messagesPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);
  r.get(
    '/api/messages',
    {
      schema: {
        tags: ['messaging'],
        summary:
          'Outbound messages (ambulance dispatch, referrals, GP post-event messages) of your provider and their delivery',
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
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'message.read' },
    },
    async (request) => listMessages(app.ctx, callerOf(request), request.query),
  );

  r.post(
    '/api/messages/:id/retry',
    {
      schema: {
        tags: ['messaging'],
        summary: 'Send a held message again',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
      },
      config: { access: 'message.retry' },
    },
    async (request, reply) =>
      reply.code(202).send(await retryMessage(app.ctx, callerOf(request), request.params.id)),
  );
}
