import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldProblem, invalid } from '../domain/errors';
import { RETRY_AFTER_SECONDS } from '../services/runtime';
import { FHIR_BASE, FHIR_JSON } from './fhir/index';
import { type Problem, problemOf, toOperationOutcome } from './problems';

/**
 * The HTTP edge's own refusals, before any route runs: text PostgreSQL cannot store, numbers no column
 * holds, and the router's and Node's errors (a broken escape, an over-long URL or header, a method the
 * parser does not know), each said as problem+json on /api and as an OperationOutcome on /fhir.
 */

/** Longer than this, a URL is refused with 414 (well under Node's 16 KiB header limit, which gives 431). */
export const MAX_URL_BYTES = 8 * 1024;

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 encoding: either fails in
// the driver or the database as a 500. Refused here, naming the field.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point of this pattern.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Deeper than this, a request's JSON is refused: no request of this service nests more than a few levels. */
export const MAX_JSON_DEPTH = 32;

const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The first piece of text in a parsed request part that the database could not store, or JSON nested
 * deeper than MAX_JSON_DEPTH, with where. Walked with a stack, not recursion, so no depth of nesting can
 * overflow the call stack (which was itself a 500).
 */
export function unstorableText(value: unknown, pointer: string): FieldProblem | undefined {
  const stack: { value: unknown; pointer: string; depth: number }[] = [{ value, pointer, depth: 0 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value: v, pointer: at, depth } = next;
    if (typeof v === 'string') {
      if (!UNSTORABLE.test(v)) continue;
      return {
        pointer: at,
        message: v.includes('\u0000')
          ? 'must not contain a NUL character (U+0000)'
          : 'must be valid Unicode text (it holds a lone UTF-16 surrogate)',
      };
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH)
      return { pointer: at, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
    const entries = Array.isArray(v) ? v.map((item, i) => [String(i), item] as const) : Object.entries(v);
    // Pushed in reverse so the first field is looked at first, as a reader would.
    for (const [key, item] of entries.reverse()) {
      const child = `${at}/${escapePointer(key)}`;
      if (UNSTORABLE.test(key)) return { pointer: child, message: 'is a field name that is not valid text' };
      stack.push({ value: item, pointer: child, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The range an integer without its own bounds must keep to: PostgreSQL's `integer`. */
const INTEGER_RANGE = { minimum: -2_147_483_648, maximum: 2_147_483_647 } as const;
/** A number without its own bounds: finite, and far inside what a `double precision` column holds. */
const NUMBER_RANGE = { minimum: -1e15, maximum: 1e15 } as const;

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The schema with real bounds on every integer and number that has none, so `1e308` (an integer by
 * JSON Schema's definition) is refused at validation rather than overflowing a column in SQL.
 */
export function bounded(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(bounded);
  if (!isSchema(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties`, `patternProperties` and `$defs` map names to schemas; keep the names.
    out[key] =
      (key === 'properties' || key === 'patternProperties' || key === '$defs' || key === 'definitions') &&
      isSchema(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bounded(v)]))
        : key === 'enum' || key === 'const' || key === 'default' || key === 'examples'
          ? value
          : bounded(value);
  }
  const types = [schema.type].flat();
  const range = types.includes('integer')
    ? INTEGER_RANGE
    : types.includes('number')
      ? NUMBER_RANGE
      : undefined;
  if (range) {
    if (out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = range.minimum;
    if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = range.maximum;
  }
  return out;
}

/** Sends a problem the way the path's interface speaks: FHIR under /fhir, problem+json elsewhere. */
export function sendProblem(reply: FastifyReply, url: string, p: Problem): FastifyReply {
  // Unavailable for now (the database): say when to try again.
  if (p.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  if (url.startsWith(FHIR_BASE)) return reply.code(p.status).type(FHIR_JSON).send(toOperationOutcome(p));
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** Errors the router raises before a route is found: a broken escape in the path, an over-long segment. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const url = request.raw.url ?? '/';
  const p =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problemOf(414, 'uri_too_long', 'A part of the path is longer than any id this service has.', url)
      : problemOf(400, 'invalid', 'The path is not valid percent-encoded UTF-8.', url);
  void sendProblem(reply, url, p);
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request: headers over 16 KiB (431; 414 when
 * the request line alone is that long), an unknown method or a malformed request (400), a client that
 * sends too slowly (408). The socket is closed after the answer, as Node does.
 */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Typed as a JSON shape by Fastify, but Node hands over the bytes it could not parse.
  const packet: unknown = error.rawPacket;
  const raw = Buffer.isBuffer(packet) ? packet.toString('latin1') : '';
  const requestLine = raw.split('\r\n', 1)[0] ?? '';
  const path = requestLine.split(' ')[1] ?? '/';
  const lineEnds = raw.indexOf('\r\n');
  let p: Problem;
  if (error.code === 'HPE_HEADER_OVERFLOW' && (lineEnds < 0 || lineEnds > MAX_URL_BYTES))
    p = problemOf(414, 'uri_too_long', `The URL is longer than ${MAX_URL_BYTES} bytes.`);
  else if (error.code === 'HPE_HEADER_OVERFLOW')
    p = problemOf(431, 'headers_too_large', 'The request headers are larger than 16 KiB.');
  else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    p = problemOf(408, 'request_timeout', 'The request was not received in time.');
  else if (error.code === 'HPE_INVALID_METHOD')
    p = problemOf(400, 'invalid', 'The request method is not one this service answers.');
  else p = problemOf(400, 'invalid', 'The request is not valid HTTP.');
  const fhir = path.startsWith(FHIR_BASE);
  const body = JSON.stringify(fhir ? toOperationOutcome(p) : p);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: ${fhir ? FHIR_JSON : 'application/problem+json'}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The hooks every request passes: an over-long URL is refused first; unstorable text before validation. */
export function edgeHooks(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.url && Buffer.byteLength(request.raw.url) > MAX_URL_BYTES) {
      return sendProblem(
        reply,
        request.raw.url,
        problemOf(414, 'uri_too_long', `The URL is longer than ${MAX_URL_BYTES} bytes.`, request.url),
      );
    }
  });
  app.addHook('preValidation', async (request) => {
    const found =
      unstorableText(request.params, '/params') ??
      unstorableText(request.query, '/querystring') ??
      unstorableText(request.body, '/body');
    if (found) throw invalid(`${found.pointer}: ${found.message}`, [found]);
  });
}

/** The edge's settings, from the environment (src/cli/config.ts); every one has a safe default. */
export interface EdgeSettings {
  /** Where users reach open111 (OPEN111_PUBLIC_URL): https turns on HSTS and `Secure` cookies. */
  readonly publicUrl?: string;
  /** A bearer token for /metrics and /docs outside demo mode (OPEN111_OPS_TOKEN). */
  readonly opsToken?: string;
  /** Serve /metrics and /docs to anyone, even outside demo mode (OPEN111_PUBLIC_OPS=1). */
  readonly publicOps?: boolean;
  /** Sign-in attempts allowed per address and per username in each window. */
  readonly loginLimits?: Partial<LoginLimits>;
  /**
   * Which proxies in front of open111 to believe about the client (OPEN111_TRUST_PROXY): their
   * X-Forwarded-For gives the address sign-in limits count by, and X-Forwarded-Proto https makes the
   * session cookie `Secure`. Fastify's `trustProxy`: true (any), a number of hops, or addresses/CIDRs.
   */
  readonly trustProxy?: TrustProxy;
  /** Live queue streams one node keeps open at once (OPEN111_MAX_QUEUE_STREAMS; default in streams.ts). */
  readonly maxQueueStreams?: number;
}

export type TrustProxy = boolean | number | string;

/**
 * OPEN111_TRUST_PROXY as Fastify takes it: unset or "false"/"0" trusts no proxy (the socket's address is
 * the client's); "true" trusts any; a whole number, that many hops; else a comma-separated list of
 * addresses or CIDR ranges (e.g. "10.0.0.0/8,127.0.0.1").
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') return true;
  if (/^[0-9]+$/.test(v)) return Number(v);
  const parts = v.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/.test(p)))
    throw new Error(
      `OPEN111_TRUST_PROXY must be true, a number of hops, or addresses/CIDR ranges separated by commas, not "${value}".`,
    );
  return parts.join(',');
}

export interface LoginLimits {
  readonly perAddress: number;
  readonly perAccount: number;
  readonly windowMs: number;
}

/**
 * 30 sign-ins per address and 50 per username every 15 minutes: an office behind one address signs in
 * freely, while one address guessing is stopped long before it could try many passwords (and each
 * username locks from it after 5 wrong ones; services/auth.ts).
 */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAddress: 30, perAccount: 50, windowMs: 15 * 60_000 };

export const servedOverTls = (settings: EdgeSettings): boolean =>
  settings.publicUrl?.toLowerCase().startsWith('https://') ?? false;

/**
 * Security headers. The console is built by Vite into module scripts and stylesheets of its own origin,
 * so scripts stay 'self' only; styles allow 'unsafe-inline' because Recharts and Swagger UI set style
 * attributes. Nothing may frame open111 (clickjacking of a clinical screen); HSTS only when the public
 * URL is https, since sending it over plain HTTP on a laptop would pin localhost to TLS.
 */
export function helmetOptions(settings: EdgeSettings): FastifyHelmetOptions {
  const tls = servedOverTls(settings);
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        ...(tls ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  };
}

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * /metrics and /docs tell an outsider how open111 is built and how busy it is: in demo mode (or with
 * OPEN111_PUBLIC_OPS=1) anyone may read them; otherwise only a caller with OPEN111_OPS_TOKEN, and with
 * no token set they are not there at all (404).
 */
export function guardOperations(app: FastifyInstance, settings: EdgeSettings): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const ops = path === '/metrics' || path === '/docs' || path.startsWith('/docs/');
    if (!ops || app.ctx.demo || settings.publicOps) return;
    const given = request.headers.authorization?.startsWith('Bearer ')
      ? request.headers.authorization.slice('Bearer '.length).trim()
      : undefined;
    if (settings.opsToken && given && sameSecret(given, settings.opsToken)) return;
    if (!settings.opsToken)
      return sendProblem(
        reply,
        path,
        problemOf(404, 'not_found', `There is nothing at ${request.method} ${path}.`, path),
      );
    return sendProblem(
      reply,
      path,
      problemOf(
        401,
        'unauthenticated',
        'Send "Authorization: Bearer <OPEN111_OPS_TOKEN>" to read this.',
        path,
      ),
    );
  });
}
