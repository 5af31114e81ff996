import { fromLondon, toLondon } from '../directory/london-time';
import { invalid } from '../errors';
import { callKpis } from './kpis';
import type { Call, CallEventKind } from './types';

/**
 * What an automatic call distributor (the telephony switch) tells open111 about a call, as its CTI
 * adapter sends it. Each (callRef, type) is taken once: a switch that repeats an event after a
 * time-out changes nothing.
 */
export type TelephonyEventType = CallEventKind;

export interface TelephonyEvent {
  readonly type: TelephonyEventType;
  /** The switch's own reference for the call. */
  readonly callRef: string;
  readonly at: Date;
  /** The caller's number as presented (CLI); "withheld" when the caller withheld it. */
  readonly callerNumber: string;
  /** The number the caller dialled (111, or a provider's direct line). */
  readonly dialled?: string | undefined;
  /** The switch's agent (log-in or extension) that answered or transferred it. */
  readonly agent?: string | undefined;
  /** Where the caller is, when the switch knows: a postcode from the network, or the area. */
  readonly postcode?: string | undefined;
  readonly areaCode?: string | undefined;
}

const CALL_REF = /^[\w.:-]{1,64}$/;

/** Refuses an event no switch could mean: a reference that is not one, or two places at once. */
export function checkTelephonyEvent(e: TelephonyEvent): void {
  if (!CALL_REF.test(e.callRef))
    throw invalid(
      `"${e.callRef}" is not a call reference: use 1 to 64 letters, digits, dots, colons, dashes or underscores.`,
      [{ pointer: '/body/callRef', message: 'Letters, digits, . : - _ only, at most 64.' }],
    );
  if (e.postcode && e.areaCode)
    throw invalid('Send the caller’s postcode or their area, not both: they could disagree.', [
      { pointer: '/body/area', message: 'Leave out the area when the postcode is sent.' },
    ]);
}

/** A call waiting in the queue, as the wallboard shows it. */
export interface QueuedCallView {
  readonly callId: string;
  /** 1 is answered next. */
  readonly position: number;
  readonly waitingSeconds: number;
  readonly areaCode: string | null;
  readonly callerNumber: string | null;
  readonly offeredAt: Date;
}

/** A provider's live queue: what an adviser, a floor manager and the wallboard watch. */
export interface LiveQueue {
  readonly providerCode: string;
  readonly at: Date;
  readonly waiting: readonly QueuedCallView[];
  readonly longestWaitSeconds: number;
  readonly advisersSignedIn: number;
  readonly advisersOnCalls: number;
  readonly advisersFree: number;
  /** Since midnight (Europe/London) today. */
  readonly today: {
    readonly offered: number;
    readonly answered: number;
    readonly answeredWithin60s: number;
    readonly answeredWithin60sPercent: number | null;
    readonly abandoned: number;
    /** Abandoned as a share of calls offered today. */
    readonly abandonedPercent: number | null;
  };
}

/** Midnight at the start of the London day that `now` falls in (clock changes included). */
export function startOfLondonDay(now: Date): Date {
  return new Date(fromLondon(toLondon(now.getTime()).date, 0));
}

/**
 * The live queue from the calls waiting (oldest first) and today's calls: positions in order of
 * arrival, waits measured to `now`, and the day's 60-second line. Pure: the caller loads the calls.
 */
export function liveQueue(input: {
  readonly providerCode: string;
  readonly now: Date;
  readonly queued: readonly (Call & { areaCode: string | null; callerNumber?: string | null })[];
  readonly today: readonly Call[];
  readonly advisersSignedIn: number;
  readonly advisersOnCalls: number;
}): LiveQueue {
  const waiting = [...input.queued]
    .sort((a, b) => a.offeredAt.getTime() - b.offeredAt.getTime())
    .map((c, i) => ({
      callId: c.id,
      position: i + 1,
      waitingSeconds: Math.max(0, Math.round((input.now.getTime() - c.offeredAt.getTime()) / 1000)),
      areaCode: c.areaCode,
      callerNumber: c.callerNumber ?? null,
      offeredAt: c.offeredAt,
    }));
  const k = callKpis(input.today);
  return {
    providerCode: input.providerCode,
    at: input.now,
    waiting,
    longestWaitSeconds: waiting[0]?.waitingSeconds ?? 0,
    advisersSignedIn: input.advisersSignedIn,
    advisersOnCalls: input.advisersOnCalls,
    advisersFree: Math.max(0, input.advisersSignedIn - input.advisersOnCalls),
    today: {
      offered: k.offered,
      answered: k.answered,
      answeredWithin60s: k.answeredWithin60s,
      answeredWithin60sPercent: k.answeredWithin60sPercent,
      abandoned: k.abandoned,
      abandonedPercent: k.offered === 0 ? null : (100 * k.abandoned) / k.offered,
    },
  };
}
