import { describe, expect, it } from 'vitest';
import { applyCallEvent, callFromEvents, callKpis, checkCallTime, momentOnCall, offeredCall } from './index';

const t0 = new Date('2012-03-03T09:00:00Z');
const secondsLater = (s: number) => new Date(t0.getTime() + s * 1000);

describe('call lifecycle', () => {
  it('rebuilds a call from its events', () => {
    const call = callFromEvents([
      { callId: 'c1', kind: 'offered', at: t0 },
      { callId: 'c1', kind: 'answered', at: secondsLater(20) },
      { callId: 'c1', kind: 'transferred', at: secondsLater(300) },
      { callId: 'c1', kind: 'ended', at: secondsLater(900) },
    ]);
    expect(call).toMatchObject({
      status: 'ended',
      answeredAt: secondsLater(20),
      transferredAt: secondsLater(300),
      endedAt: secondsLater(900),
    });
  });

  it.each([
    ['answering an abandoned call', 'abandoned', 'answered'],
    ['abandoning an answered call', 'answered', 'abandoned'],
    ['transferring an unanswered call', null, 'transferred'],
  ] as const)('refuses %s', (_what, first, second) => {
    let call = offeredCall('c2', t0);
    if (first) call = applyCallEvent(call, { callId: 'c2', kind: first, at: secondsLater(5) });
    expect(() => applyCallEvent(call, { callId: 'c2', kind: second, at: secondsLater(10) })).toThrow(
      /cannot be/,
    );
  });

  it('refuses time running backwards and a call that does not start with an offer', () => {
    expect(() =>
      applyCallEvent(offeredCall('c3', t0), { callId: 'c3', kind: 'answered', at: secondsLater(-1) }),
    ).toThrow(/before/);
    expect(() => callFromEvents([{ callId: 'c4', kind: 'answered', at: t0 }])).toThrow(/starts with/);
  });

  it('records what the console does now at the server clock, but never before the call’s last event', () => {
    // The switch stamped the offer two seconds ahead of the server's clock: answering it at once is
    // an answer at its offer, which the lifecycle takes, not a refusal.
    const ahead = offeredCall('c5', secondsLater(2));
    const answeredAt = momentOnCall(ahead, t0);
    expect(answeredAt).toEqual(secondsLater(2));
    const answered = applyCallEvent(ahead, { callId: 'c5', kind: 'answered', at: answeredAt });
    expect(momentOnCall(answered, secondsLater(60))).toEqual(secondsLater(60));
  });
});

describe('call times at their edges', () => {
  const now = new Date('2012-03-03T11:00:00Z');
  it('accepts 1 January 2010 and five minutes ahead of the clock, and nothing beyond', () => {
    expect(() => checkCallTime('offered', new Date('2010-01-01T00:00:00Z'), now)).not.toThrow();
    expect(() => checkCallTime('offered', new Date('2009-12-31T23:59:59.999Z'), now)).toThrow(/2010/);
    expect(() => checkCallTime('answered', new Date(now.getTime() + 300_000), now)).not.toThrow();
    expect(() => checkCallTime('answered', new Date(now.getTime() + 300_001), now)).toThrow(/future/);
  });
});

describe('call KPIs at their edges', () => {
  const answeredAfter = (id: string, s: number) =>
    callFromEvents([
      { callId: id, kind: 'offered', at: t0 },
      { callId: id, kind: 'answered', at: secondsLater(s) },
    ]);
  const abandonedAfter = (id: string, s: number) =>
    callFromEvents([
      { callId: id, kind: 'offered', at: t0 },
      { callId: id, kind: 'abandoned', at: secondsLater(s) },
    ]);

  it('counts an answer at exactly 60 s as within 60 s, and 60.5 s as not', () => {
    const k = callKpis([answeredAfter('a', 60), answeredAfter('b', 60.5), answeredAfter('c', 0)]);
    expect(k.answered).toBe(3);
    expect(k.answeredWithin60s).toBe(2);
    expect(k.answeredWithin60sPercent).toBeCloseTo(66.67, 1);
  });

  it('splits abandonment at 30 and 60 seconds; only waits over 30 s count against the target', () => {
    const k = callKpis([
      abandonedAfter('a', 30),
      abandonedAfter('b', 31),
      abandonedAfter('c', 60),
      abandonedAfter('d', 61),
      answeredAfter('e', 1),
    ]);
    expect([k.abandonedWithin30s, k.abandonedAfter30sWithin60s, k.abandonedAfter60s]).toEqual([1, 2, 1]);
    expect(k.abandonedAfter30sPercent).toBe(60);
    expect(k.offered).toBe(5);
  });

  it('has no percentages for no calls, rather than dividing by zero', () => {
    const k = callKpis([]);
    expect(k.answeredWithin60sPercent).toBeNull();
    expect(k.abandonedAfter30sPercent).toBeNull();
  });
});
