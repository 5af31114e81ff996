import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type OutboxHealth, outboxHealth } from '../services/messages';

/** Liveness, readiness and Prometheus metrics: what an operator's load balancer and monitoring read. */
export async function healthPlugin(app: FastifyInstance): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'open111_' });
  // Other plugins add their own gauges to the same /metrics.
  app.decorate('metrics', registry);
  const duration = new Histogram({
    name: 'open111_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'open111_http_server_errors_total',
    help: 'Responses with a 5xx status',
    registers: [registry],
  });

  outboxMetrics(registry, () => outboxHealth(app.ctx));

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (reply.statusCode >= 500) errors.inc();
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get(
    '/api/health',
    { schema: { tags: ['health'], summary: 'Liveness' }, config: { access: 'public' } },
    async () => ({
      status: 'ok',
    }),
  );
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(app.ctx.store.db);
      return { status: 'ready', engine: app.ctx.store.engine };
    } catch {
      return reply.code(503).send({ status: 'unavailable', engine: app.ctx.store.engine });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

/**
 * The outbox as monitoring sees it, read from the store at each scrape (so every node reports the same):
 * what waits, how long the oldest has waited, what is held for a person, failures by receiving system,
 * and the ambulance dispatches failing now (alert on > 0).
 */
function outboxMetrics(registry: Registry, read: () => Promise<OutboxHealth>): void {
  // One read per scrape, shared by the gauges below.
  let scrape: Promise<OutboxHealth> | undefined;
  const health = () => {
    scrape ??= read().finally(() => {
      setImmediate(() => {
        scrape = undefined;
      });
    });
    return scrape;
  };
  const gauge = (name: string, help: string, value: (h: OutboxHealth) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(value(await health()));
      },
    });
  gauge('open111_outbox_pending', 'Messages waiting to be delivered or being sent', (h) => h.pending);
  gauge(
    'open111_outbox_oldest_pending_age_seconds',
    'How long the oldest undelivered message has waited',
    (h) => h.oldestPendingAgeSeconds,
  );
  gauge('open111_outbox_held', 'Messages held for a person after their attempts', (h) => h.held);
  gauge(
    'open111_outbox_dispatches_failing',
    'Ambulance dispatches that have failed and are still undelivered (still being retried)',
    (h) => h.dispatchesFailing,
  );
  new Gauge({
    name: 'open111_outbox_failures',
    help: 'Failed delivery attempts recorded, by receiving system (kind of message)',
    labelNames: ['receiver'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [receiver, n] of Object.entries((await health()).failuresByReceiver))
        this.set({ receiver }, n);
    },
  });
}
