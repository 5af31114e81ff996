/**
 * One family of domain errors. Each carries a code with a meaning; the HTTP edge maps the code once
 * to an RFC 9457 problem+json status and once to a FHIR OperationOutcome issue code.
 */
export type DomainErrorCode =
  | 'invalid'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthenticated'
  | 'precondition_failed'
  | 'too_many_requests'
  /** Well-formed but not acceptable as sent (an Idempotency-Key reused for another request): 422. */
  | 'unprocessable'
  /** A part the service needs (the database) cannot be reached now; try again shortly: 503. */
  | 'unavailable';

export interface FieldProblem {
  /** Where the problem is, e.g. `/body/goLiveDate` or `pathway chest-pain / node q3`. */
  readonly pointer: string;
  readonly message: string;
  /** The rule that was broken, when one is named (e.g. `procurement-six-months-before-go-live`). */
  readonly rule?: string;
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly problems: readonly FieldProblem[];

  constructor(code: DomainErrorCode, message: string, problems: readonly FieldProblem[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.problems = problems;
  }
}

export const invalid = (message: string, problems: readonly FieldProblem[] = []): DomainError =>
  new DomainError('invalid', message, problems);
export const notFound = (message: string): DomainError => new DomainError('not_found', message);
export const conflict = (message: string): DomainError => new DomainError('conflict', message);
export const forbidden = (message: string): DomainError => new DomainError('forbidden', message);
export const unauthenticated = (message: string): DomainError => new DomainError('unauthenticated', message);
export const preconditionFailed = (message: string): DomainError =>
  new DomainError('precondition_failed', message);
export const tooManyRequests = (message: string): DomainError =>
  new DomainError('too_many_requests', message);

export const unavailable = (message: string): DomainError => new DomainError('unavailable', message);

export const isDomainError = (value: unknown): value is DomainError => value instanceof DomainError;
