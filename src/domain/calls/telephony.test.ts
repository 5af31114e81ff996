import { describe, expect, it } from 'vitest';
import { checkTelephonyEvent, liveQueue, startOfLondonDay } from './telephony';
import type { Call } from './types';

const call = (id: string, offered: string, answeredAfterS?: number, abandonedAfterS?: number): Call => {
  const offeredAt = new Date(offered);
  const later = (s?: number) => (s === undefined ? null : new Date(offeredAt.getTime() + s * 1000));
  return {
    id,
    status:
      answeredAfterS !== undefined ? 'answered' : abandonedAfterS !== undefined ? 'abandoned' : 'queued',
    offeredAt,
    answeredAt: later(answeredAfterS),
    abandonedAt: later(abandonedAfterS),
    transferredAt: null,
    endedAt: null,
  };
};

describe('the live queue', () => {
  const now = new Date('2012-07-01T09:00:00Z');
  it('orders waiting calls by arrival whatever order they are given in, and measures waits to now', () => {
    const q = liveQueue({
      providerCode: 'NHSD',
      now,
      queued: [
        { ...call('b', '2012-07-01T08:59:30Z'), areaCode: '5GC' },
        { ...call('a', '2012-07-01T08:58:00Z'), areaCode: null, callerNumber: '01582 1' },
      ],
      today: [
        call('x', '2012-07-01T08:00:00Z', 60),
        call('y', '2012-07-01T08:10:00Z', 61),
        call('z', '2012-07-01T08:20:00Z', undefined, 40),
      ],
      advisersSignedIn: 3,
      advisersOnCalls: 5,
    });
    expect(q.waiting.map((w) => [w.callId, w.position, w.waitingSeconds])).toEqual([
      ['a', 1, 120],
      ['b', 2, 30],
    ]);
    expect(q.longestWaitSeconds).toBe(120);
    // More on calls than signed in (a session expired mid-call): nobody is free, never a negative.
    expect(q.advisersFree).toBe(0);
    // 60 s exactly is within the line; 61 s is not.
    expect(q.today).toMatchObject({
      offered: 3,
      answered: 2,
      answeredWithin60s: 1,
      answeredWithin60sPercent: 50,
      abandoned: 1,
    });
    expect(q.today.abandonedPercent).toBeCloseTo(100 / 3);
  });

  it('an empty queue has no wait and no percentages', () => {
    const q = liveQueue({
      providerCode: 'NHSD',
      now,
      queued: [],
      today: [],
      advisersSignedIn: 0,
      advisersOnCalls: 0,
    });
    expect(q.longestWaitSeconds).toBe(0);
    expect(q.today.answeredWithin60sPercent).toBeNull();
    expect(q.today.abandonedPercent).toBeNull();
  });

  it('"today" starts at London midnight: BST in summer, GMT in winter, and across the clock change', () => {
    expect(startOfLondonDay(new Date('2012-07-01T09:00:00Z')).toISOString()).toBe('2012-06-30T23:00:00.000Z');
    expect(startOfLondonDay(new Date('2012-07-01T23:30:00Z')).toISOString()).toBe('2012-07-01T23:00:00.000Z');
    expect(startOfLondonDay(new Date('2012-01-10T00:10:00Z')).toISOString()).toBe('2012-01-10T00:00:00.000Z');
    // 25 March 2012: clocks went forward at 01:00 GMT; the day began at 00:00 GMT.
    expect(startOfLondonDay(new Date('2012-03-25T20:00:00Z')).toISOString()).toBe('2012-03-25T00:00:00.000Z');
  });
});

describe('switch events', () => {
  const base = { type: 'offered', callRef: 'SW-1', at: new Date(), callerNumber: '01582 1' } as const;
  it('refuses a reference that is not one, and a postcode with an area', () => {
    expect(() => checkTelephonyEvent({ ...base, callRef: 'has space' })).toThrow(/not a call reference/);
    expect(() => checkTelephonyEvent({ ...base, postcode: 'LU1 3JU', areaCode: '5GC' })).toThrow(/not both/);
    expect(() => checkTelephonyEvent(base)).not.toThrow();
  });
});
