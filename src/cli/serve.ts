import { buildApp } from '../api/app';
import { createContext } from '../api/context';
import { FHIR_BASE } from '../api/fhir/index';
import { barsBundleSource } from '../api/fhir/messages';
import { demoAdapters } from '../messaging/demo-receivers';
import { startDeliveryWorker } from '../messaging/worker';
import { DEMO_PASSWORD, seedDemo, seedReference } from '../seed/index';
import { purgeExpiredSessions } from '../services/auth';
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
  const purge = setInterval(
    () =>
      void purgeExpiredSessions(ctx).catch((e: unknown) => app.log.error({ err: e }, 'session purge failed')),
    10 * 60_000,
  );
  purge.unref();
  // Delivers the outbox (ambulance dispatches, referrals, GP messages). In demo mode the receiving
  // systems are stand-ins inside open111 (referrals and ambulance requests go to them as BaRS message
  // Bundles with $process-message); a deployment configures real adapters for the same kinds.
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  const fhirBase = `${(config.edge?.publicUrl ?? url).replace(/\/$/, '')}${FHIR_BASE}`;
  const adapters = options.demo
    ? demoAdapters(store.db, { source: barsBundleSource(ctx, fhirBase) })
    : new Map();
  const worker = startDeliveryWorker(store.db, adapters, ctx.now, {
    log: app.log,
    onError: (e: unknown) => app.log.error({ err: e }, 'outbox delivery pass failed'),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    clearInterval(purge);
    await app.close();
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
