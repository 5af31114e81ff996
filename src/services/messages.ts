import { conflict, notFound } from '../domain/errors';
import {
  type DeliveryAlert,
  deliveryAlerts,
  type MessageStatus,
  NEVER_GIVEN_UP,
} from '../domain/messaging/index';
import {
  type ReceiverMode,
  type ReceiverSwitch,
  type ReceiverTally,
  receiverSwitches,
  receiverTallies,
  setReceiverSwitch,
} from '../store/demo-receivers';
import {
  countsByReceiver,
  type DeliveryAttempt,
  deliveryHistory,
  failingMessages,
  findMessageForUpdate,
  listMessages as loadMessages,
  outboxHealth as loadOutboxHealth,
  type OutboxHealth,
  outboxCounts,
  requeue,
  retryNow,
  type StoredMessage,
} from '../store/outbox';
import type { ServiceContext } from './context';
import { type Caller, inUseCase, listScope, type ResourceRef } from './use-case';

export type { DeliveryAlert } from '../domain/messaging/index';
export type { ReceiverMode, ReceiverSwitch, ReceiverTally } from '../store/demo-receivers';
export type { DeliveryAttempt, OutboxHealth, StoredMessage } from '../store/outbox';

export interface MessageListFilter {
  readonly status?: MessageStatus;
  /** The case (or call) the messages are about. */
  readonly subject?: string;
  /** The kind of message, which names its receiving system (e.g. `ambulance_dispatch`). */
  readonly kind?: string;
}

/**
 * The outbox as one reader may see it, all scoped alike: the counts by status and by receiving system,
 * the alerts (a failing ambulance dispatch, a held message), and the latest messages.
 */
export interface Outbox {
  readonly counts: Record<MessageStatus, number>;
  readonly receivers: Record<string, Record<MessageStatus, number>>;
  readonly alerts: readonly DeliveryAlert[];
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
    const receivers = await countsByReceiver(u.tx, scope);
    const alerts = deliveryAlerts(await failingMessages(u.tx, scope));
    await u.audit(
      'read',
      { type: 'outbox', id: filter.subject ?? null },
      { messages: messages.map((m) => m.id), ...(filter.status ? { status: filter.status } : {}) },
    );
    return { counts, receivers, alerts, messages };
  });
}

export interface MessageDetail {
  readonly message: StoredMessage;
  /** Every attempt to deliver it, newest first (the latest 100), and how many there were. */
  readonly history: { readonly total: number; readonly attempts: readonly DeliveryAttempt[] };
}

/** One message and its delivery history; another provider's is "not found". */
export async function messageDetail(ctx: ServiceContext, caller: Caller, id: number): Promise<MessageDetail> {
  await listScope(ctx, caller, 'message.read', messageResource(id));
  return inUseCase(ctx, caller, async (u) => {
    const message = await findMessageForUpdate(u.tx, id);
    if (!message) throw notFound(`There is no message ${id}.`);
    await u.allow('message.read', { providerCode: message.providerCode ?? null }, messageResource(id));
    const history = await deliveryHistory(u.tx, id);
    await u.audit('read', messageResource(id));
    return { message, history };
  });
}

/**
 * Sends a message again: a held one gets a fresh round of attempts (its history is kept); one waiting
 * out its backoff is tried now. Only the provider whose patient it carries may; another's message is
 * "not found", like one that never was (and the attempt is audited).
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
    const change =
      m.status === 'dead' && (await requeue(u.tx, id, u.now))
        ? 'requeue'
        : m.status === 'pending' && (await retryNow(u.tx, id, u.now))
          ? 'retry now'
          : undefined;
    if (!change)
      throw conflict(
        `Message ${id} is ${m.status === 'delivered' ? 'delivered' : 'being sent'}: only a held or waiting message can be sent again.`,
      );
    await u.audit('update', messageResource(id), { change, idempotencyKey: m.idempotencyKey });
    return { id, status: 'pending' };
  });
}

/**
 * The numbers monitoring reads (/metrics), over the whole service: no patient details, no caller (the
 * endpoint's own access setting decides who may scrape it).
 */
export async function outboxHealth(ctx: ServiceContext): Promise<OutboxHealth> {
  return loadOutboxHealth(ctx.store.db, ctx.now(), [...NEVER_GIVEN_UP]);
}

export interface DemoReceivers {
  /** Whether this server delivers to the demo receivers at all (only with --demo). */
  readonly active: boolean;
  readonly switches: readonly ReceiverSwitch[];
  readonly tallies: readonly ReceiverTally[];
}

const receiversResource: ResourceRef = { type: 'demo_receiver' };

/** The demo receivers' switches and what each has received and refused as a repeat. */
export async function demoReceivers(ctx: ServiceContext, caller: Caller): Promise<DemoReceivers> {
  await listScope(ctx, caller, 'receiver.control', receiversResource);
  return {
    active: ctx.demo,
    switches: await receiverSwitches(ctx.store.db),
    tallies: await receiverTallies(ctx.store.db),
  };
}

/** Switches one demo receiver to fail, answer slowly, never answer, or back to normal; audited. */
export async function switchDemoReceiver(
  ctx: ServiceContext,
  caller: Caller,
  kind: string,
  input: { mode: ReceiverMode; delayMs?: number },
): Promise<ReceiverSwitch> {
  await listScope(ctx, caller, 'receiver.control', { type: 'demo_receiver', id: kind });
  const now = ctx.now();
  const delayMs = input.mode === 'slow' ? (input.delayMs ?? 3_000) : 0;
  await inUseCase(ctx, caller, async (u) => {
    await setReceiverSwitch(u.tx, {
      kind,
      mode: input.mode,
      delayMs,
      updatedBy: caller.actor.username,
      updatedAt: now,
    });
    await u.audit('update', { type: 'demo_receiver', id: kind }, { mode: input.mode, delayMs });
  });
  return { kind, mode: input.mode, delayMs, updatedBy: caller.actor.username, updatedAt: now };
}
