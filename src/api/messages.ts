import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { conflict } from '../domain/errors';
import type { MessageStatus } from '../domain/messaging/index';
import { listMessages, outboxCounts, requeue } from '../messaging/outbox';
import { audit } from '../store/audit';
import { requireRole } from './context';

const OPS = ['system_admin', 'provider_admin', 'governance'] as const;

/** Operations view of outbound messages: what is waiting, what was delivered, what needs a person. */
export async function messagesPlugin(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/messages',
    {
      schema: {
        tags: ['messaging'],
        summary:
          'Outbound messages (ambulance dispatch, referrals, GP post-event messages) and their delivery',
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union(['pending', 'sending', 'delivered', 'dead'].map((s) => Type.Literal(s))),
            ),
            subject: Type.Optional(Type.String({ maxLength: 80 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...OPS);
      const q = request.query as { status?: MessageStatus; subject?: string };
      const messages = await listMessages(app.ctx.store.db, { ...q, limit: 200 });
      await audit(app.ctx.store.db, {
        actor,
        action: 'read',
        resourceType: 'outbox',
        resourceId: q.subject ?? null,
        requestId: request.id,
      });
      return { counts: await outboxCounts(app.ctx.store.db), messages };
    },
  );

  app.post(
    '/api/messages/:id/retry',
    {
      schema: {
        tags: ['messaging'],
        summary: 'Send a held message again',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      },
    },
    async (request, reply) => {
      const actor = requireRole(request.actor, 'system_admin', 'provider_admin');
      const { id } = request.params as { id: number };
      if (!(await requeue(app.ctx.store.db, id, app.ctx.now())))
        throw conflict(`Message ${id} is not held: only a held message can be sent again.`);
      await audit(app.ctx.store.db, {
        actor,
        action: 'update',
        resourceType: 'outbox',
        resourceId: String(id),
        requestId: request.id,
      });
      return reply.code(202).send({ id, status: 'pending' });
    },
  );
}
