import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadReport } from '../src/cli/load';
import { startPostgres } from '../test/postgres-server';
import { type BenchMetric, writeBenchResult } from './lib';
import { demoLoad, dominant, held, P99_LIMIT_MS, RATES, startServer, stopServer } from './servers';

/**
 * The whole call flow under load (`open111 load` against one server process), on PostgreSQL and on
 * PGlite, at rising rates until a request's p99 passes 100 ms or an error appears. The highest rate held
 * is the figure; the targets are 42 calls/s on PostgreSQL (ten times England's busiest hour) and 4.2 on
 * PGlite. FLOW_SECONDS sets each step's length (default 30; longer at low rates, for 200 calls), FLOW_ENGINES
 * which engines run.
 * FLOW_WORKERS=N runs the node as `serve --workers N` (N processes on one port: PostgreSQL only, as
 * PGlite is one process's), written to bench/results/flow-workers.json beside the one-process figures.
 */
const STEP_SECONDS = Number(process.env.FLOW_SECONDS ?? 30);
// A step offers at least this many calls, however low its rate: a request type a call makes once then has
// about 200 requests, so its p99 is not simply its slowest one (at 1 call/s, 30 s gave 24, and one pause
// of 140 ms among them ended a search at 0).
const MIN_CALLS = 200;
const stepSeconds = (rate: number) => Math.max(STEP_SECONDS, Math.ceil(MIN_CALLS / rate));
const WARM_UP_SECONDS = 20;
const WORKERS = Number(process.env.FLOW_WORKERS ?? 1);
if (!Number.isInteger(WORKERS) || WORKERS < 1) throw new Error('FLOW_WORKERS must be a whole number ≥ 1.');
const ENGINES = WORKERS > 1 ? ['postgres'] : (process.env.FLOW_ENGINES ?? 'postgres,pglite').split(',');
const RESULT = WORKERS > 1 ? 'flow-workers' : 'flow';
const NODE = WORKERS > 1 ? `one node of ${WORKERS} worker processes` : 'one server process';
const TARGET = { postgres: 42, pglite: 4.2 } as const;

const metrics: BenchMetric[] = [];
const notes: string[] = [];
const steps: Record<string, unknown>[] = [];
for (const engine of ENGINES) {
  const dataDir = mkdtempSync(join(tmpdir(), 'open111-flow-'));
  const pg = engine === 'postgres' ? await startPostgres() : undefined;
  const server = await startServer(pg ? { DATABASE_URL: pg.url } : { OPEN111_DATA_DIR: dataDir }, {
    serveArgs: WORKERS > 1 ? ['--workers', String(WORKERS)] : [],
  });
  let best = 0;
  let last: LoadReport | undefined;
  const load = (rate: number, durationSeconds: number) => demoLoad([server.url], rate, durationSeconds);
  try {
    // Calls first, not counted, until every kind of request has run a few times: the first of each loads
    // a cache (triage content, the directory index), and one such request is the p99 of a short step.
    await load(2, WARM_UP_SECONDS);
    for (const rate of RATES) {
      const report = await load(rate, stepSeconds(rate));
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
      const worst = report.requests[verdict.worst];
      const slow = worst ? `, ${worst.over100ms} of ${worst.count} over ${P99_LIMIT_MS} ms` : '';
      console.log(
        `${engine}: ${rate} calls/s offered, ${report.callsPerSecond} completed/s, worst p99 ${verdict.worstP99} ms (${verdict.worst}${slow}), errors ${JSON.stringify(report.errors)} → ${verdict.ok ? 'held' : 'not held'}`,
      );
      last = report;
      if (!verdict.ok) break;
      best = rate;
    }
  } finally {
    await stopServer(server);
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const target = TARGET[engine as keyof typeof TARGET];
  metrics.push({
    name: `${engine}${WORKERS > 1 ? `, serve --workers ${WORKERS}` : ''}: highest rate held (p99 < ${P99_LIMIT_MS} ms, no errors)`,
    value: best,
    unit: 'calls/s',
    ...(target ? { target: `≥ ${target} calls/s`, met: best >= target } : {}),
  });
  if (last) notes.push(`${engine}: the request with most server time at the last step was ${dominant(last)}`);
}
notes.push(
  `Each step offers calls for ${STEP_SECONDS} s, or for ${MIN_CALLS} calls when that is longer, in the national outcome mix (open-loop Poisson arrivals), ${NODE}, the demo data; measured on a machine shared with other work, the figures are a floor.`,
);
writeBenchResult(RESULT, metrics, notes);
// The per-step detail beside the summary, for profiling.
writeFileSync(`bench/results/${RESULT}-steps.json`, `${JSON.stringify(steps, null, 2)}\n`);
