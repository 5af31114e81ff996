/** After this many failed log-ins in a row an account is locked for LOCK_MINUTES. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

export interface LoginAttemptState {
  readonly failedLogins: number;
  readonly lockedUntil: Date | null;
}

export const isLocked = (state: LoginAttemptState, now: Date): boolean =>
  state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();

/** The state after a failed attempt: the fifth failure in a row locks the account. */
export function afterFailedLogin(state: LoginAttemptState, now: Date): LoginAttemptState {
  const failedLogins = state.failedLogins + 1;
  if (failedLogins >= MAX_FAILED_LOGINS) {
    return { failedLogins: 0, lockedUntil: new Date(now.getTime() + LOCK_MINUTES * 60_000) };
  }
  return { failedLogins, lockedUntil: state.lockedUntil };
}

export const afterSuccessfulLogin = (): LoginAttemptState => ({ failedLogins: 0, lockedUntil: null });
