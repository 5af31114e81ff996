import type { Bundle, OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Db } from '../store/db';
import { receive, receiveBars, receiverSwitch } from '../store/demo-receivers';
import {
  BARS_EVENT_SYSTEM,
  BARS_KINDS,
  type BundleSource,
  barsAdapter,
  type ProcessMessageResponse,
  type Transport,
} from './bars';
import type { Adapter } from './worker';

/** Waits `ms`, or until the sender gives up on the call. */
const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('the sender gave up'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('the sender gave up'));
      },
      { once: true },
    );
  });

/** How long a receiver switched to `timeout` keeps the sender waiting: longer than any sender waits. */
const HANG_MS = 10 * 60_000;

/**
 * Stand-ins for the systems open111 sends to in a demo (the ambulance trust's CAD, GP practice
 * systems, service providers). Like a real receiver they require the idempotency key (header and body
 * must agree), keep each message once and refuse a repeat (counted, and acknowledged so the sender stops).
 * Each has a switch (`demo_receiver_switch`) to fail, answer slowly or never answer, for demonstrations
 * and the fault tests. A real deployment registers adapters for ITK/FHIR endpoints under the same kinds.
 */
export function demoReceiver(db: Db): Adapter {
  return async (wire, signal) => {
    const s = await receiverSwitch(db, wire.body.kind);
    if (s.mode === 'fail')
      throw new Error(`${wire.body.kind} receiver refused the message (switched to fail)`);
    if (s.mode === 'slow') await wait(s.delayMs, signal);
    if (s.mode === 'timeout') await wait(HANG_MS, signal);
    const key = wire.headers['Idempotency-Key'];
    if (!key || key !== wire.body.idempotencyKey)
      throw new Error('receiver refused the message: its Idempotency-Key header and body disagree');
    const { duplicate } = await receive(db, wire);
    return duplicate
      ? `ACK ${wire.body.destination} ${key} (duplicate refused)`
      : `ACK ${wire.body.destination} ${key}`;
  };
}

export const DEMO_MESSAGE_KINDS = [
  'ambulance_dispatch',
  'referral',
  'gp_post_event',
  'clinician_callback',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const outcome = (
  status: number,
  code: OperationOutcomeIssue['code'],
  severity: OperationOutcomeIssue['severity'],
  diagnostics: string,
  echo: Record<string, string>,
  details?: string,
): ProcessMessageResponse => {
  const body: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity,
        code,
        diagnostics,
        ...(details
          ? {
              details: {
                coding: [{ system: 'https://fhir.nhs.uk/CodeSystem/http-error-codes', code: details }],
              },
            }
          : {}),
      },
    ],
  };
  return { status, headers: echo, body };
};

/** Why a BaRS message Bundle cannot be processed, or undefined when it can. */
export function barsBundleProblem(b: Bundle): string | undefined {
  if (b.resourceType !== 'Bundle' || b.type !== 'message') return 'the body is not a message Bundle';
  const header = b.entry?.[0]?.resource;
  if (header?.resourceType !== 'MessageHeader') return "the Bundle's first entry is not a MessageHeader";
  const event = header.eventCoding;
  if (event?.system !== BARS_EVENT_SYSTEM || !event.code)
    return `the MessageHeader's event is not a BaRS event (${BARS_EVENT_SYSTEM})`;
  const focus = header.focus?.[0]?.reference;
  const resolves = (b.entry ?? []).some(
    (e) => focus && (e.fullUrl === focus || e.fullUrl?.endsWith(`/${focus}`)),
  );
  if (!focus || !resolves) return "the MessageHeader's focus is not in the Bundle";
  return undefined;
}

/**
 * The demo receivers' `$process-message`, as a BaRS receiver answers it: both ids echoed on every
 * answer; 400 (REC_BAD_REQUEST) when one is missing or the Bundle is not a BaRS message; 409
 * (REC_CONFLICT) with issue `duplicate` for an X-Request-ID it has already processed; otherwise the
 * message is kept and acknowledged. The receiver switch (fail, slow, timeout) applies as for the others.
 */
export function demoProcessMessage(db: Db, kind: string): Transport {
  return async (request, signal) => {
    const s = await receiverSwitch(db, kind);
    if (s.mode === 'fail') throw new Error(`${kind} receiver refused the message (switched to fail)`);
    if (s.mode === 'slow') await wait(s.delayMs, signal);
    if (s.mode === 'timeout') await wait(HANG_MS, signal);
    const requestId = request.headers['X-Request-ID'];
    const correlationId = request.headers['X-Correlation-ID'];
    const echo = {
      ...(requestId ? { 'X-Request-ID': requestId } : {}),
      ...(correlationId ? { 'X-Correlation-ID': correlationId } : {}),
    };
    if (!requestId || !UUID.test(requestId) || !correlationId || !UUID.test(correlationId))
      return outcome(
        400,
        'invalid',
        'error',
        'X-Request-ID and X-Correlation-ID are required, each a GUID.',
        echo,
        'REC_BAD_REQUEST',
      );
    const problem = barsBundleProblem(request.body);
    if (problem)
      return outcome(400, 'invalid', 'error', `Not processed: ${problem}.`, echo, 'REC_BAD_REQUEST');
    const destination =
      request.body.entry?.[0]?.resource?.resourceType === 'MessageHeader'
        ? (request.body.entry[0].resource.destination?.[0]?.receiver?.identifier?.value ?? 'unknown')
        : 'unknown';
    const { duplicate } = await receiveBars(db, { requestId, kind, destination, bundle: request.body });
    if (duplicate)
      return outcome(
        409,
        'duplicate',
        'error',
        `Message ${requestId} has already been processed.`,
        echo,
        'REC_CONFLICT',
      );
    return outcome(200, 'informational', 'information', `Message ${requestId} processed.`, echo);
  };
}

/**
 * The demo receivers by kind. With `bars` (serve --demo passes it), referrals and ambulance requests
 * go as BaRS message Bundles through `$process-message` to receivers that speak it; without, every
 * kind keeps the plain JSON wire format (the outbox's own tests use that).
 */
export function demoAdapters(
  db: Db,
  bars?: { readonly source: BundleSource; readonly receiverBase?: string },
): Map<string, Adapter> {
  const receive = demoReceiver(db);
  return new Map(
    DEMO_MESSAGE_KINDS.map((k): [string, Adapter] => [
      k,
      bars && BARS_KINDS.has(k)
        ? barsAdapter(
            bars.source,
            demoProcessMessage(db, k),
            () => bars.receiverBase ?? `urn:open111:demo:${k}`,
          )
        : receive,
    ]),
  );
}
