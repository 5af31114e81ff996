import { buildApp } from '../api/app';
import { createContext } from '../api/context';
import { FHIR_BASE } from '../api/fhir/index';
import { barsBundleSource } from '../api/fhir/messages';
import { demoAdapters } from '../messaging/demo-receivers';
import { httpAdapters } from '../messaging/http-receiver';
import { startDeliveryWorker } from '../messaging/worker';
import { DEMO_PASSWORD, seedDemo, seedReference } from '../seed/index';
import { purgeExpiredSessions } from '../services/auth';
import { startDemoSwitch, switchOnFirstDemo } from '../services/demo-switch';
import { startFailSafes } from '../services/fail-safe';
import { purgeIdempotencyKeys } from '../services/idempotency';
import { demoAccounts, type User } from '../services/users';
import { type Config, describeStore, openMigratedStore } from './config';

/** Starts the service; stops cleanly on SIGTERM/SIGINT (finishes requests in flight, closes the store). */
export async function serve(
  config: Config,
  // `prepared`: a worker of `serve --workers`, whose primary has migrated and seeded; `announce`: print the start lines.
  options: { demo: boolean; prepared?: boolean; announce?: boolean },
): Promise<void> {
  const store = await openMigratedStore(config);
  if (!options.prepared) {
    if (options.demo) await seedDemo(store.db);
    else await seedReference(store.db);
  }
  const ctx = createContext(store, {
    demo: options.demo,
    ...(config.sessionIdleMinutes ? { sessionIdleMinutes: config.sessionIdleMinutes } : {}),
  });
  const app = await buildApp(ctx, { logger: { level: process.env.LOG_LEVEL ?? 'info' }, edge: config.edge });
  // Sessions past their expiry or idle time are also purged at every sign-in; this catches quiet spells.
  // Idempotency keys are kept a day (services/idempotency.ts).
  const purge = setInterval(() => {
    void purgeExpiredSessions(ctx).catch((e: unknown) => app.log.error({ err: e }, 'session purge failed'));
    void purgeIdempotencyKeys(ctx).catch((e: unknown) =>
      app.log.error({ err: e }, 'idempotency key purge failed'),
    );
  }, 10 * 60_000);
  purge.unref();
  // Delivers the outbox (ambulance dispatches, referrals, GP messages). In demo mode the receiving
  // systems are stand-ins inside open111 (referrals and ambulance requests go to them as BaRS message
  // Bundles with $process-message); OPEN111_RECEIVER_URL sends every kind by HTTP to one receiver (an
  // integration engine, or the kill -9 test's); a deployment configures real adapters for the kinds.
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  const fhirBase = `${(config.edge?.publicUrl ?? url).replace(/\/$/, '')}${FHIR_BASE}`;
  const adapters = config.receiverUrl
    ? httpAdapters(config.receiverUrl)
    : options.demo
      ? demoAdapters(store.db, { source: barsBundleSource(ctx, fhirBase) })
      : new Map();
  const worker = startDeliveryWorker(store.db, adapters, ctx.now, {
    log: app.log,
    onError: (e: unknown) => app.log.error({ err: e }, 'outbox delivery pass failed'),
  });
  // The clinical fail-safes: an unvalidated ambulance past its breach time is dispatched, an
  // unacknowledged referral past its timeframe raises an alert. Every 15 seconds, on the service's clock.
  const failSafes = startFailSafes(ctx, {
    intervalMs: 15_000,
    onError: (e: unknown) => app.log.error({ err: e }, 'fail-safe pass failed'),
  });
  // Demo mode: a simulated switch offers calls at the demand model's rate for the hour (paused from the
  // wallboard; OPEN111_DEMO_SWITCH_SPEED runs it faster than real time).
  // Under `serve --workers` only worker 1 runs it, or N workers would offer N times the demand.
  const runsSwitch = options.demo && options.announce !== false;
  if (runsSwitch) await switchOnFirstDemo(ctx);
  const demoSwitch = runsSwitch
    ? startDemoSwitch(ctx, {
        tickMs: 5_000,
        speed: Number(process.env.OPEN111_DEMO_SWITCH_SPEED ?? 1) || 1,
        onError: (e: unknown) => app.log.error({ err: e }, 'simulated switch tick failed'),
      })
    : null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    clearInterval(purge);
    await app.close();
    await failSafes.stop();
    await demoSwitch?.stop();
    await worker.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  if (options.announce === false) return;
  const lines = [
    '',
    `open111 is running at ${url}  (API docs: ${url}/docs)`,
    `store: ${describeStore(config)}`,
  ];
  lines.push(
    ...demoLine(
      options.demo,
      (await demoAccounts(ctx)).filter((u) => !u.disabledAt),
    ),
  );
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/**
 * What the start says about demo log-ins: with --demo, who they are; without it, that the ones this data
 * still holds are refused, and what to do about them.
 */
function demoLine(demo: boolean, accounts: readonly User[]): string[] {
  const names = accounts.map((u) => u.username).join(', ');
  if (demo) {
    // Every module adds its own demo users; list them in the order they were made.
    const logins = accounts.map((u) => `${u.username} (${u.role}, ${u.organisationCode})`).join(', ');
    return [`demo log-ins (password "${DEMO_PASSWORD}"): ${logins}`];
  }
  if (accounts.length === 0) return [];
  return [
    `demo log-ins refused: this data was once served with --demo, and its demo accounts (${names}) sign in ` +
      'only while open111 runs with --demo. Run "open111 serve --demo" to use them, or disable each with ' +
      '"open111 users disable <username>".',
  ];
}
