import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadReport, runLoad } from '../src/cli/load';
import { NATIONAL_MIX } from '../src/domain/load/index';
import { freePort, startPostgres } from '../test/postgres-server';
import { type BenchMetric, writeBenchResult } from './lib';

/**
 * The whole call flow under load (`open111 load` against one server process), on PostgreSQL and on
 * PGlite, at rising rates until a request's p99 passes 100 ms or an error appears. The highest rate held
 * is the figure; the targets are 42 calls/s on PostgreSQL (ten times England's busiest hour) and 4.2 on
 * PGlite. FLOW_SECONDS sets each step's length (default 30), FLOW_ENGINES which engines run.
 */
const STEP_SECONDS = Number(process.env.FLOW_SECONDS ?? 30);
const WARM_UP_SECONDS = 20;
const ENGINES = (process.env.FLOW_ENGINES ?? 'postgres,pglite').split(',');
const RATES = [1, 2, 4, 6, 8, 12, 17, 24, 32, 42, 56, 72];
const P99_LIMIT_MS = 100;
const TARGET = { postgres: 42, pglite: 4.2 } as const;

/** Starts `open111 serve --demo` as a child process and waits until it answers. */
async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--demo'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i += 1) {
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

/** Held: no errors, and every request type's p99 under the limit (sign-in and idle polls aside). */
function held(r: LoadReport): { ok: boolean; worst: string; worstP99: number } {
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
function dominant(r: LoadReport): string {
  const [type, f] = Object.entries(r.requests)
    .filter(([t]) => !t.endsWith('.idle') && t !== 'auth.login')
    .sort(([, a], [, b]) => b.count * b.p50 - a.count * a.p50)[0] ?? ['none', { count: 0, p50: 0 }];
  return `${type} (${f.count} requests, p50 ${f.p50} ms)`;
}

const metrics: BenchMetric[] = [];
const notes: string[] = [];
const steps: Record<string, unknown>[] = [];
for (const engine of ENGINES) {
  const dataDir = mkdtempSync(join(tmpdir(), 'open111-flow-'));
  const pg = engine === 'postgres' ? await startPostgres() : undefined;
  const server = await startServer(pg ? { DATABASE_URL: pg.url } : { OPEN111_DATA_DIR: dataDir });
  let best = 0;
  let last: LoadReport | undefined;
  const load = (rate: number, durationSeconds: number) =>
    runLoad({
      url: server.url,
      rate,
      durationSeconds,
      advisers: Math.min(64, Math.max(4, Math.ceil(rate / 2))),
      mix: NATIONAL_MIX,
      seed: rate,
      area: '5GC',
      postcode: 'LU1 3JU',
      adviser: { username: 'adviser', password: 'demo' },
      telephony: { username: 'switch', password: 'demo' },
      progress: false,
    });
  try {
    // Calls first, not counted, until every kind of request has run a few times: the first of each loads
    // a cache (triage content, the directory index), and one such request is the p99 of a short step.
    await load(2, WARM_UP_SECONDS);
    for (const rate of RATES) {
      const report = await load(rate, STEP_SECONDS);
      const verdict = held(report);
      steps.push({
        engine,
        rate,
        advisers: report.advisers,
        held: verdict.ok,
        worst: verdict.worst,
        worstP99: verdict.worstP99,
        report,
      });
      console.log(
        `${engine}: ${rate} calls/s offered, ${report.callsPerSecond} completed/s, worst p99 ${verdict.worstP99} ms (${verdict.worst}), errors ${JSON.stringify(report.errors)} → ${verdict.ok ? 'held' : 'not held'}`,
      );
      last = report;
      if (!verdict.ok) break;
      best = rate;
    }
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const target = TARGET[engine as keyof typeof TARGET];
  metrics.push({
    name: `${engine}: highest rate held (p99 < ${P99_LIMIT_MS} ms, no errors)`,
    value: best,
    unit: 'calls/s',
    ...(target ? { target: `≥ ${target} calls/s`, met: best >= target } : {}),
  });
  if (last) notes.push(`${engine}: the request with most server time at the last step was ${dominant(last)}`);
}
notes.push(
  `Each step offers calls for ${STEP_SECONDS} s in the national outcome mix (open-loop Poisson arrivals), one server process, the demo data; measured on a machine shared with other work, the figures are a floor.`,
);
writeBenchResult('flow', metrics, notes);
// The per-step detail beside the summary, for profiling.
writeFileSync('bench/results/flow-steps.json', `${JSON.stringify(steps, null, 2)}\n`);
