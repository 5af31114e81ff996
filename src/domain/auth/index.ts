export {
  afterFailedLogin,
  afterSuccessfulLogin,
  isLocked,
  LOCK_MINUTES,
  type LoginAttemptState,
  MAX_FAILED_LOGINS,
} from './lockout';
export { hashPassword, verifyPassword } from './password';
export { type Actor, isRole, ROLES, type Role } from './roles';
