import { conflict, invalid } from '../errors';
import type { Call, CallEvent, CallEventKind, CallStatus } from './types';

/** Which event may follow which: a queued call is answered or abandoned; an answered one may be transferred. */
const NEXT: Record<CallStatus, readonly CallEventKind[]> = {
  queued: ['answered', 'abandoned'],
  answered: ['transferred', 'ended'],
  transferred: ['ended'],
  abandoned: [],
  ended: [],
};

/** 111 did not exist before its first pilots: no call can have happened earlier. */
export const SERVICE_START = new Date('2010-01-01T00:00:00Z');
/** How far ahead of our clock a telephony switch's clock may run before its times are not believed. */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;

/**
 * Refuses a time no call could have: one before 111 existed, or one in the future beyond a switch's
 * clock drift. The KPIs are measured from these times, so an absurd one would corrupt every report.
 */
export function checkCallTime(what: string, at: Date, now: Date): void {
  if (at.getTime() < SERVICE_START.getTime()) {
    throw invalid(
      `The ${what} time ${at.toISOString()} is before 1 January 2010: NHS 111 did not exist then. Send the time the call actually happened.`,
    );
  }
  if (at.getTime() > now.getTime() + CLOCK_TOLERANCE_MS) {
    throw invalid(
      `The ${what} time ${at.toISOString()} is in the future: it is more than 5 minutes after the server's clock (${now.toISOString()}). Check the sending clock.`,
    );
  }
}

export function offeredCall(id: string, at: Date): Call {
  return {
    id,
    status: 'queued',
    offeredAt: at,
    answeredAt: null,
    abandonedAt: null,
    transferredAt: null,
    endedAt: null,
  };
}

/** The latest moment already on a call (its offer, answer or transfer). */
function latestMoment(call: Call): number {
  const moments = [call.offeredAt, call.answeredAt, call.transferredAt].filter((d): d is Date => d !== null);
  return Math.max(...moments.map((d) => d.getTime()));
}

/**
 * When something the console records now happens on a call (an adviser pressing "answer next" or
 * "end"): the server's clock, but never before the call's last event. The switch stamps its own
 * events and its clock may run a moment ahead of ours (CLOCK_TOLERANCE_MS allows it), so a call
 * offered "in a second's time" can be answered at once: it is answered at its offer, not refused.
 */
export function momentOnCall(call: Call, now: Date): Date {
  return new Date(Math.max(now.getTime(), latestMoment(call)));
}

/** Applies one event to a call, refusing what cannot happen (answering an abandoned call, time running backwards). */
export function applyCallEvent(call: Call, event: CallEvent): Call {
  if (event.callId !== call.id) throw invalid(`Event for call ${event.callId} applied to call ${call.id}.`);
  if (event.kind === 'offered') throw conflict(`Call ${call.id} was already offered.`);
  if (!NEXT[call.status].includes(event.kind)) {
    throw conflict(`Call ${call.id} is ${call.status}: it cannot be ${event.kind} now.`);
  }
  if (event.at.getTime() < latestMoment(call)) {
    throw invalid(
      `Call ${call.id}: ${event.kind} at ${event.at.toISOString()} is before its previous event.`,
    );
  }
  switch (event.kind) {
    case 'answered':
      return { ...call, status: 'answered', answeredAt: event.at };
    case 'abandoned':
      return { ...call, status: 'abandoned', abandonedAt: event.at };
    case 'transferred':
      return { ...call, status: 'transferred', transferredAt: event.at };
    case 'ended':
      return { ...call, status: 'ended', endedAt: event.at };
  }
}

/** Rebuilds a call from its events (the first must be `offered`). */
export function callFromEvents(events: readonly CallEvent[]): Call {
  const [first, ...rest] = events;
  if (first?.kind !== 'offered') throw invalid('A call starts with an "offered" event.');
  return rest.reduce(applyCallEvent, offeredCall(first.callId, first.at));
}

/** Seconds the caller waited in the queue: to answer, or to hanging up. Null while still queued. */
export function waitSeconds(call: Call): number | null {
  const end = call.answeredAt ?? call.abandonedAt;
  return end ? (end.getTime() - call.offeredAt.getTime()) / 1000 : null;
}
