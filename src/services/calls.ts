import { randomUUID } from 'node:crypto';
import type { RecordRef } from '../domain/auth/index';
import {
  applyCallEvent,
  type CallEvent,
  type CallStatus,
  checkCallTime,
  offeredCall,
} from '../domain/calls/index';
import { conflict, notFound } from '../domain/errors';
import {
  findCall,
  findCallForUpdate,
  insertCall,
  callEvents as loadCallEvents,
  listCalls as loadCalls,
  type StoredCall,
  saveCallEvent,
} from '../store/calls';
import type { ServiceContext } from './context';
import { locate } from './locate';
import { type Caller, inUseCase, listScope } from './use-case';

export type { StoredCall as HandledCall } from '../store/calls';

/** Where a call belongs, as the policy reads it: the provider answering it and the caller's area. */
const callRecord = (call: StoredCall): RecordRef => ({
  providerCode: call.providerCode,
  areaCode: call.areaCode,
});

// Random, so API nodes behind a load balancer never hand out the same id.
const newCallId = () => `C-${randomUUID()}`;

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
export async function offerCall(ctx: ServiceContext, caller: Caller, offer: CallOffer): Promise<StoredCall> {
  return inUseCase(ctx, caller, async (u) => {
    const at = offer.at ?? u.now;
    checkCallTime('offered', at, u.now);
    let areaCode: string | null = null;
    if (offer.postcode) {
      areaCode = (await locate(ctx, offer.postcode, at, u.tx)).area.code;
    } else if (offer.areaCode) {
      areaCode = offer.areaCode.toUpperCase();
      if (!(await ctx.geography()).areas.has(areaCode))
        throw notFound(`There is no commissioning area "${offer.areaCode}".`);
    }
    let providerCode = caller.actor.organisationCode;
    if (areaCode) {
      const decision = await ctx.route(areaCode, at);
      if (!decision.live || !decision.provider) {
        throw conflict(
          `111 is not live in ${decision.areaName} on ${at.toISOString().slice(0, 10)}. ${decision.advice ?? ''}`.trim(),
        );
      }
      providerCode = decision.provider.code;
    }
    const call: StoredCall = { ...offeredCall(newCallId(), at), areaCode, providerCode };
    await u.allow('call.offer', callRecord(call), { type: 'call_queue', id: areaCode ?? providerCode });
    await insertCall(u.tx, call, caller.actor.userId);
    await u.audit('create', { type: 'call', id: call.id });
    return call;
  });
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
  return inUseCase(ctx, caller, async (u) => {
    const event: CallEvent = { callId, kind: happening.kind, at: happening.at ?? u.now };
    checkCallTime(happening.kind, event.at, u.now);
    // Locked, so two advisers cannot both answer it.
    const call = await findCallForUpdate(u.tx, callId);
    if (!call) throw notFound(`There is no call ${callId}.`);
    await u.allow('call.record', callRecord(call), { type: 'call', id: callId });
    const next: StoredCall = {
      ...applyCallEvent(call, event),
      areaCode: call.areaCode,
      providerCode: call.providerCode,
    };
    await saveCallEvent(u.tx, next, event, caller.actor.userId);
    await u.audit('update', { type: 'call', id: callId }, { event: happening.kind });
    return next;
  });
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
    ...(scope.kind === 'provider' ? { providerCode: scope.providerCode } : {}),
    ...(scope.kind === 'areas' ? { areaCodes: scope.areaCodes } : {}),
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
