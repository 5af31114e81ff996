import cluster, { type Worker } from 'node:cluster';
import { invalid } from '../domain/errors';
import { seedDemo, seedReference } from '../seed/index';
import { type Config, describeStore, openMigratedStore } from './config';
import { serve } from './serve';

/** The most worker processes one machine is given: more than its cores only adds switching. */
export const MAX_WORKERS = 64;

/**
 * `open111 serve --workers N`: N server processes on one port (node:cluster shares the socket), for a
 * machine with several cores. The primary migrates and seeds once, then forks the workers and starts
 * again any that dies; each worker is an ordinary node, so the routing table and directory stay
 * current between them as between nodes on several machines (LISTEN/NOTIFY), and each runs a delivery
 * worker (the outbox is claimed with SKIP LOCKED, so a message goes out once). PostgreSQL only: an
 * embedded PGlite database belongs to one process.
 */
export async function serveWorkers(
  config: Config,
  options: { demo: boolean; workers: number },
): Promise<void> {
  if (cluster.isWorker) {
    await serve(config, { demo: options.demo, prepared: true, announce: process.env.OPEN111_WORKER === '1' });
    return;
  }
  if (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > MAX_WORKERS)
    throw invalid(`--workers must be a whole number from 1 to ${MAX_WORKERS}.`);
  if (!config.databaseUrl)
    throw invalid(
      '--workers needs PostgreSQL (set DATABASE_URL): an embedded PGlite database can be opened by one process only.',
    );
  const store = await openMigratedStore(config);
  try {
    if (options.demo) await seedDemo(store.db);
    else await seedReference(store.db);
  } finally {
    await store.close();
  }
  let stopping = false;
  const fork = (n: number): Worker => {
    const worker = cluster.fork({ OPEN111_WORKER: String(n) });
    // Said when it can take requests: until then a dead worker's port share is not yet covered.
    worker.once('listening', () => process.stdout.write(`open111 worker ${n} is serving\n`));
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(`open111 worker ${n} stopped (${signal ?? `exit ${code}`}); starting it again\n`);
      fork(n);
    });
    return worker;
  };
  for (let n = 1; n <= options.workers; n += 1) fork(n);
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    let running = workers.length;
    if (running === 0) process.exit(0);
    for (const w of workers) {
      w.once('exit', () => {
        running -= 1;
        if (running === 0) process.exit(0);
      });
      // Each finishes its requests in flight and closes its store, as a single server does.
      w.process.kill(signal);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`open111: ${options.workers} workers on ${describeStore(config)}\n`);
}
