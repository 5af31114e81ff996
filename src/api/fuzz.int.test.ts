import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { freshStore } from '../../test/engines';
import { type Permission, POLICY } from '../domain/auth/index';
import type { Store } from '../store/db';
import type { RouteAccess } from './context';

/**
 * Every route of the OpenAPI document, sent what an attacker or a broken client sends: malformed JSON,
 * wrong types, unknown fields, huge strings, NUL bytes and lone surrogates, odd percent-encoding, path
 * traversal and numbers at the edges. No answer may be a 5xx, and every refusal must be problem+json on
 * /api and an OperationOutcome on /fhir. Each route is asked as a member of staff its access allows, so
 * the requests get past sign-in and the policy into validation, the services and the SQL.
 *
 * Bounded: a fixed set of edge requests and RUNS random ones per route, seeded, on PGlite only (the
 * edges are the same on both engines; the engine-specific 500s came from SQL, which PGlite speaks too).
 */

const RUNS = 8;
const SEED = 111;

interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
}

interface Parameter {
  readonly in: string;
  readonly name: string;
  readonly schema: JsonSchema;
  readonly required?: boolean;
}

interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: JsonSchema }> };
}

interface OpenApi {
  readonly paths: Record<string, Record<string, Operation>>;
}

/** Strings that broke, or could break, something between the edge and the database. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '../../../../etc/passwd',
  '..\\..\\windows',
  '%00',
  '%',
  '%zz',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  '1e308',
  '-1',
  'NaN',
  'Infinity',
  '9007199254740993',
  '2012-02-30',
  '2012-06-01T25:61:00Z',
  '\u202e\u200b',
  '😀'.repeat(50),
  'x'.repeat(300),
  'y'.repeat(70_000),
];

const NASTY_NUMBERS = [1e308, -1e308, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -1, 0, -0, 0.5, 1e-308, 99_999];

/** Path and query text as it may arrive on the wire, undecoded: broken escapes and overlong UTF-8. */
const RAW_URL_PARTS = [
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%ED%A0%80',
  '%00',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  'a'.repeat(5000),
  '%F0%9F%98%80',
];

/** Over the 1 MiB body limit, and a 70 kB query string (made once: they are sent to every route). */
const OVERSIZED_BODY = JSON.stringify({ big: 'z'.repeat(1_100_000) });
const HUGE_QUERY_VALUE = 'z'.repeat(70_000);

/** Bodies that are not JSON, or JSON of the wrong shape. */
const RAW_BODIES = [
  '{"a":',
  '}',
  'null',
  '123',
  '[]',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"x":"\\ud800"}',
  '{"x":"\\u0000"}',
  `{"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  '\u0000',
];

const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  // Lone surrogates among ordinary text: what a broken UTF-16 client sends.
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 5 }),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        fc.string({ maxLength: 5 }),
      )
      .map(([a, unit, b]) => `${a}${String.fromCharCode(unit)}${b}`),
  },
);
const nastyNumber = fc.oneof(fc.constantFrom(...NASTY_NUMBERS), fc.double({ noNaN: true }), fc.integer());
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.constantFrom(null, true, [], {}),
  fc.jsonValue({ maxDepth: 2 }),
);

const typesOf = (s: JsonSchema): readonly string[] =>
  s.type === undefined ? [] : typeof s.type === 'string' ? [s.type] : s.type;

/** A value the schema would take, as far as a sketch of it can say. */
function plausible(s: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const choices = s.anyOf ?? s.oneOf;
  if (choices && choices.length > 0) return fc.oneof(...choices.map((c) => value(c, depth)));
  const type = typesOf(s)[0];
  switch (type) {
    case 'object': {
      if (depth > 3) return fc.constant({});
      const props = Object.entries(s.properties ?? {});
      const model = Object.fromEntries(props.map(([k, p]) => [k, value(p, depth + 1)]));
      const known = fc.record(model, { requiredKeys: [...(s.required ?? [])] });
      // Now and then a field nobody declared, which must be refused rather than dropped.
      return fc.oneof(
        { weight: 4, arbitrary: known },
        { weight: 1, arbitrary: known.map((o) => ({ ...o, unexpectedField: 'x' })) },
      );
    }
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(value(s.items ?? {}, depth + 1), { maxLength: 3 });
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? 0, -1e6), max: Math.min(s.maximum ?? 1000, 1e6) });
    case 'number':
      return fc.double({ min: s.minimum ?? -180, max: s.maximum ?? 180, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string':
      if (s.format === 'date') return fc.constantFrom('2012-06-01', '2013-04-01');
      if (s.format === 'date-time') return fc.constantFrom('2012-06-01T10:00:00Z', '2013-03-31T23:59:59Z');
      if (s.format === 'uuid') return fc.uuid();
      return fc.string({ maxLength: Math.min(s.maxLength ?? 12, 12) });
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** Mostly plausible, sometimes nasty: so the nasty part of a request is often the only thing wrong. */
const value = (s: JsonSchema, depth: number): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: plausible(s, depth) }, { weight: 1, arbitrary: nasty });

/** Percent-encodes text; a lone surrogate has no UTF-8, so it goes as the bytes a careless encoder makes. */
function encode(text: string): string {
  let out = '';
  for (const ch of text) {
    const unit = ch.charCodeAt(0);
    if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** A URL part: an encoded value (plausible or nasty), or raw bytes as a broken client sends them. */
const urlPart = (s: JsonSchema): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: value(s, 0).map((v) => encode(typeof v === 'string' ? v : JSON.stringify(v))) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_PARTS) },
  );

interface RouteUnderTest {
  readonly method: string;
  /** The OpenAPI path, with `{name}` for each path parameter. */
  readonly path: string;
  readonly operation: Operation;
}

function routesOf(doc: OpenApi): RouteUnderTest[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

const bodySchemaOf = (op: Operation): JsonSchema | undefined => {
  const content = op.requestBody?.content;
  return content ? Object.values(content)[0]?.schema : undefined;
};

/** One random request to a route: each path and query parameter, and the body, drawn as above. */
function requestArbitrary(route: RouteUnderTest): fc.Arbitrary<InjectOptions> {
  const params = route.operation.parameters ?? [];
  const inPath = params.filter((p) => p.in === 'path');
  const inQuery = params.filter((p) => p.in === 'query');
  const bodySchema = bodySchemaOf(route.operation);
  const pathArb = fc
    .tuple(...inPath.map((p) => urlPart(p.schema)))
    .map((values) => inPath.reduce((url, p, i) => url.replace(`{${p.name}}`, values[i] ?? ''), route.path));
  const queryArb = fc
    .tuple(...inQuery.map((p) => fc.option(urlPart(p.schema), { nil: undefined })))
    .chain((values) =>
      fc
        .constantFrom('', '&unknownParam=1', `&${inQuery[0]?.name ?? 'q'}=1&${inQuery[0]?.name ?? 'q'}=2`)
        .map((extra) =>
          inQuery
            .flatMap((p, i) => (values[i] === undefined ? [] : [`${p.name}=${values[i]}`]))
            .join('&')
            .concat(extra),
        ),
    );
  const bodyArb: fc.Arbitrary<string | undefined> = bodySchema
    ? fc.oneof(
        { weight: 4, arbitrary: plausible(bodySchema, 0).map((b) => JSON.stringify(b)) },
        { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) },
      )
    : fc.option(fc.constantFrom(...RAW_BODIES), { nil: undefined });
  return fc.tuple(pathArb, queryArb, bodyArb).map(([path, query, body]) => ({
    method: route.method as InjectOptions['method'],
    url: query ? `${path}?${query.replace(/^&/, '')}` : path,
    ...(body === undefined ? {} : { payload: body, headers: { 'content-type': 'application/json' } }),
  }));
}

/** The fixed edge cases every route gets, besides the random ones. */
function edgeRequests(route: RouteUnderTest): InjectOptions[] {
  const method = route.method as InjectOptions['method'];
  const filled = (part: string) => route.path.replace(/\{[^}]+\}/g, part);
  const hasParams = route.path.includes('{');
  const out: InjectOptions[] = hasParams ? RAW_URL_PARTS.map((part) => ({ method, url: filled(part) })) : [];
  out.push({ method, url: `${filled('x')}?q=${HUGE_QUERY_VALUE}` });
  out.push({ method, url: `${filled('x')}?%=%&%zz=1&a=%E0%A4%A` });
  if (bodySchemaOf(route.operation)) {
    for (const body of RAW_BODIES)
      out.push({ method, url: filled('x'), payload: body, headers: { 'content-type': 'application/json' } });
    out.push({ method, url: filled('x'), payload: 'a=1', headers: { 'content-type': 'text/plain' } });
    out.push({
      method,
      url: filled('x'),
      payload: OVERSIZED_BODY,
      headers: { 'content-type': 'application/json' },
    });
  }
  return out;
}

/** Who to ask a route as: the administrator where the policy lets them, else the first role it names. */
const DEMO_LOGIN: Record<string, string> = {
  system_admin: 'admin',
  health_adviser: 'adviser',
  clinician: 'clinician',
  provider_admin: 'provider',
  commissioner: 'national',
  dos_lead: 'doslead',
  governance: 'governance',
};

function loginFor(access: RouteAccess | undefined): string | undefined {
  if (access === undefined || access === 'public') return undefined;
  if (access === 'signed-in') return 'admin';
  const roles = Object.keys(POLICY[access as Permission]);
  const role = roles.includes('system_admin') ? 'system_admin' : roles[0];
  return role ? DEMO_LOGIN[role] : 'admin';
}

/** What is wrong with an answer, or undefined when it is an acceptable one. */
function fault(url: string, res: LightMyRequestResponse): string | undefined {
  if (res.statusCode >= 500) return `${res.statusCode}: ${res.body.slice(0, 300)}`;
  if (res.statusCode < 400) return undefined;
  const type = String(res.headers['content-type'] ?? '');
  if (url.startsWith('/fhir/')) {
    if (!type.startsWith('application/fhir+json')) return `${res.statusCode} as ${type}, not FHIR JSON`;
    const body = res.json<{ resourceType?: string }>();
    return body.resourceType === 'OperationOutcome'
      ? undefined
      : `${res.statusCode} is not an OperationOutcome`;
  }
  if (!type.startsWith('application/problem+json')) return `${res.statusCode} as ${type}, not problem+json`;
  const body = res.json<{ status?: number; type?: string }>();
  return body.status === res.statusCode && typeof body.type === 'string'
    ? undefined
    : `${res.statusCode} problem says status ${body.status}`;
}

describe('fuzzing every route of the OpenAPI document [pglite]', () => {
  let store: Store;
  let api: TestApi;
  let app: FastifyInstance;
  const auth = new Map<string, { authorization: string }>();

  beforeAll(async () => {
    store = await freshStore('pglite');
    api = await testApi(store);
    app = api.app;
    await app.ready();
    for (const login of new Set(Object.values(DEMO_LOGIN))) auth.set(login, await api.login(login));
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('answers every malformed request with a 4xx problem (never a 5xx), on every route', async () => {
    const doc = app.swagger() as unknown as OpenApi;
    const routes = routesOf(doc);
    const access = new Map(app.routeTable.map((r) => [`${r.method} ${r.url}`, r.access]));
    expect(routes.length).toBeGreaterThan(50);
    // Signing out ends the session the later routes use: it goes last.
    routes.sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));
    const faults: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const key = `${route.method} ${route.path.replace(/\{([^}]+)\}/g, ':$1')}`;
      const login = loginFor(access.get(key));
      const headers = login ? auth.get(login) : undefined;
      const send = async (request: InjectOptions) => {
        sent += 1;
        const res = await app.inject({ ...request, headers: { ...headers, ...request.headers } });
        const wrong = fault(String(request.url), res);
        if (wrong) faults.push(`${key} ← ${request.method} ${String(request.url).slice(0, 120)}: ${wrong}`);
        return wrong === undefined;
      };
      for (const request of edgeRequests(route)) await send(request);
      await fc.assert(
        fc.asyncProperty(requestArbitrary(route), async (request) => {
          await send(request);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    }
    expect(faults.slice(0, 40)).toEqual([]);
    expect(sent).toBeGreaterThan(routes.length * RUNS);
  }, 120_000);
});
