import { readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import * as hdr from 'hdr-histogram-js';
import { type Dispatcher, Pool } from 'undici';
import { parse } from 'yaml';
import { triageContent } from '../content/triage';
import { invalid } from '../domain/errors';
import {
  answerKey,
  callersByOutcome,
  mixSampler,
  NATIONAL_MIX,
  OUTCOME_CLASSES,
  type OutcomeMix,
  readOutcomeMix,
  type ScriptedCaller,
  scriptedCallers,
} from '../domain/load/index';
import { seededRandom } from '../domain/random';
import { DONT_KNOW } from '../domain/triage/index';
import { readCasesFile } from '../services/triage-eval';

/**
 * `open111 load`: simulated callers and advisers that drive whole calls over HTTP as the console does —
 * the switch offers a call, an adviser answers the next, opens the case, triages answer by answer,
 * searches the Directory, records the outcome and ends the call. Arrivals are open-loop (a Poisson
 * stream at the given rate, whatever the server does), so a slow server shows up as latency and a
 * growing queue rather than as a lower offered rate.
 */
export interface LoadOptions {
  readonly url: string;
  /**
   * Further nodes of the same service (one database behind them all), as behind a load balancer: the
   * switch's offers and the advisers are dealt round-robin over `url` and these, and a call offered
   * through one node may be answered on another, as the queue is the database's.
   */
  readonly nodes?: readonly string[];
  /** Calls offered per second. */
  readonly rate: number;
  /** Seconds of arrivals; the advisers then finish the calls in hand. */
  readonly durationSeconds: number;
  readonly advisers: number;
  readonly mix: OutcomeMix;
  readonly seed: number;
  /** Log-ins: the adviser's and the switch's (a telephony service account). */
  readonly adviser: { readonly username: string; readonly password: string };
  readonly telephony: { readonly username: string; readonly password: string };
  /** Where callers are placed: a commissioning area the adviser's provider handles, and a postcode in it. */
  readonly area: string;
  readonly postcode: string;
  readonly progress: boolean;
}

/** What one request type did: how many, and its latency percentiles in milliseconds. */
export interface RequestFigures {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** The slow-request line: the benchmarks' p99 limit, so a step's verdict shows whether a few or many passed it. */
export const SLOW_MS = 100;

/** One request type's figures, with how many of its requests took longer than `SLOW_MS`. */
export interface RequestTypeFigures extends RequestFigures {
  readonly over100ms: number;
}

export interface LoadReport {
  readonly url: string;
  readonly rate: number;
  readonly durationSeconds: number;
  readonly advisers: number;
  readonly offered: number;
  readonly completed: number;
  /** Calls answered whose flow failed at some step (see `errors`). */
  readonly failed: number;
  /** Calls offered that no adviser answered before the run stopped. */
  readonly unanswered: number;
  readonly callsPerSecond: number;
  readonly requestsPerCall: number;
  readonly errors: Readonly<Record<string, number>>;
  /** The server's first answer for each kind in `errors`. */
  readonly errorDetails: Readonly<Record<string, string>>;
  readonly requests: Readonly<Record<string, RequestTypeFigures>>;
  /** Seconds from the switch's offer to an adviser answering (measured in ms, reported in s). */
  readonly queueWait: RequestFigures;
  /** The mix asked for, the mix offered (groups with no caller left out), and what the calls ended in. */
  readonly mix: {
    readonly asked: OutcomeMix;
    readonly offered: OutcomeMix;
    readonly missing: readonly string[];
    readonly ended: Readonly<Record<string, number>>;
  };
}

/** Limits that keep a mistyped command from becoming an attack on someone's server. */
const LIMITS = { rate: 1000, durationSeconds: 3600, advisers: 500 } as const;
/** How long the advisers may take to finish the calls in hand after the last arrival. */
const GRACE_MS = 30_000;
// An idle adviser asks again after this long: often enough that a waiting call is answered at once, seldom
// enough that idle polling is not most of the load (the console itself waits on the queue stream).
const IDLE_POLL_MS = 250;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A failure of one step of a call, by kind (the request and its status, or the network error). */
class StepFailed extends Error {
  constructor(
    readonly kind: string,
    /** What the server said (a problem's detail), so a person can see why without a rerun. */
    readonly detail = '',
  ) {
    super(detail ? `${kind}: ${detail}` : kind);
  }
}

export class Tally {
  private readonly latencies = new Map<string, hdr.Histogram>();
  private readonly slow = new Map<string, number>();
  readonly errors = new Map<string, number>();
  /** The first answer seen for each kind of error: enough to tell a bad request from an overloaded server. */
  readonly errorDetails = new Map<string, string>();
  readonly ended = new Map<string, number>();
  requests = 0;

  /** Requests that did a call's work (an adviser polling an empty queue is not one). */
  working = 0;

  record(type: string, ms: number): void {
    let h = this.latencies.get(type);
    if (!h) {
      // Microsecond resolution from 1 µs to 10 minutes, 3 significant digits: bounded memory however long the run.
      h = hdr.build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 600_000_000,
        numberOfSignificantValueDigits: 3,
      });
      this.latencies.set(type, h);
    }
    h.recordValue(Math.max(1, Math.round(ms * 1000)));
    if (ms > SLOW_MS) this.slow.set(type, (this.slow.get(type) ?? 0) + 1);
    this.requests += 1;
    if (!type.endsWith('.idle') && type !== 'auth.login') this.working += 1;
  }

  /** Counts a failed step under its kind (`fallback` when it failed outside a request). */
  failure(err: unknown, fallback: string): void {
    const kind = err instanceof StepFailed ? err.kind : fallback;
    const detail = err instanceof StepFailed ? err.detail : err instanceof Error ? err.message : String(err);
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    if (detail && !this.errorDetails.has(kind)) this.errorDetails.set(kind, detail.slice(0, 300));
  }

  figures(): Record<string, RequestTypeFigures> {
    const out: Record<string, RequestTypeFigures> = {};
    for (const [type, h] of [...this.latencies].sort(([a], [b]) => a.localeCompare(b)))
      out[type] = { ...figuresOf(h, 1000), over100ms: this.slow.get(type) ?? 0 };
    return out;
  }
}

function figuresOf(h: hdr.Histogram, perUnit: number): RequestFigures {
  const at = (p: number) => Math.round((h.getValueAtPercentile(p) / perUnit) * 100) / 100;
  return {
    count: h.totalCount,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: Math.round((h.maxValue / perUnit) * 100) / 100,
  };
}

/** A problem+json answer's detail (or title), or the start of whatever else came back. */
function problemDetail(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isObj(body)) return str(body.detail) ?? str(body.title) ?? text;
  } catch {
    // not JSON: the text itself says what went wrong
  }
  return text;
}

/**
 * The connections to one node, shared by every simulated person who talks to it. undici's pool rather
 * than `fetch`: the load generator runs on the machine it measures, and fetch's web streams and abort
 * signals cost it about twice the CPU a request, CPU the server under test then lacks.
 */
interface Node {
  readonly base: string;
  /** A path the server is mounted under (behind a proxy), put before every request's. */
  readonly prefix: string;
  readonly pool: Pool;
}

function reach(base: string): Node {
  const url = new URL(base);
  const pool = new Pool(url.origin, { connections: 128, keepAliveTimeout: 30_000 });
  return { base, prefix: url.pathname.replace(/\/+$/, ''), pool };
}

/** A signed-in HTTP client that times every request under its type. */
class Client {
  constructor(
    private readonly node: Node,
    private readonly tally: Tally,
    private token = '',
  ) {}

  static async signIn(
    node: Node,
    tally: Tally,
    who: { username: string; password: string },
  ): Promise<Client> {
    const c = new Client(node, tally);
    const body = await c.send('auth.login', 'POST', '/api/auth/login', who);
    const token = isObj(body) ? str(body.token) : undefined;
    if (!token) throw invalid(`Signing in as ${who.username} at ${node.base} gave no token.`);
    c.token = token;
    return c;
  }

  /** Sends one request, timed under `type` (or `idleType` when the answer is 204: nothing to do). */
  async send(
    type: string,
    method: Dispatcher.HttpMethod,
    path: string,
    body?: unknown,
    idleType?: string,
  ): Promise<unknown> {
    const started = performance.now();
    let status: number;
    let text: string;
    try {
      const res = await this.node.pool.request({
        path: `${this.node.prefix}${path}`,
        method,
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const code = isObj(err)
        ? (str(err.code) ?? (isObj(err.cause) ? str(err.cause.code) : undefined))
        : undefined;
      throw new StepFailed(`${type}: ${code ?? 'network error'}`);
    }
    this.tally.record(status === 204 && idleType ? idleType : type, performance.now() - started);
    if (status >= 400) throw new StepFailed(`${type}: ${status}`, problemDetail(text));
    if (status === 204 || text === '') return null;
    return JSON.parse(text) as unknown;
  }
}

/** Exponential gaps between arrivals at `rate` per second: a Poisson stream, reproducible for a seed. */
const nextGapMs = (random: () => number, rate: number): number => (-Math.log(1 - random()) / rate) * 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function birthDateFor(age: number, now: Date): string {
  // Under ones (ages such as 0.25) are born that many days ago; older callers on 15 June of the year that
  // keeps their whole age whatever the day of the run (a case may say 1.5: the birth date is a whole day).
  if (age < 1)
    return new Date(now.getTime() - Math.max(1, Math.round(age * 365.25)) * 86_400_000)
      .toISOString()
      .slice(0, 10);
  return `${now.getUTCFullYear() - Math.floor(age) - (now.getUTCMonth() < 6 ? 1 : 0)}-06-15`;
}

/** One call, from answer to end, as an adviser works it on the call workspace. */
async function workCall(
  adviser: Client,
  call: Json,
  caller: ScriptedCaller,
  options: LoadOptions,
  tally: Tally,
): Promise<void> {
  const callId = str(call.id) as string;
  const opened = await adviser.send('cases.open', 'POST', '/api/cases', {
    callId,
    patient: {
      name: `Load caller ${caller.id}`,
      birthDate: birthDateFor(caller.age, new Date()),
      sex: caller.sex,
      postcode: options.postcode,
    },
  });
  const caseId = isObj(opened) ? str(opened.id) : undefined;
  if (!caseId) throw new StepFailed('cases.open: no case id');
  await adviser.send(
    'triage.pathways',
    'GET',
    `/api/triage/pathways?${new URLSearchParams({ q: caller.says, age: String(caller.age), sex: caller.sex })}`,
  );
  let session = await adviser.send('triage.start', 'POST', '/api/triage/sessions', {
    pathwayId: caller.pathwayId,
    patient: { ageYears: caller.age, sex: caller.sex },
  });
  const sessionId = isObj(session) ? str(session.id) : undefined;
  if (!sessionId) throw new StepFailed('triage.start: no session id');
  for (let asked = 0; isObj(session) && isObj(session.next); asked += 1) {
    if (asked > 200) throw new StepFailed('triage.answer: no disposition after 200 questions');
    const pathwayId = str(session.next.pathwayId) as string;
    const questionId = str(session.next.id) as string;
    const value = caller.answers.get(answerKey(pathwayId, questionId)) ?? DONT_KNOW;
    session = await adviser.send('triage.answer', 'POST', `/api/triage/sessions/${sessionId}/answers`, {
      pathwayId,
      questionId,
      value,
    });
  }
  const outcome = isObj(session) && isObj(session.outcome) ? session.outcome : undefined;
  const disposition = outcome && isObj(outcome.disposition) ? str(outcome.disposition.code) : undefined;
  if (!disposition) throw new StepFailed('triage.answer: no disposition');
  await adviser.send('triage.finish', 'POST', `/api/triage/sessions/${sessionId}/finish`, {});
  const triaged = await adviser.send('cases.triage', 'POST', `/api/cases/${caseId}/triage`, {
    triageSessionId: sessionId,
    dispositionCode: disposition,
    ...(Array.isArray(outcome?.report) ? { summary: outcome.report } : {}),
  });
  const kind = isObj(triaged) && isObj(triaged.disposition) ? str(triaged.disposition.outcome) : undefined;
  let choice: Json = {};
  if (kind === 'referral') {
    const found = await adviser.send('directory.search', 'POST', '/api/directory/search', {
      postcode: options.postcode,
      age: { value: caller.age, unit: 'years' },
      sex: caller.sex,
      disposition,
    });
    const first = isObj(found) && Array.isArray(found.results) ? found.results[0] : undefined;
    const service = isObj(first) && isObj(first.service) ? first.service : undefined;
    if (!service) throw new StepFailed(`directory.search: no service for ${disposition}`);
    choice = { service: { id: service.id, name: service.name } };
  } else if (kind === 'callback') {
    // No clinician free to take it at once: it goes to the call-back queue, as most do.
    choice = { warmTransfer: 'failed' };
  }
  const decided = await adviser.send('cases.outcome', 'POST', `/api/cases/${caseId}/outcome`, choice);
  if (isObj(decided) && decided.status === 'outcome_complete')
    await adviser.send('cases.close', 'POST', `/api/cases/${caseId}/close`);
  await adviser.send('calls.end', 'POST', `/api/calls/${callId}/events`, { kind: 'ended' });
  tally.ended.set(kind ?? 'unknown', (tally.ended.get(kind ?? 'unknown') ?? 0) + 1);
}

/** Runs the load and reports; throws only when it cannot start (bad options, no sign-in). */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  checkOptions(options);
  const base = options.url.replace(/\/+$/, '');
  const tally = new Tally();
  const random = seededRandom(options.seed);
  const callers = scriptedCallers(triageContent(), readCasesFile());
  const sampler = mixSampler(options.mix, callersByOutcome(callers), random);
  const nodes = [base, ...(options.nodes ?? []).map((u) => u.replace(/\/+$/, ''))].map(reach);
  try {
    return await driveLoad(options, nodes, tally, random, sampler);
  } finally {
    await Promise.all(nodes.map((n) => n.pool.close()));
  }
}

async function driveLoad(
  options: LoadOptions,
  nodes: readonly Node[],
  tally: Tally,
  random: () => number,
  sampler: ReturnType<typeof mixSampler<ScriptedCaller>>,
): Promise<LoadReport> {
  const base = (nodes[0] as Node).base;
  // One adviser log-in and one switch log-in per node: each node checks the tokens it is sent.
  const advisers = await Promise.all(nodes.map((n) => Client.signIn(n, tally, options.adviser)));
  const switches = await Promise.all(nodes.map((n) => Client.signIn(n, tally, options.telephony)));
  const run = `LOAD-${Date.now().toString(36)}`;
  const byRef = new Map<string, { caller: ScriptedCaller; offeredAt: number }>();
  const wait = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
  let offered = 0;
  let completed = 0;
  let failed = 0;
  let arriving = true;
  const started = Date.now();
  const bar = options.progress
    ? new SingleBar({
        format: ' {bar} {value}/{total} s  offered {offered}  completed {completed}  errors {errors}',
        stream: process.stderr,
      })
    : undefined;
  bar?.start(options.durationSeconds, 0, { offered: 0, completed: 0, errors: 0 });
  const errorCount = () => [...tally.errors.values()].reduce((a, b) => a + b, 0);
  const ticker = setInterval(
    () =>
      bar?.update(Math.min(options.durationSeconds, Math.floor((Date.now() - started) / 1000)), {
        offered,
        completed,
        errors: errorCount(),
      }),
    500,
  );

  const offer = async (n: number): Promise<void> => {
    const telephony = switches[n % switches.length] as Client;
    const callRef = `${run}-${n}`;
    const caller = sampler.next();
    byRef.set(callRef, { caller, offeredAt: Date.now() });
    try {
      await telephony.send('telephony.offered', 'POST', '/api/telephony/events', {
        type: 'offered',
        callRef,
        at: new Date().toISOString(),
        callerNumber: `0158270${String(n % 10_000).padStart(4, '0')}`,
        area: options.area,
      });
    } catch (err) {
      byRef.delete(callRef);
      tally.failure(err, 'telephony.offered: failed');
    }
  };

  const arrivals = (async () => {
    const inFlight: Promise<void>[] = [];
    let due = performance.now();
    const end = due + options.durationSeconds * 1000;
    for (let n = 0; ; n += 1) {
      due += nextGapMs(random, options.rate);
      if (due >= end) break;
      const delay = due - performance.now();
      if (delay > 0) await sleep(delay);
      offered += 1;
      // Not awaited: the next arrival does not wait for the server to answer this one.
      inFlight.push(offer(n));
    }
    await Promise.all(inFlight);
    arriving = false;
  })();

  const deadline = () => started + options.durationSeconds * 1000 + GRACE_MS;
  const adviserLoop = async (adviser: Client): Promise<void> => {
    while (Date.now() < deadline()) {
      let call: unknown;
      try {
        call = await adviser.send(
          'calls.answer-next',
          'POST',
          '/api/calls/answer-next',
          undefined,
          'calls.answer-next.idle',
        );
      } catch (err) {
        tally.failure(err, 'calls.answer-next: failed');
        await sleep(IDLE_POLL_MS);
        continue;
      }
      if (!isObj(call)) {
        if (!arriving && byRef.size === 0) return;
        await sleep(IDLE_POLL_MS);
        continue;
      }
      const ref = str(call.callRef);
      const known = ref ? byRef.get(ref) : undefined;
      if (ref) byRef.delete(ref);
      if (known) wait.recordValue(Math.max(1, Date.now() - known.offeredAt));
      try {
        await workCall(adviser, call, known?.caller ?? sampler.next(), options, tally);
        completed += 1;
      } catch (err) {
        failed += 1;
        tally.failure(err, 'call: failed');
      }
    }
  };
  await Promise.all([
    arrivals,
    ...Array.from({ length: options.advisers }, (_, i) =>
      adviserLoop(advisers[i % advisers.length] as Client),
    ),
  ]);
  clearInterval(ticker);
  bar?.update(options.durationSeconds, { offered, completed, errors: errorCount() });
  bar?.stop();
  const elapsed = (Date.now() - started) / 1000;
  const waitFigures = figuresOf(wait, 1000);
  return {
    url: base,
    rate: options.rate,
    durationSeconds: options.durationSeconds,
    advisers: options.advisers,
    offered,
    completed,
    failed,
    unanswered: byRef.size,
    callsPerSecond: Math.round((completed / elapsed) * 100) / 100,
    requestsPerCall: completed === 0 ? 0 : Math.round((tally.working / completed) * 10) / 10,
    errors: Object.fromEntries(tally.errors),
    errorDetails: Object.fromEntries(tally.errorDetails),
    requests: tally.figures(),
    queueWait: waitFigures,
    mix: {
      asked: options.mix,
      offered: sampler.offered,
      missing: sampler.missing,
      ended: Object.fromEntries(tally.ended),
    },
  };
}

function checkOptions(o: LoadOptions): void {
  for (const given of [o.url, ...(o.nodes ?? [])]) {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw invalid(`--url ${given} is not a URL: give the server's address, such as http://127.0.0.1:8111.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalid('--url must be http:// or https://.');
  }
  const bounded = (name: string, v: number, max: number) => {
    if (!Number.isFinite(v) || v <= 0 || v > max)
      throw invalid(`--${name} must be above 0 and at most ${max}.`);
  };
  bounded('rate', o.rate, LIMITS.rate);
  bounded('duration', o.durationSeconds, LIMITS.durationSeconds);
  bounded('advisers', o.advisers, LIMITS.advisers);
  if (!Number.isInteger(o.advisers)) throw invalid('--advisers must be a whole number.');
}

/** The report as a table a person reads at the end of the run. */
export function loadTable(r: LoadReport): string[] {
  const lines = [
    `offered ${r.offered} calls at ${r.rate}/s for ${r.durationSeconds} s with ${r.advisers} advisers: ` +
      `${r.completed} completed (${r.callsPerSecond} calls/s, ${r.requestsPerCall} requests a call), ${r.failed} failed, ${r.unanswered} unanswered`,
    `queue wait (s): p50 ${r.queueWait.p50.toFixed(2)}  p95 ${r.queueWait.p95.toFixed(2)}  p99 ${r.queueWait.p99.toFixed(2)}`,
    '',
    `${'request'.padEnd(22)}${'count'.padStart(8)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'max ms'.padStart(10)}${`> ${SLOW_MS} ms`.padStart(10)}`,
  ];
  for (const [type, f] of Object.entries(r.requests))
    lines.push(
      `${type.padEnd(22)}${String(f.count).padStart(8)}${f.p50.toFixed(1).padStart(10)}${f.p95.toFixed(1).padStart(10)}${f.p99.toFixed(1).padStart(10)}${f.max.toFixed(1).padStart(10)}${String(f.over100ms).padStart(10)}`,
    );
  const errors = Object.entries(r.errors);
  lines.push(
    '',
    errors.length === 0 ? 'errors: none' : `errors: ${errors.map(([k, n]) => `${k} ×${n}`).join(', ')}`,
    ...Object.entries(r.errorDetails).map(([k, d]) => `  ${k}: ${d}`),
  );
  const ended = Object.entries(r.mix.ended);
  if (ended.length) lines.push(`calls ended in: ${ended.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  lines.push(
    `outcome mix offered: ${OUTCOME_CLASSES.map((c) => `${c} ${r.mix.offered[c].toFixed(0)}%`).join(', ')}` +
      (r.mix.missing.length ? ` (no caller ends in: ${r.mix.missing.join(', ')})` : ''),
  );
  return lines;
}

export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .description('drive whole calls over HTTP, as callers and advisers would, and report latency per request')
    .requiredOption(
      '--url <url>',
      'the open111 server, e.g. http://127.0.0.1:8111; several nodes of one service comma-separated',
    )
    .option('--rate <calls/s>', 'calls offered per second (open-loop arrivals)', '1')
    .option('--duration <seconds>', 'seconds of arrivals', '60')
    .option('--advisers <n>', 'advisers answering calls at once', '8')
    .option(
      '--mix <file>',
      'outcome mix (YAML or JSON weights: ambulance, ae, primary_care, other, self_care)',
    )
    .option('--seed <n>', 'random seed', '1')
    .option('--area <code>', "the callers' commissioning area", '5GC')
    .option('--postcode <postcode>', "the callers' postcode", 'LU1 3JU')
    .option('--adviser-user <name>', 'adviser log-in', 'adviser')
    .option('--switch-user <name>', 'telephony service account log-in', 'switch')
    .option('--json <file>', 'also write the report as JSON')
    .action(
      async (opts: {
        url: string;
        rate: string;
        duration: string;
        advisers: string;
        mix?: string;
        seed: string;
        area: string;
        postcode: string;
        adviserUser: string;
        switchUser: string;
        json?: string;
      }) => {
        // Passwords never on the command line (they would show in `ps`): from the environment, demo by default.
        const password = process.env.OPEN111_LOAD_PASSWORD ?? 'demo';
        const [url = '', ...nodes] = opts.url.split(',').map((u) => u.trim());
        const report = await runLoad({
          url,
          nodes,
          rate: Number(opts.rate),
          durationSeconds: Number(opts.duration),
          advisers: Number(opts.advisers),
          mix: opts.mix ? readOutcomeMix(parse(readFileSync(opts.mix, 'utf8'))) : NATIONAL_MIX,
          seed: Number(opts.seed),
          area: opts.area,
          postcode: opts.postcode,
          adviser: { username: opts.adviserUser, password },
          telephony: {
            username: opts.switchUser,
            password: process.env.OPEN111_LOAD_SWITCH_PASSWORD ?? password,
          },
          progress: process.stderr.isTTY === true,
        });
        for (const line of loadTable(report)) console.log(line);
        if (opts.json) writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
      },
    );
}
