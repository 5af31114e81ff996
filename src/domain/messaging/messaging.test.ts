import { describe, expect, it } from 'vitest';
import { afterFailure, MAX_ATTEMPTS, retryDelayMs } from './index';

describe('delivery retries', () => {
  it('backs off exponentially and caps at ten minutes', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(retryDelayMs(30)).toBe(600_000);
  });

  it('keeps retrying until the last attempt, then holds the message for a person', () => {
    const now = new Date('2012-01-01T00:00:00Z');
    expect(afterFailure(MAX_ATTEMPTS - 1, now)).toEqual({
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(MAX_ATTEMPTS - 1)),
    });
    expect(afterFailure(MAX_ATTEMPTS, now)).toEqual({ status: 'dead' });
  });
});
