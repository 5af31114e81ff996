import { randomUUID } from 'node:crypto';
import { type RecordRef, scopeFilter } from '../domain/auth/index';
import {
  applyCallEvent,
  type CallEvent,
  type CallStatus,
  checkCallTime,
  momentOnCall,
  offeredCall,
} from '../domain/calls/index';
import { conflict, notFound } from '../domain/errors';
import {
  callEventSaveGuarded,
  callInsert,
  findCall,
  callEvents as loadCallEvents,
  listCalls as loadCalls,
  type StoredCall,
} from '../store/calls';
import type { Db, Tx } from '../store/db';
import { answerOldestQueued, callsFromNumber } from '../store/telephony';
import type { ServiceContext } from './context';
import type { Idempotent } from './idempotency';
import { locate } from './locate';
import {
  auditEntry,
  authorize,
  type Caller,
  DECIDE_ATTEMPTS,
  inUseCase,
  keptChanging,
  listScope,
} from './use-case';

export type { StoredCall as HandledCall } from '../store/calls';

/** Where a call belongs, as the policy reads it: the provider answering it and the caller's area. */
export const callRecord = (call: StoredCall): RecordRef => ({
  providerCode: call.providerCode,
  areaCode: call.areaCode,
});

// Random, so API nodes behind a load balancer never hand out the same id.
export const newCallId = () => `C-${randomUUID()}`;

export interface CallOffer {
  /** The caller's postcode (full or district), from which the area is found. */
  readonly postcode?: string | undefined;
  /** The caller's area, when the switch knows it but not the postcode. */
  readonly areaCode?: string | undefined;
  /** When the switch offered it; now when not given. */
  readonly at?: Date | undefined;
}

/**
 * A call is offered to the queue (by the telephony switch, or an adviser taking one by hand). Placed by
 * the caller's area, it goes to the provider commissioned there at that instant, and the offering
 * member of staff must be one who may put calls into that provider's queue.
 */
export async function offerCall(
  ctx: ServiceContext,
  caller: Caller,
  offer: CallOffer,
  idem?: Idempotent<StoredCall>,
): Promise<StoredCall> {
  return inUseCase(
    ctx,
    caller,
    async (u) => {
      const at = offer.at ?? u.now;
      checkCallTime('offered', at, u.now);
      const placed = await placeCall(ctx, u.tx, offer, at, caller.actor.organisationCode);
      const call: StoredCall = { ...offeredCall(newCallId(), at), ...placed };
      await u.allow('call.offer', callRecord(call), {
        type: 'call_queue',
        id: placed.areaCode ?? placed.providerCode,
      });
      u.later(...callInsert(u.tx, call, caller.actor.userId));
      await u.audit('create', { type: 'call', id: call.id });
      return call;
    },
    idem,
  );
}

/**
 * Where an offered call queues: the caller's area (from the postcode, or as given) and the provider
 * commissioned there at that instant; with neither, the offerer's own provider (`fallbackProvider`).
 * One copy of the routing, for calls offered by hand and by the telephony switch.
 */
export async function placeCall(
  ctx: ServiceContext,
  tx: Db | Tx,
  offer: Pick<CallOffer, 'postcode' | 'areaCode'>,
  at: Date,
  fallbackProvider: string,
): Promise<{ areaCode: string | null; providerCode: string }> {
  let areaCode: string | null = null;
  if (offer.postcode) {
    areaCode = (await locate(ctx, offer.postcode, at, tx)).area.code;
  } else if (offer.areaCode) {
    areaCode = offer.areaCode.toUpperCase();
    if (!(await ctx.geography()).areas.has(areaCode))
      throw notFound(`There is no commissioning area "${offer.areaCode}".`);
  }
  if (!areaCode) return { areaCode, providerCode: fallbackProvider };
  const decision = await ctx.route(areaCode, at);
  if (!decision.live || !decision.provider) {
    throw conflict(
      `111 is not live in ${decision.areaName} on ${at.toISOString().slice(0, 10)}. ${decision.advice ?? ''}`.trim(),
    );
  }
  return { areaCode, providerCode: decision.provider.code };
}

export interface CallHappening {
  readonly kind: Exclude<CallEvent['kind'], 'offered'>;
  /** When it happened; now when not given. */
  readonly at?: Date | undefined;
}

/** Records what happened to a call: answered, abandoned, transferred (to a clinician) or ended. */
export async function recordCallEvent(
  ctx: ServiceContext,
  caller: Caller,
  callId: string,
  happening: CallHappening,
): Promise<StoredCall> {
  const db = ctx.store.db;
  const resource = { type: 'call', id: callId };
  // Without a lock: decided on the call as read, written only if it is still so (store/calls.ts), and
  // decided again on what it has become when another event got in first (two advisers answering).
  for (let attempt = 1; ; attempt += 1) {
    const now = ctx.now();
    if (happening.at) checkCallTime(happening.kind, happening.at, now);
    const call = await findCall(db, callId);
    if (!call) throw notFound(`There is no call ${callId}.`);
    await authorize(ctx, caller, 'call.record', callRecord(call), resource);
    const event: CallEvent = { callId, kind: happening.kind, at: happening.at ?? momentOnCall(call, now) };
    const next: StoredCall = {
      ...applyCallEvent(call, event),
      areaCode: call.areaCode,
      providerCode: call.providerCode,
    };
    const trail = [auditEntry(caller, 'update', resource, { event: happening.kind })];
    if (await callEventSaveGuarded(db, call.status, next, event, caller.actor.userId, trail)) return next;
    if (attempt === DECIDE_ATTEMPTS) throw keptChanging(`Call ${callId}`);
  }
}

export interface CallQuery {
  readonly status?: CallStatus | undefined;
  readonly limit: number;
}

/** The calls the caller may see (their provider's), newest first; the queue is `status: 'queued'`. */
export async function listCalls(
  ctx: ServiceContext,
  caller: Caller,
  query: CallQuery,
): Promise<StoredCall[]> {
  const scope = await listScope(ctx, caller, 'call.read', { type: 'call' });
  return loadCalls(ctx.store.db, {
    ...scopeFilter(scope),
    ...(query.status ? { status: query.status } : {}),
    limit: query.limit,
  });
}

/** One call's recorded events, in order; the read is audited, another provider's call is not found. */
export async function callEvents(ctx: ServiceContext, caller: Caller, callId: string): Promise<CallEvent[]> {
  return inUseCase(ctx, caller, async (u) => {
    const call = await findCall(u.tx, callId);
    if (!call) throw notFound(`There is no call ${callId}.`);
    await u.allow('call.read', callRecord(call), { type: 'call', id: callId });
    await u.audit('read', { type: 'call', id: callId });
    return loadCallEvents(u.tx, callId);
  });
}

/**
 * "Answer next call": the longest-waiting call of the adviser's own provider is answered by them, now.
 * Undefined when nobody is waiting. A call another adviser is answering at the same moment is skipped,
 * so two advisers never get the same call.
 */
export async function answerNextCall(ctx: ServiceContext, caller: Caller): Promise<StoredCall | undefined> {
  const org = caller.actor.organisationCode;
  // The policy's scope for recording calls, applied in the statement itself, as a list is filtered by
  // its scope: the statement takes only a call of the adviser's own provider (a provider's scope is
  // that), and of the scope's areas when it is a scope of areas. A role without the permission is
  // refused here (and audited).
  const scope = await listScope(ctx, caller, 'call.record', { type: 'call_queue', id: org });
  const entry = auditEntry(caller, 'update', { type: 'call' }, { event: 'answered', via: 'answer-next' });
  const { areaCodes } = scopeFilter(scope);
  return answerOldestQueued(ctx.store.db, {
    providerCode: org,
    areaCodes,
    now: ctx.now(),
    answeredBy: caller.actor.userId,
    entry,
  });
}

/** How far back an earlier call from the same number makes this one a repeat call. */
export const REPEAT_CALLER_HOURS = 72;

export interface RepeatCaller {
  /** Earlier calls from the same number to the same provider within 72 hours before this one. */
  readonly earlier: readonly { readonly callId: string; readonly offeredAt: Date; readonly status: string }[];
  readonly repeat: boolean;
}

/**
 * Whether the caller rang before (same presented number, same provider, within 72 hours): the
 * adviser is warned, since a second call about the same problem is a known sign of a missed illness.
 */
export async function repeatCaller(
  ctx: ServiceContext,
  caller: Caller,
  callId: string,
): Promise<RepeatCaller> {
  return inUseCase(ctx, caller, async (u) => {
    const call = await findCall(u.tx, callId);
    if (!call) throw notFound(`There is no call ${callId}.`);
    await u.allow('call.read', callRecord(call), { type: 'call', id: callId });
    if (!call.callerNumber || call.callerNumber === 'withheld') return { earlier: [], repeat: false };
    const since = new Date(call.offeredAt.getTime() - REPEAT_CALLER_HOURS * 3_600_000);
    const earlier = (await callsFromNumber(u.tx, call.callerNumber, since, call.providerCode))
      .filter((c) => c.id !== call.id && c.offeredAt.getTime() <= call.offeredAt.getTime())
      .map((c) => ({ callId: c.id, offeredAt: c.offeredAt, status: c.status }));
    await u.audit('read', { type: 'call', id: callId }, { via: 'repeat-caller' });
    return { earlier, repeat: earlier.length > 0 };
  });
}
