import { describe, expect, it } from 'vitest';
import type { OpenSession } from '../store/users';
import { SessionCache } from './session-cache';

const session = (userId: number): OpenSession => ({
  actor: {
    userId,
    username: `user-${userId}`,
    displayName: `User ${userId}`,
    role: 'health_adviser',
    organisationCode: 'RYEA1',
  },
  demo: false,
  expiresAt: new Date('2013-04-01T21:00:00Z'),
  lastSeenAt: new Date('2013-04-01T09:00:00Z'),
});

describe('SessionCache', () => {
  it('keeps a session for its time to live, then asks again', () => {
    let ms = 0;
    const cache = new SessionCache(false, 5_000, 10, () => ms);
    cache.put('a', session(1), cache.mark());
    ms = 4_999;
    expect(cache.get('a')?.actor.userId).toBe(1);
    ms = 5_000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds at most its size, dropping the least recently used', () => {
    const cache = new SessionCache(false, 5_000, 2, () => 0);
    cache.put('a', session(1), cache.mark());
    cache.put('b', session(2), cache.mark());
    cache.get('a');
    cache.put('c', session(3), cache.mark());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.actor.userId).toBe(1);
    expect(cache.get('c')?.actor.userId).toBe(3);
  });

  it('forgets every session of a user, and refuses a read that began before it forgot', () => {
    const cache = new SessionCache(false, 5_000, 10, () => 0);
    cache.put('a', session(1), cache.mark());
    cache.put('b', session(1), cache.mark());
    cache.put('c', session(2), cache.mark());
    const before = cache.mark();
    cache.forgetUser(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')?.actor.userId).toBe(2);
    // A read of user 1's session that was under way when the session ended: not kept.
    cache.put('a', session(1), before);
    expect(cache.get('a')).toBeUndefined();
  });

  it('on PostgreSQL keeps nothing unless this process hears the announcements', () => {
    const cache = new SessionCache(true, 5_000, 10, () => 0);
    cache.put('a', session(1), cache.mark());
    expect(cache.get('a')).toBeUndefined();
    const stop = cache.listening();
    cache.put('a', session(1), cache.mark());
    expect(cache.get('a')?.actor.userId).toBe(1);
    stop();
    expect(cache.get('a')).toBeUndefined();
  });
});
