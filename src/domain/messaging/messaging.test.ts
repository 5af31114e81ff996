import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  type DeliveryState,
  deliveryAlerts,
  MAX_ATTEMPTS,
  NEVER_GIVEN_UP_INTERVAL_MS,
  retryDelayMs,
  toWire,
} from './index';

describe('delivery retries', () => {
  const now = new Date('2012-01-01T00:00:00Z');

  it('backs off exponentially and caps at ten minutes', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(retryDelayMs(30)).toBe(600_000);
  });

  it('keeps retrying until the last attempt, then holds an ordinary message for a person', () => {
    expect(afterFailure('gp_post_event', MAX_ATTEMPTS - 1, now)).toEqual({
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(MAX_ATTEMPTS - 1)),
    });
    expect(afterFailure('gp_post_event', MAX_ATTEMPTS, now)).toEqual({ status: 'dead' });
  });

  it('never gives up an ambulance dispatch: past the ordinary attempts it is retried every 30 s', () => {
    expect([1, 4, 5, 6].map((n) => retryDelayMs(n, 'ambulance_dispatch'))).toEqual([
      2_000, 16_000, 30_000, 30_000,
    ]);
    for (const attempts of [MAX_ATTEMPTS, MAX_ATTEMPTS + 1, 1_000]) {
      expect(afterFailure('ambulance_dispatch', attempts, now)).toEqual({
        status: 'pending',
        nextAttemptAt: new Date(now.getTime() + NEVER_GIVEN_UP_INTERVAL_MS),
      });
    }
  });
});

describe('the message on the wire', () => {
  it('carries its idempotency key in a header and in the body', () => {
    const wire = toWire({ kind: 'referral', destination: 'SVC1', idempotencyKey: 'k-1', payload: { a: 1 } });
    expect(wire.headers['Idempotency-Key']).toBe('k-1');
    expect(wire.body).toEqual({
      idempotencyKey: 'k-1',
      kind: 'referral',
      destination: 'SVC1',
      subject: null,
      payload: { a: 1 },
    });
  });
});

describe('delivery alerts', () => {
  const state = (over: Partial<DeliveryState>): DeliveryState => ({
    id: 1,
    kind: 'ambulance_dispatch',
    destination: 'RYC',
    status: 'pending',
    attempts: 1,
    lastError: 'CAD down',
    failingSince: new Date('2012-01-01T00:00:10Z'),
    ...over,
  });

  it('raises one for a dispatch from its first failure, and for a held message; none for a message not failing', () => {
    const alerts = deliveryAlerts([
      state({ id: 1, kind: 'gp_post_event', status: 'dead', failingSince: new Date('2012-01-01T00:00:00Z') }),
      state({ id: 2 }),
      state({ id: 3, failingSince: null, lastError: null, attempts: 0 }),
      state({ id: 4, kind: 'gp_post_event', status: 'pending' }),
      state({ id: 5, status: 'delivered' }),
    ]);
    expect(alerts.map((a) => `${a.kind} ${a.messageId}`)).toEqual(['dispatch_failing 2', 'held 1']);
    expect(alerts[0]?.message).toMatch(/Ambulance dispatch 2 to RYC .* still retrying/);
  });
});
