import { type ChildProcess, spawn } from 'node:child_process';
import { type LoadReport, runLoad, SLOW_MS } from '../src/cli/load';
import { NATIONAL_MIX } from '../src/domain/load/index';
import { freePort } from '../test/postgres-server';

/**
 * What the load benchmarks share: open111 nodes as child processes (`serve --demo`), and the verdict on
 * a load step. bench/flow.ts runs one node per engine; bench/nodes.ts runs several on one PostgreSQL.
 */
export const P99_LIMIT_MS = SLOW_MS;

/** The rates a search offers, in calls/s, lowest first. */
export const RATES = [1, 2, 4, 6, 8, 12, 17, 24, 32, 42, 56, 72];

export interface Node {
  readonly url: string;
  readonly child: ChildProcess;
}

/**
 * Starts `open111 serve --demo` as a child process and waits until it answers. `env` chooses the data:
 * `DATABASE_URL` (several nodes may share one PostgreSQL) or `OPEN111_DATA_DIR` (a PGlite of its own).
 * Every node migrates (under the migrator's advisory lock) and seeds the demo data only once: a second
 * node finds the `seeded.*` settings and leaves the data alone. As scripts/cluster.sh does, start the
 * first node alone and the rest once it answers, so the nodes don't race to seed.
 */
export async function startServer(
  env: Record<string, string>,
  /**
   * Node options, modules imported after tsx (bench/memory.ts's probe), an IPC channel to the child, and
   * more arguments to `serve` (bench/flow.ts's `--workers`).
   */
  options: {
    nodeOptions?: readonly string[];
    imports?: readonly string[];
    ipc?: boolean;
    serveArgs?: readonly string[];
  } = {},
): Promise<Node> {
  const port = await freePort();
  const imports = (options.imports ?? []).flatMap((m) => ['--import', m]);
  const args = [
    ...(options.nodeOptions ?? []),
    '--import',
    'tsx',
    ...imports,
    'src/cli/main.ts',
    'serve',
    '--demo',
    ...(options.serveArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: options.ipc ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i += 1) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not become ready in 2 minutes');
}

/** Stops a node as an operator would (SIGTERM: requests in flight finish) and waits for it to go. */
export function stopServer(node: Node): Promise<void> {
  return stopChild(node.child);
}

/** Stops a child process with SIGTERM and waits for it to go. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * One load step against the demo data: open-loop calls at `rate` for `seconds`, in the national mix,
 * dealt over the nodes given (the first is the load's own `url`); advisers scale with the rate.
 */
export function demoLoad(urls: readonly string[], rate: number, seconds: number): Promise<LoadReport> {
  const [url = '', ...nodes] = urls;
  return runLoad({
    url,
    nodes,
    rate,
    durationSeconds: seconds,
    advisers: Math.min(64, Math.max(4, Math.ceil(rate / 2))),
    mix: NATIONAL_MIX,
    seed: rate,
    area: '5GC',
    postcode: 'LU1 3JU',
    adviser: { username: 'adviser', password: 'demo' },
    telephony: { username: 'switch', password: 'demo' },
    progress: false,
  });
}

/** Held: no errors, and every request type's p99 under the limit (sign-in and idle polls aside). */
export function held(r: LoadReport): { ok: boolean; worst: string; worstP99: number } {
  let worst = '';
  let worstP99 = 0;
  for (const [type, f] of Object.entries(r.requests)) {
    if (type === 'auth.login' || type.endsWith('.idle')) continue;
    if (f.p99 > worstP99) {
      worst = type;
      worstP99 = f.p99;
    }
  }
  const ok = Object.keys(r.errors).length === 0 && r.unanswered === 0 && worstP99 < P99_LIMIT_MS;
  return { ok, worst, worstP99 };
}

/** The request type that took most of the server's time over a run (count × median). */
export function dominant(r: LoadReport): string {
  const [type, f] = Object.entries(r.requests)
    .filter(([t]) => !t.endsWith('.idle') && t !== 'auth.login')
    .sort(([, a], [, b]) => b.count * b.p50 - a.count * a.p50)[0] ?? ['none', { count: 0, p50: 0 }];
  return `${type} (${f.count} requests, p50 ${f.p50} ms)`;
}
