import { conflict, notFound } from '../domain/errors';
import type { MessageStatus } from '../domain/messaging/index';
import {
  findMessageForUpdate,
  listMessages as loadMessages,
  outboxCounts,
  requeue,
  type StoredMessage,
} from '../store/outbox';
import type { ServiceContext } from './context';
import { type Caller, inUseCase, listScope, type ResourceRef } from './use-case';

export type { StoredMessage } from '../store/outbox';

export interface MessageListFilter {
  readonly status?: MessageStatus;
  /** The case (or call) the messages are about. */
  readonly subject?: string;
}

/** The outbox as one reader may see it: the counts by status and the latest messages, both scoped alike. */
export interface Outbox {
  readonly counts: Record<MessageStatus, number>;
  readonly messages: readonly StoredMessage[];
}

const LIST_LIMIT = 200;
const messageResource = (id: number): ResourceRef => ({ type: 'message', id: String(id) });

/**
 * Outbound messages (ambulance dispatch, referrals, GP post-event messages) and their delivery. They
 * carry the patient's details, so a provider's staff see only their own provider's; the read is audited.
 */
export async function listMessages(
  ctx: ServiceContext,
  caller: Caller,
  filter: MessageListFilter,
): Promise<Outbox> {
  const scope = await listScope(ctx, caller, 'message.read', { type: 'outbox' });
  return inUseCase(ctx, caller, async (u) => {
    const messages = await loadMessages(u.tx, { ...filter, scope, limit: LIST_LIMIT });
    const counts = await outboxCounts(u.tx, scope);
    await u.audit(
      'read',
      { type: 'outbox', id: filter.subject ?? null },
      { messages: messages.map((m) => m.id), ...(filter.status ? { status: filter.status } : {}) },
    );
    return { counts, messages };
  });
}

/**
 * Sends a held (dead) message again. Only the provider whose patient it carries may; another's message
 * is "not found", like one that never was (and the attempt is audited).
 */
export async function retryMessage(
  ctx: ServiceContext,
  caller: Caller,
  id: number,
): Promise<{ id: number; status: MessageStatus }> {
  // A role that may never resend is told so before anything is looked up.
  await listScope(ctx, caller, 'message.retry', messageResource(id));
  return inUseCase(ctx, caller, async (u) => {
    const m = await findMessageForUpdate(u.tx, id);
    if (!m) throw notFound(`There is no message ${id}.`);
    await u.allow('message.retry', { providerCode: m.providerCode ?? null }, messageResource(id));
    if (m.status !== 'dead' || !(await requeue(u.tx, id, u.now)))
      throw conflict(`Message ${id} is not held: only a held message can be sent again.`);
    await u.audit('update', messageResource(id), { change: 'requeue', idempotencyKey: m.idempotencyKey });
    return { id, status: 'pending' };
  });
}
