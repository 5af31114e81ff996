export {
  afterFailedLogin,
  afterSuccessfulLogin,
  isLocked,
  LOCK_MINUTES,
  type LoginAttemptState,
  MAX_FAILED_LOGINS,
} from './lockout';
export { hashPassword, verifyPassword } from './password';
export {
  areasUnder,
  type Decision,
  decide,
  inScope,
  isNational,
  type ListScope,
  NATIONAL_ORGANISATION,
  type OrganisationTree,
  PERMISSIONS,
  type Permission,
  POLICY,
  type Reach,
  type RecordRef,
  rolesWith,
  type ScopeFilter,
  scopeFilter,
  scopeOf,
} from './policy';
export { type Actor, isRole, ROLES, type Role } from './roles';
