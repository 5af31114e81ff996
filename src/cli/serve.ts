import { buildApp } from '../api/app';
import { createContext } from '../api/context';
import { demoAdapters } from '../messaging/demo-receivers';
import { startDeliveryWorker } from '../messaging/worker';
import { DEMO_PASSWORD, seedDemo, seedReference } from '../store/seed';
import { type Config, describeStore, openMigratedStore } from './config';

/** Starts the service; stops cleanly on SIGTERM/SIGINT (finishes requests in flight, closes the store). */
export async function serve(config: Config, options: { demo: boolean }): Promise<void> {
  const store = await openMigratedStore(config);
  if (options.demo) await seedDemo(store.db);
  else await seedReference(store.db);
  const ctx = createContext(store, { demo: options.demo });
  const app = await buildApp(ctx, { logger: { level: process.env.LOG_LEVEL ?? 'info' } });
  // Delivers the outbox (ambulance dispatches, referrals, GP messages). In demo mode the receiving
  // systems are stand-ins inside open111; a deployment configures real adapters for the same kinds.
  const worker = startDeliveryWorker(
    store.db,
    options.demo ? demoAdapters(store.db) : new Map(),
    ctx.now,
    1000,
    (e) => app.log.error({ err: e }, 'outbox delivery pass failed'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await worker.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  const lines = [
    '',
    `open111 is running at ${url}  (API docs: ${url}/docs)`,
    `store: ${describeStore(config)}`,
  ];
  if (options.demo) {
    // Every module adds its own demo users; list whatever exists, in the order they were made.
    const demoLogins = await store.db
      .selectFrom('app_user')
      .select(['username', 'role', 'organisation_code'])
      .orderBy('id')
      .execute();
    lines.push(
      `demo log-ins (password "${DEMO_PASSWORD}"): ${demoLogins.map((u) => `${u.username} (${u.role}, ${u.organisation_code})`).join(', ')}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
