import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { LoadReport } from '../src/cli/load';
import { startPostgres } from '../test/postgres-server';
import { type BenchMetric, percentile, writeBenchResult } from './lib';
import { demoLoad, dominant, held, type Node, P99_LIMIT_MS, RATES, startServer, stopServer } from './servers';

/**
 * Several API nodes on one PostgreSQL, as behind a load balancer: 1, 2 and 4 `open111 serve` processes
 * on one database, the load dealt over them (offers and advisers round-robin), the same rising-rate
 * search as bench/flow.ts (the highest rate held: every request's p99 under 100 ms, no errors), and the
 * scaling factor at 2 and 4 nodes over 1. Then, with two nodes, how long a change made on node A takes
 * to reach node B's caches: a Directory service's capacity (B's DoS search) and a rollout plan
 * withdrawn (B's routing), by LISTEN/NOTIFY. NODES_SECONDS sets each step's length (default 30),
 * NODES_COUNTS which cluster sizes run (default 1,2,4; "none": only the propagation), NODES_TRIALS the propagation trials (20).
 */
const STEP_SECONDS = Number(process.env.NODES_SECONDS ?? 30);
const WARM_UP_SECONDS = 20;
const COUNTS = (process.env.NODES_COUNTS ?? '1,2,4')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const TRIALS = Number(process.env.NODES_TRIALS ?? 20);
const PROPAGATION_TARGET_MS = 1000;
/** How often node B is asked whether it has seen the change (the figure's resolution). */
const POLL_MS = 10;

/** N nodes on one database: the first migrates and seeds alone, the rest start together once it answers. */
async function startCluster(databaseUrl: string, count: number): Promise<Node[]> {
  const first = await startServer({ DATABASE_URL: databaseUrl });
  const rest = await Promise.all(
    Array.from({ length: count - 1 }, () => startServer({ DATABASE_URL: databaseUrl })),
  );
  return [first, ...rest];
}

/** The rising-rate search over a cluster: the highest rate held, and the last step's report. */
async function search(
  nodes: readonly Node[],
  steps: Record<string, unknown>[],
): Promise<{ best: number; last?: LoadReport }> {
  const urls = nodes.map((n) => n.url);
  // Calls first, not counted, so every node has loaded its caches (triage content, the directory index):
  // as many calls a node as bench/flow.ts gives its one node, as each node's caches are its own; at
  // flow's low rate for longer, so the warm-up leaves no queue behind for the first step to answer.
  await demoLoad(urls, 2, WARM_UP_SECONDS * nodes.length);
  let best = 0;
  let last: LoadReport | undefined;
  for (const rate of RATES) {
    const report = await demoLoad(urls, rate, STEP_SECONDS);
    const verdict = held(report);
    steps.push({ nodes: nodes.length, rate, held: verdict.ok, ...verdict, report });
    console.log(
      `${nodes.length} node(s): ${rate} calls/s offered, ${report.callsPerSecond} completed/s, worst p99 ${verdict.worstP99} ms (${verdict.worst}), errors ${JSON.stringify(report.errors)} → ${verdict.ok ? 'held' : 'not held'}`,
    );
    last = report;
    if (!verdict.ok) break;
    best = rate;
  }
  return { best, ...(last ? { last } : {}) };
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A signed-in caller of one node's API. */
async function client(base: string, username: string) {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  const body: unknown = await login.json();
  if (!login.ok || !isObj(body) || typeof body.token !== 'string')
    throw new Error(`signing in as ${username} at ${base}: ${login.status} ${JSON.stringify(body)}`);
  const authorization = `Bearer ${body.token}`;
  return async (
    method: string,
    path: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; etag: string; json: unknown }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization,
        ...headers,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    const text = await res.text();
    return { status: res.status, etag: res.headers.get('etag') ?? '', json: text ? JSON.parse(text) : null };
  };
}

/** Asks node B until it answers as the change says; the milliseconds from the change's 2xx on node A. */
async function seenAfter(changedAt: number, seen: () => Promise<boolean>, limitMs = 10_000): Promise<number> {
  while (!(await seen())) {
    if (performance.now() - changedAt > limitMs)
      throw new Error(`node B had not seen the change after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return performance.now() - changedAt;
}

/** Node B's Directory search as an adviser asks it (Luton, an adult, an emergency department disposition). */
const SEARCH = { postcode: 'LU1 3JU', age: { value: 40, unit: 'years' }, sex: 'male', disposition: 'Dx02' };
const serviceIds = (answer: unknown): string[] =>
  isObj(answer) && Array.isArray(answer.results)
    ? answer.results.flatMap((r) => (isObj(r) && isObj(r.service) ? [String(r.service.id)] : []))
    : [];

/**
 * Capacity: node A's provider sets a service red (it leaves B's search) and green again (it comes back);
 * each is a trial. The service is the first in B's answer that the provider may set.
 */
async function capacityTrials(a: string, b: string, trials: number): Promise<number[]> {
  const provider = await client(a, 'provider');
  const adviser = await client(b, 'adviser');
  const listed = async () => serviceIds((await adviser('POST', '/api/directory/search', SEARCH)).json);
  let service = '';
  for (const id of await listed()) {
    const r = await provider('PUT', `/api/directory/services/${id}/capacity`, { status: 'green' });
    if (r.status === 200) {
      service = id;
      break;
    }
  }
  if (!service) throw new Error("no service in node B's search is one the demo provider may set");
  const times: number[] = [];
  for (let i = 0; i < trials; i += 1) {
    const red = i % 2 === 0;
    const change = red ? { status: 'red', resetAfterMinutes: 60 } : { status: 'green' };
    const r = await provider('PUT', `/api/directory/services/${service}/capacity`, change);
    const changedAt = performance.now();
    if (r.status !== 200) throw new Error(`capacity change on node A: ${r.status} ${JSON.stringify(r.json)}`);
    times.push(await seenAfter(changedAt, async () => (await listed()).includes(service) !== red));
  }
  return times;
}

/**
 * Rollout: node A's national commissioner withdraws an area's plan, one area a trial, and node B's
 * routing stops sending that area's calls to its provider. The areas are those live by their plan on
 * 1 June 2012 (a withdrawal cannot be undone through the API without the area's own CCG, so each area
 * is used once; there may be fewer areas than trials asked for).
 */
async function rolloutTrials(a: string, b: string, trials: number): Promise<number[]> {
  const national = await client(a, 'national');
  const adviser = await client(b, 'adviser');
  const at = '2012-06-01';
  const live = async (area: string) => {
    const r = await adviser('GET', `/api/routing?area=${area}&at=${at}`);
    return isObj(r.json) && r.json.live === true;
  };
  const plans = (await national('GET', '/api/rollout/plans')).json;
  const areas = Array.isArray(plans)
    ? plans.flatMap((row) =>
        isObj(row) && isObj(row.plan) && isObj(row.area) ? [String(row.area.code)] : [],
      )
    : [];
  const times: number[] = [];
  for (const area of areas) {
    if (times.length >= trials) break;
    if (!(await live(area))) continue;
    const plan = await national('GET', `/api/rollout/plans/${area}`);
    const r = await national(
      'POST',
      `/api/rollout/plans/${area}/withdraw`,
      { reason: 'propagation benchmark' },
      { 'if-match': plan.etag },
    );
    const changedAt = performance.now();
    if (r.status !== 200) continue; // a pilot's plan, say, that its own rules keep
    try {
      times.push(await seenAfter(changedAt, async () => !(await live(area)), 3000));
    } catch {
      // Still live after 3 s: if node A says so too, a basis other than the plan (a live contract, a
      // default provider) routes the area, and the withdrawal shows nothing to time.
      const r2 = await (await client(a, 'adviser'))('GET', `/api/routing?area=${area}&at=${at}`);
      if (isObj(r2.json) && r2.json.live === true) continue;
      throw new Error(`node B still routes ${area} by its withdrawn plan after 3 s`);
    }
  }
  return times;
}

/** The machine's 1-minute load average, to say how much else was running (2 on 2 cores is full). */
const load = () => loadavg()[0]?.toFixed(1) ?? '?';
const loadAtStart = load();
const metrics: BenchMetric[] = [];
const notes: string[] = [];
const steps: Record<string, unknown>[] = [];
const bests = new Map<number, number>();
for (const count of COUNTS) {
  const pg = await startPostgres();
  let nodes: Node[] = [];
  try {
    nodes = await startCluster(pg.url, count);
    const { best, last } = await search(nodes, steps);
    bests.set(count, best);
    metrics.push({
      name: `${count} node${count === 1 ? '' : 's'}: highest rate held (p99 < ${P99_LIMIT_MS} ms, no errors)`,
      value: best,
      unit: 'calls/s',
    });
    if (last)
      notes.push(
        `${count} node(s): the request with most server time at the last step was ${dominant(last)}`,
      );
  } finally {
    for (const n of nodes) await stopServer(n);
    await pg.stop();
  }
}
const one = bests.get(1);
if (one === 0) notes.push('No scaling factor: one node held no rate, so there is nothing to divide by.');
for (const count of COUNTS.filter((c) => c > 1)) {
  const best = bests.get(count);
  if (one && best !== undefined)
    metrics.push({
      name: `scaling factor, ${count} nodes ÷ 1`,
      value: Math.round((best / one) * 100) / 100,
      unit: '×',
    });
}

// Propagation, on a quiet pair of nodes (no load), so the figure is the notification's, not a queue's.
const pg = await startPostgres();
let pair: Node[] = [];
try {
  pair = await startCluster(pg.url, 2);
  const [a, b] = pair.map((n) => n.url) as [string, string];
  const summarise = (what: string, times: number[]) => {
    const p50 = Math.round(percentile(times, 50));
    const max = Math.round(Math.max(...times));
    console.log(`${what}: ${times.length} trials, p50 ${p50} ms, max ${max} ms`);
    metrics.push(
      { name: `${what}: seen on the other node, p50 (${times.length} trials)`, value: p50, unit: 'ms' },
      {
        name: `${what}: seen on the other node, max (${times.length} trials)`,
        value: max,
        unit: 'ms',
        target: `< ${PROPAGATION_TARGET_MS} ms`,
        met: times.length > 0 && max < PROPAGATION_TARGET_MS,
      },
    );
    steps.push({ propagation: what, times: times.map((t) => Math.round(t)) });
  };
  summarise('capacity change → DoS search', await capacityTrials(a, b, TRIALS));
  summarise('rollout plan withdrawn → routing', await rolloutTrials(a, b, TRIALS));
} finally {
  for (const n of pair) await stopServer(n);
  await pg.stop();
}

notes.push(
  `Each step offers calls for ${STEP_SECONDS} s in the national outcome mix (open-loop Poisson arrivals), dealt round-robin over the nodes (offers and advisers), the demo data, one PostgreSQL started for each cluster size.`,
  `A step of ${STEP_SECONDS} s at a low rate holds a few hundred requests, a few dozen of each type: their p99 is nearly their slowest, so one slow request (a cache loading, another process taking the core) decides a step; longer steps (NODES_SECONDS=60) give steadier figures.`,
  `This machine has ${cpus().length} cores, shared by PostgreSQL, every node and the load generator (and, when measured, other work): once the cores are busy a second or fourth node adds processes, not CPU, so the factor here is bounded by the cores, not by open111's design. It shows that nodes on one database stay correct under load, not how far they scale on a machine with a core per node.`,
  `Propagation: a change made over HTTP on node A, then node B asked every ${POLL_MS} ms until it answers accordingly, with no load on either; capacity alternates red and green on one Luton service (B's DoS search), the rollout trials withdraw one live plan each (B's routing).`,
);
notes.push(
  `The 1-minute load average was ${loadAtStart} at the start and ${load()} at the end, on ${cpus().length} cores: above ${cpus().length}, other work was competing for the cores and the rates held are a floor.`,
);
writeBenchResult('nodes', metrics, notes);
writeFileSync('bench/results/nodes-steps.json', `${JSON.stringify(steps, null, 2)}\n`);
