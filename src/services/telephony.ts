import {
  applyCallEvent,
  type CallEvent,
  checkCallTime,
  checkTelephonyEvent,
  type LiveQueue,
  liveQueue,
  offeredCall,
  startOfLondonDay,
  type TelephonyEvent,
} from '../domain/calls/index';
import { conflict } from '../domain/errors';
import {
  callEventSave,
  callInsert,
  findCall as findCallById,
  listCalls as loadCalls,
  type StoredCall,
} from '../store/calls';
import type { Db, Tx } from '../store/db';
import {
  adviserAvailability,
  findCallByRefForUpdate,
  findTelephonyEvent,
  lockCallRef,
  offeredEventInsert,
  queuedCalls,
  telephonyEventInsert,
} from '../store/telephony';
import { callRecord, newCallId, placeCall } from './calls';
import type { ServiceContext } from './context';
import { type Caller, inOneStatement, inUseCase, listScope } from './use-case';

export interface TelephonyReceipt {
  readonly call: StoredCall;
  /** False when this (callRef, type) had been received before, or the call had already got there. */
  readonly changed: boolean;
}

/** When an event's moment is already on the call (the adviser answered in the console before the switch said so). */
function alreadyHappened(call: StoredCall, type: Exclude<TelephonyEvent['type'], 'offered'>): boolean {
  switch (type) {
    case 'answered':
      return call.answeredAt !== null;
    case 'abandoned':
      return call.abandonedAt !== null;
    case 'transferred':
      return call.transferredAt !== null;
    case 'ended':
      return call.endedAt !== null;
  }
}

/**
 * What the telephony switch reports about a call (its CTI adapter). An offered call is routed, by the
 * caller's postcode or area, to the provider commissioned there and queues there; with neither, it
 * queues at the switch account's own provider. Idempotent by (callRef, type): a repeat changes nothing
 * and answers with the call as it is.
 */
export async function receiveTelephonyEvent(
  ctx: ServiceContext,
  caller: Caller,
  event: TelephonyEvent,
): Promise<TelephonyReceipt> {
  checkTelephonyEvent(event);
  await listScope(ctx, caller, 'telephony.event', { type: 'call_queue' });
  const { type } = event;
  if (type === 'offered') return receiveOffered(ctx, caller, event);
  return inUseCase(ctx, caller, async (u) => {
    await lockCallRef(u.tx, event.callRef);
    const seen = await repeatOf(u.tx, event);
    if (seen) return seen;
    checkCallTime(event.type, event.at, u.now);
    const call = await findCallByRefForUpdate(u.tx, event.callRef);
    if (!call)
      throw conflict(
        `No call "${event.callRef}" was offered: the switch must send its "offered" event before "${event.type}".`,
      );
    await u.allow('telephony.event', callRecord(call), { type: 'call', id: call.id });
    u.later(telephonyEventInsert(u.tx, event, call.id));
    // The console may have got there first (an adviser pressed "answer next"): the switch's word is
    // kept, and the call is not moved twice.
    if (alreadyHappened(call, type)) return { call, changed: false };
    const happening: CallEvent = { callId: call.id, kind: type, at: event.at };
    const next: StoredCall = {
      ...call,
      ...applyCallEvent(call, happening),
      ...(event.agent ? { agent: event.agent } : {}),
    };
    u.later(...callEventSave(u.tx, next, happening, caller.actor.userId));
    await u.audit('update', { type: 'call', id: call.id }, { event: event.type, via: 'telephony' });
    return { call: next, changed: true };
  });
}

/** The call a (callRef, type) received before made or moved, unchanged: what a repeat is answered with. */
async function repeatOf(db: Db | Tx, event: TelephonyEvent): Promise<TelephonyReceipt | undefined> {
  const seen = await findTelephonyEvent(db, event.callRef, event.type);
  const call = seen && (await findCallById(db, seen.callId));
  return call ? { call, changed: false } : undefined;
}

/**
 * A call offered by the switch, routed and queued in one statement without a transaction: the call,
 * its first event, the switch's event (taking the reference's lock, as the other events do, for the
 * rest of the statement) and the audit row. A repeat is not looked for first: the (callRef, type) key
 * refuses it, and whatever refused the write (that key, or a time or an area no longer accepted) a
 * repeat is then answered with the call the first one made. BEGIN, the lock, the look for a repeat and
 * COMMIT were four of its five round trips.
 */
async function receiveOffered(
  ctx: ServiceContext,
  caller: Caller,
  event: TelephonyEvent,
): Promise<TelephonyReceipt> {
  try {
    return await inOneStatement(ctx, caller, async (u) => {
      checkCallTime(event.type, event.at, u.now);
      const placed = await placeCall(
        ctx,
        u.db,
        { postcode: event.postcode, areaCode: event.areaCode },
        event.at,
        caller.actor.organisationCode,
      );
      const call: StoredCall = {
        ...offeredCall(newCallId(), event.at),
        ...placed,
        callRef: event.callRef,
        callerNumber: event.callerNumber,
        dialled: event.dialled ?? null,
        agent: null,
      };
      await u.allow('telephony.event', callRecord(call), { type: 'call_queue', id: placed.providerCode });
      u.later(...callInsert(u.db, call, caller.actor.userId), offeredEventInsert(event, call.id));
      await u.audit('create', { type: 'call', id: call.id }, { via: 'telephony', callRef: event.callRef });
      return { call, changed: true };
    });
  } catch (err) {
    const seen = await repeatOf(ctx.store.db, event);
    if (seen) return seen;
    throw err;
  }
}

/**
 * A provider's live queue: the calls waiting with their positions and waits, advisers free, and
 * today's 60-second line. Provider staff see their own provider's; a system administrator names one.
 */
export async function readLiveQueue(
  ctx: ServiceContext,
  caller: Caller,
  providerCode?: string,
): Promise<LiveQueue> {
  const scope = await listScope(ctx, caller, 'call.read', { type: 'call_queue' });
  const provider =
    scope.kind === 'provider' ? scope.providerCode : (providerCode ?? caller.actor.organisationCode);
  const db = ctx.store.db;
  const now = ctx.now();
  const [queued, today, advisers] = await Promise.all([
    queuedCalls(db, provider),
    loadCalls(db, { providerCode: provider, from: startOfLondonDay(now), to: new Date(now.getTime() + 1) }),
    adviserAvailability(db, provider, now),
  ]);
  return liveQueue({
    providerCode: provider,
    now,
    queued,
    today,
    advisersSignedIn: advisers.signedIn,
    advisersOnCalls: advisers.onCalls,
  });
}
