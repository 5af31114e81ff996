import { createHash } from 'node:crypto';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { WireMessage } from '../domain/messaging/index';
import type { Adapter } from './worker';

/**
 * The NHS Booking and Referral Standard (BaRS) way of sending a referral or an ambulance request: a FHIR
 * message Bundle POSTed to the receiver's `$process-message`, with two headers that make the exchange
 * safe to retry (BaRS "Transactional integrity"):
 * - `X-Request-ID` names this message: a retry of it keeps the same id, so the receiver can tell it has
 *   processed it already and answers 409 with an OperationOutcome issue `duplicate`;
 * - `X-Correlation-ID` names the conversation (the case): every message about one case carries it.
 * The receiver echoes both in its answer; an answer without them did not come from the receiver.
 */
export const BARS_EVENT_SYSTEM = 'https://fhir.nhs.uk/CodeSystem/message-events-bars';
export const BARS_REQUEST_EVENT = 'servicerequest-request';
export const FHIR_JSON = 'application/fhir+json';

/** The message kinds that travel as BaRS messages; the others keep the plain JSON wire format. */
export const BARS_KINDS: ReadonlySet<string> = new Set(['referral', 'ambulance_dispatch']);

export interface ProcessMessageRequest {
  /** `<receiver's FHIR base>/$process-message`. */
  readonly url: string;
  readonly headers: {
    readonly 'X-Request-ID': string;
    readonly 'X-Correlation-ID': string;
    /** The outbox's own key, kept alongside for receivers that read it. */
    readonly 'Idempotency-Key': string;
    readonly 'Content-Type': typeof FHIR_JSON;
  };
  readonly body: Bundle;
}

export interface ProcessMessageResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
}

/** Carries one `$process-message` call to a receiver (over HTTP, or to a demo receiver in process). */
export type Transport = (
  request: ProcessMessageRequest,
  signal: AbortSignal,
) => Promise<ProcessMessageResponse>;

/** Draws the message Bundle for an outbox message (the case's ServiceRequest and what goes with it). */
export type BundleSource = (message: WireMessage) => Promise<Bundle>;

/**
 * A UUID (RFC 9562 version 5 layout) drawn from a name: the same outbox message always gets the same
 * `X-Request-ID`, across retries, senders and restarts, which is what BaRS asks of a retry.
 */
export function nameUuid(namespace: string, name: string): string {
  const h = createHash('sha1').update(`${namespace}:${name}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export const requestIdOf = (idempotencyKey: string): string => nameUuid('open111-request', idempotencyKey);
export const correlationIdOf = (caseId: string): string => nameUuid('open111-case', caseId);

/** The `$process-message` call for one outbox message, its Bundle drawn by `source`. */
export function processMessageRequest(
  wire: WireMessage,
  bundle: Bundle,
  receiverBase: string,
): ProcessMessageRequest {
  return {
    url: `${receiverBase.replace(/\/$/, '')}/$process-message`,
    headers: {
      'X-Request-ID': requestIdOf(wire.body.idempotencyKey),
      'X-Correlation-ID': correlationIdOf(wire.body.subject ?? wire.body.idempotencyKey),
      'Idempotency-Key': wire.body.idempotencyKey,
      'Content-Type': FHIR_JSON,
    },
    body: bundle,
  };
}

const header = (h: ProcessMessageResponse['headers'], name: string): string | undefined =>
  Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

function isOutcome(body: unknown): body is OperationOutcome {
  return (
    typeof body === 'object' &&
    body !== null &&
    'resourceType' in body &&
    body.resourceType === 'OperationOutcome'
  );
}

const diagnosticsOf = (body: unknown): string =>
  isOutcome(body)
    ? (body.issue ?? []).map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; ')
    : 'no OperationOutcome in the answer';

/**
 * What the sender makes of the receiver's answer, as BaRS's sender responsibilities say: an answer that
 * does not echo both ids is a communications failure (retried); 409 with issue `duplicate` means the
 * receiver already has the message (delivered: not retried); any other 2xx is an acknowledgement; the
 * rest fail and are retried by the outbox.
 */
export function acknowledgement(request: ProcessMessageRequest, response: ProcessMessageResponse): string {
  const requestId = request.headers['X-Request-ID'];
  const echoed =
    header(response.headers, 'X-Request-ID') === requestId &&
    header(response.headers, 'X-Correlation-ID') === request.headers['X-Correlation-ID'];
  if (!echoed)
    throw new Error(
      `the answer (HTTP ${response.status}) did not echo X-Request-ID and X-Correlation-ID: not from the receiver`,
    );
  if (
    response.status === 409 &&
    isOutcome(response.body) &&
    (response.body.issue ?? []).some((i) => i.code === 'duplicate')
  )
    return `BaRS ${requestId} already received (409 duplicate)`;
  if (response.status >= 200 && response.status < 300)
    return `BaRS ${requestId} accepted (${response.status})`;
  throw new Error(
    `the receiver refused the message (HTTP ${response.status}): ${diagnosticsOf(response.body)}`,
  );
}

/**
 * An outbox adapter that sends each message as a BaRS message Bundle with `$process-message`. The
 * outbox's idempotency key stays the source of the request id, so the outbox's "each intended effect
 * once" and BaRS's duplicate refusal are the same rule.
 */
export function barsAdapter(
  source: BundleSource,
  transport: Transport,
  receiverBase: (wire: WireMessage) => string,
): Adapter {
  return async (wire, signal) => {
    const request = processMessageRequest(wire, await source(wire), receiverBase(wire));
    return acknowledgement(request, await transport(request, signal));
  };
}

/** `$process-message` over HTTP(S) with fetch, for a receiver at a real FHIR endpoint. */
export const httpTransport: Transport = async (request, signal) => {
  const res = await fetch(request.url, {
    method: 'POST',
    headers: { ...request.headers, Accept: FHIR_JSON },
    body: JSON.stringify(request.body),
    signal,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: kept as text, and reported as "no OperationOutcome".
  }
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body };
};
