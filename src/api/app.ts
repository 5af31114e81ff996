import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { notFound } from '../domain/errors';
import { adminPlugin } from './admin';
import { authPlugin } from './auth';
import { callsPlugin } from './calls';
import { casesPlugin } from './cases';
import type { AppContext, RouteAccess } from './context';
import { directoryPlugin } from './directory';
import {
  bounded,
  clientErrorHandler,
  DEFAULT_LOGIN_LIMITS,
  type EdgeSettings,
  edgeHooks,
  frameworkErrors,
  guardOperations,
  helmetOptions,
  sendProblem,
  servedOverTls,
  type TrustProxy,
} from './edges';
import { fhirPlugin } from './fhir/index';
import { geographyPlugin } from './geography';
import { governancePlugin } from './governance';
import { healthPlugin } from './health';
import { sendReplay } from './idempotency';
import { messagesPlugin } from './messages';
import { OPENREFERRAL_BASE } from './openreferral';
import { toProblem } from './problems';
import { reportsPlugin } from './reports';
import { reviewPlugin } from './review';
import { rolloutPlugin } from './rollout';
import { telephonyPlugin } from './telephony';
import { triagePlugin } from './triage';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions {
  readonly logger?: FastifyServerOptions['logger'];
  /** Built browser console to serve at /; omitted when not built. */
  readonly webRoot?: string;
  /** Public URL, operations access and sign-in limits (edges.ts); defaults suit a laptop. */
  readonly edge?: EdgeSettings;
}

export const defaultWebRoot = (): string => fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * Two validators: bodies are taken as sent (a number is not a string; unknown fields are refused, not
 * silently dropped), while the query string and path, which are always text, are coerced to the schema.
 */
function requestValidators(): { body: Ajv; other: Ajv } {
  const options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
  const body = new Ajv({ ...options, coerceTypes: false });
  const other = new Ajv({ ...options, coerceTypes: 'array' });
  addFormats(body);
  addFormats(other);
  return { body, other };
}

/** A route of /api or /fhir and what it may be reached by: the table the access test walks. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess;
}

/**
 * Every /api and /fhir route must say what it may be reached by (`config: { access }`): a route
 * without one refuses to register, so none can be added that the policy and its test do not know.
 */
function routeTable(app: FastifyInstance): RouteEntry[] {
  const table: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    // The Open Referral API's CORS preflight route (@fastify/cors's own, `OPTIONS /openreferral*`): a
    // preflight carries no credentials, by the Fetch standard, so anyone reaches it.
    if (route.method === 'OPTIONS' && route.url === `${OPENREFERRAL_BASE}*`)
      route.config = { ...route.config, access: 'public' };
    if (!['/api/', '/fhir/', '/openreferral/'].some((prefix) => route.url.startsWith(prefix))) return;
    const access = route.config?.access;
    if (!access)
      throw new Error(
        `${String(route.method)} ${route.url} declares no access: add config: { access } (src/api/context.ts)`,
      );
    for (const method of [route.method].flat())
      if (method !== 'HEAD') table.push({ method, url: route.url, access });
  });
  return table;
}

/** Fastify's trustProxy: a number of hops is said as a function of the hop (its typings take no number). */
function trustProxyOption(
  trust: TrustProxy | undefined,
): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust ?? false;
  return (_address, hop) => hop < trust;
}

/** Builds the HTTP edge: every route is a thin mapping onto the domain and the store. */
export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const edge = options.edge ?? {};
  const app = Fastify({
    logger: options.logger ?? false,
    // Behind a load balancer (OPEN111_TRUST_PROXY): the client's address and protocol as it forwards them.
    trustProxy: trustProxyOption(edge.trustProxy),
    bodyLimit: BODY_LIMIT_BYTES,
    // The router's and Node's own errors, said as problem+json / OperationOutcome like every other (edges.ts).
    frameworkErrors,
    clientErrorHandler,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
  });
  app.decorate('ctx', ctx);
  const stopFollowing = await ctx.followChanges();
  app.addHook('onClose', stopFollowing);
  app.decorate('routeTable', routeTable(app));
  const { body, other } = requestValidators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? body : other).compile(bounded(schema) as object),
  );
  edgeHooks(app);
  // Only JSON bodies are read; text/plain would otherwise arrive as a string and fail later, less clearly.
  app.removeContentTypeParser('text/plain');

  app.addContentTypeParser(
    ['application/fhir+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });

  app.setErrorHandler(async (error, request, reply) => {
    // A retry under an Idempotency-Key already done: its first response, not an error.
    const replayed = sendReplay(error, reply);
    if (replayed) return replayed;
    const p = toProblem(error, request.url);
    if (p.code === 'unavailable') request.log.warn({ err: error }, 'database unavailable: answered 503');
    else if (p.status >= 500) request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request.url, p);
  });

  guardOperations(app, edge);
  await app.register(helmet, helmetOptions(edge));
  // Only the routes that ask for it (sign-in) are limited; the limits are per process, in memory.
  await app.register(rateLimit, { global: false });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'open111 API', version: '0.1.0', description: 'NHS 111-style urgent care service' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await healthPlugin(app);
  await authPlugin(app, {
    secureCookie: servedOverTls(edge),
    limits: { ...DEFAULT_LOGIN_LIMITS, ...edge.loginLimits },
  });
  await adminPlugin(app);
  await geographyPlugin(app);
  await rolloutPlugin(app);
  await directoryPlugin(app);
  await fhirPlugin(app);
  await callsPlugin(app);
  await telephonyPlugin(
    app,
    edge.maxQueueStreams === undefined ? {} : { maxQueueStreams: edge.maxQueueStreams },
  );
  await reportsPlugin(app);
  await messagesPlugin(app);
  await casesPlugin(app);
  await triagePlugin(app);
  await governancePlugin(app);
  await reviewPlugin(app);

  const webRoot = options.webRoot ?? defaultWebRoot();
  const hasWeb = existsSync(`${webRoot}/index.html`);
  if (hasWeb) await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isApi = path.startsWith('/api') || path.startsWith('/fhir');
    // The console is a single-page app: its own paths load index.html and route in the browser.
    if (!isApi && hasWeb && request.method === 'GET') return reply.sendFile('index.html');
    throw notFound(`There is nothing at ${request.method} ${path}.`);
  });

  return app;
}
