import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FastifyError } from 'fastify';
import { DomainError, type DomainErrorCode, type FieldProblem } from '../domain/errors';
import { asUnavailable } from '../services/runtime';

/** RFC 9457 problem details, as every /api error is sent. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code:
    | DomainErrorCode
    | 'internal'
    | 'payload_too_large'
    | 'unsupported_media_type'
    | 'method_not_allowed'
    | 'request_timeout'
    | 'uri_too_long'
    | 'headers_too_large'
    | 'service_unavailable';
  readonly problems?: readonly FieldProblem[];
}

const STATUS: Record<DomainErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_many_requests: 429,
  unprocessable: 422,
  unavailable: 503,
};

const TITLE: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Request too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  431: 'Request headers too large',
  500: 'Internal error',
  503: 'Service unavailable',
};

/** Everything that can be thrown at the edge becomes one problem: known errors with their meaning. */
export function toProblem(thrown: unknown, instance?: string): Problem {
  // A lost database is a 503 the client may retry, never a 500.
  const error = asUnavailable(thrown);
  if (error instanceof DomainError) {
    const status = STATUS[error.code];
    return problem(status, error.code, error.message, instance, error.problems);
  }
  const fe = error as Partial<FastifyError> & {
    validation?: {
      keyword?: string;
      instancePath?: string;
      message?: string;
      params?: Record<string, unknown>;
    }[];
    validationContext?: string;
  };
  if (fe && Array.isArray(fe.validation)) {
    const problems = fe.validation.map((v) => {
      const extra =
        v.params && typeof v.params.additionalProperty === 'string'
          ? ` "${v.params.additionalProperty}"`
          : '';
      return {
        pointer: `/${fe.validationContext ?? 'body'}${v.instancePath ?? ''}`,
        message: `${v.message ?? 'is not valid'}${extra}`,
      };
    });
    const first = fe.validation[0];
    const detail = first ? plainSentence(first) : 'The request is not valid.';
    return problem(400, 'invalid', detail, instance, problems);
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'invalid', `The body is not valid JSON: ${fe.message ?? ''}`.trim(), instance);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(
        413,
        'payload_too_large',
        'The request body is larger than this service accepts.',
        instance,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'unsupported_media_type', 'Send JSON (content-type: application/json).', instance);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(400, 'invalid', 'The content-length does not match the body.', instance);
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, 'invalid', fe.message ?? 'The request is not valid.', instance);
  }
  return problem(500, 'internal', 'Something went wrong on our side; it has been logged.', instance);
}

/** A problem the edge itself raises (the router, the HTTP parser), with the status it names. */
export const problemOf = (
  status: number,
  code: Problem['code'],
  detail: string,
  instance?: string,
): Problem => problem(status, code, detail, instance);

function problem(
  status: number,
  code: Problem['code'],
  detail: string,
  instance?: string,
  problems?: readonly FieldProblem[],
): Problem {
  return {
    type: `https://open111.dev/problems/${code}`,
    title: TITLE[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(problems && problems.length > 0 ? { problems } : {}),
  };
}

const FHIR_ISSUE_CODE: Record<string, OperationOutcomeIssue['code']> = {
  invalid: 'invalid',
  unauthenticated: 'login',
  forbidden: 'forbidden',
  not_found: 'not-found',
  conflict: 'conflict',
  precondition_failed: 'conflict',
  too_many_requests: 'throttled',
  unprocessable: 'invalid',
  unavailable: 'transient',
  payload_too_large: 'too-costly',
  unsupported_media_type: 'not-supported',
  method_not_allowed: 'not-supported',
  request_timeout: 'timeout',
  uri_too_long: 'too-long',
  headers_too_large: 'too-long',
  service_unavailable: 'transient',
  internal: 'exception',
};

/** The same problem, said the FHIR way. */
export function toOperationOutcome(p: Problem): OperationOutcome {
  const issues: OperationOutcomeIssue[] =
    p.problems && p.problems.length > 0
      ? p.problems.map((x) => ({
          severity: 'error',
          code: FHIR_ISSUE_CODE[p.code] ?? 'processing',
          diagnostics: x.message,
          expression: [x.pointer],
        }))
      : [{ severity: 'error', code: FHIR_ISSUE_CODE[p.code] ?? 'processing', diagnostics: p.detail }];
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** "patient/birthDate" → "patient's birth date": a field as a person would name it. */
function fieldName(instancePath: string | undefined): string {
  const parts = (instancePath ?? '')
    .split('/')
    .filter((p) => p && !/^\d+$/.test(p))
    .map((p) => p.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
  if (parts.length === 0) return 'the request';
  const last = parts.pop() ?? '';
  return `the ${parts.length ? `${parts.join(' ')}’s ` : ''}${last}`;
}

const capital = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

/** What a schema refusal means, as a sentence (the problems list keeps the pointer and the rule). */
function plainSentence(v: {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}): string {
  const field = fieldName(v.instancePath);
  const p = v.params ?? {};
  switch (v.keyword) {
    case 'required':
      return `${capital(fieldName(`${v.instancePath ?? ''}/${String(p.missingProperty)}`))} is missing.`;
    case 'additionalProperties':
      return `"${String(p.additionalProperty)}" is not something ${field} takes.`;
    case 'format':
      return p.format === 'date'
        ? `${capital(field)} must be a date written YYYY-MM-DD.`
        : p.format === 'date-time'
          ? `${capital(field)} must be a date and time (ISO 8601).`
          : `${capital(field)} is not a valid ${String(p.format)}.`;
    case 'pattern':
      return `${capital(field)} is not in the form expected.`;
    case 'minLength':
      return Number(p.limit) <= 1
        ? `${capital(field)} is empty.`
        : `${capital(field)} is too short: at least ${String(p.limit)} characters.`;
    case 'maxLength':
      return `${capital(field)} is too long: at most ${String(p.limit)} characters.`;
    case 'minimum':
    case 'maximum':
      return `${capital(field)} must be ${v.keyword === 'minimum' ? 'at least' : 'at most'} ${String(p.limit)}.`;
    case 'type':
      return `${capital(field)} must be ${p.type === 'integer' ? 'a whole number' : `a ${String(p.type)}`}.`;
    case 'anyOf':
    case 'const':
    case 'enum':
      return `${capital(field)} is not one of the values allowed.`;
    default:
      return `${capital(field)} ${v.message ?? 'is not valid'}.`;
  }
}
