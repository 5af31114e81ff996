import { describe, expect, it } from 'vitest';
import { afterFailedLogin, afterSuccessfulLogin, isLocked, LOCK_MINUTES, MAX_FAILED_LOGINS } from './lockout';
import { hashPassword, verifyPassword } from './password';

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct hors', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('demo')).not.toBe(await hashPassword('demo'));
  });

  it('refuses a malformed stored hash rather than throwing', async () => {
    expect(await verifyPassword('demo', 'plaintext')).toBe(false);
  });
});

describe('lock-out', () => {
  const now = new Date('2026-01-01T10:00:00Z');

  it(`locks on the ${MAX_FAILED_LOGINS}th failure in a row, for ${LOCK_MINUTES} minutes`, () => {
    let state = afterSuccessfulLogin();
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
      state = afterFailedLogin(state, now);
      expect(isLocked(state, now)).toBe(false);
    }
    state = afterFailedLogin(state, now);
    expect(isLocked(state, now)).toBe(true);
    expect(isLocked(state, new Date(now.getTime() + LOCK_MINUTES * 60_000 - 1))).toBe(true);
    expect(isLocked(state, new Date(now.getTime() + LOCK_MINUTES * 60_000))).toBe(false);
  });
});
