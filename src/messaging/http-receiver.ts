import { DEMO_MESSAGE_KINDS } from './demo-receivers';
import type { Adapter } from './worker';

/**
 * Delivers a message by HTTP POST to `<baseUrl>/<kind>`: the wire headers (with the Idempotency-Key)
 * and the wire body as JSON. A 2xx is the acknowledgement (its text, or the status); anything else, or
 * no answer before the sender's timeout aborts the call, is a failed attempt to be retried.
 */
export function httpReceiver(baseUrl: string): Adapter {
  return async (wire, signal) => {
    const res = await fetch(`${baseUrl}/${encodeURIComponent(wire.body.kind)}`, {
      method: 'POST',
      headers: wire.headers,
      body: JSON.stringify(wire.body),
      signal,
    });
    const text = (await res.text()).slice(0, 500);
    if (!res.ok) throw new Error(`the receiver answered ${res.status}: ${text}`);
    return text || `HTTP ${res.status}`;
  };
}

/** Every kind of message the service sends, to one HTTP receiving system (OPEN111_RECEIVER_URL). */
export function httpAdapters(baseUrl: string): Map<string, Adapter> {
  const deliver = httpReceiver(baseUrl);
  return new Map(DEMO_MESSAGE_KINDS.map((k) => [k, deliver]));
}
