import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEMPLATE_DB, withDatabase } from '../../test/global-setup';
import { freePort } from '../../test/postgres-server';
import { routeTo } from '../../test/triage';
import type { Engine } from '../store/db';

/**
 * kill -9 under load. open111 runs as a child process (`serve --demo`, its own data, a free port) and
 * delivers its outbox by HTTP (OPEN111_RECEIVER_URL) to a receiver in this test, which keeps each
 * message once by its Idempotency-Key and counts the repeats it refused. Four clients open cases, triage
 * them and record their outcomes (ambulance dispatches, with a post-event message to the GP), retrying
 * what a crash interrupted with the same Idempotency-Key; the server is killed with SIGKILL three times
 * mid-load and restarted on the same data. Afterwards every case accepted (2xx) is there with its
 * outcome, each has exactly one dispatch, every message is delivered, and the receiver got each once.
 */

const CASES = 8;
const CLIENTS = 4;
/** Kill when this many outcomes have been accepted: mid-load, whatever the machine's speed. */
const KILL_AT = [2, 4, 6];
const GP = 'Y5GC1';

interface Receiver {
  readonly url: string;
  /** Idempotency key → kind, once each. */
  readonly received: Map<string, string>;
  duplicatesRefused: number;
  close(): Promise<void>;
}

/** The receiving systems (ambulance CAD, GP, services) as one HTTP endpoint: once per key, repeats refused. */
async function startReceiver(): Promise<Receiver> {
  const received = new Map<string, string>();
  const receiver = { duplicatesRefused: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      const kind = (req.url ?? '/').slice(1);
      if (typeof key !== 'string' || key === '') {
        res.writeHead(400).end('no Idempotency-Key');
        return;
      }
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString() || 'null');
      const bodyKey =
        body && typeof body === 'object' && 'idempotencyKey' in body ? body.idempotencyKey : key;
      if (bodyKey !== key) {
        res.writeHead(400).end('header and body keys disagree');
        return;
      }
      if (received.has(key)) {
        receiver.duplicatesRefused++;
        res.writeHead(200).end(`ACK ${key} (duplicate refused)`);
        return;
      }
      received.set(key, kind);
      res.writeHead(200).end(`ACK ${key}`);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where open111 keeps its data for this run: a PGlite folder from the seeded snapshot, or a PostgreSQL database. */
async function dataFor(engine: Engine): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'open111-kill9-'));
    const pglite = await PGlite.create(dir, {
      loadDataDir: new Blob([readFileSync(inject('pgliteSnapshot'))]),
    });
    await pglite.close();
    return {
      env: { OPEN111_DATA_DIR: dir, DATABASE_URL: '' },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = inject('postgresUrl');
  const name = `open111_kill9_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  await admin.end();
  return {
    env: { DATABASE_URL: withDatabase(server, name) },
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

class Down extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

describe.each(['pglite', 'postgres'] as const)('kill -9 under load [%s]', (engine) => {
  const cleanups: (() => Promise<void>)[] = [];
  let data: Awaited<ReturnType<typeof dataFor>>;
  beforeAll(async () => {
    data = await dataFor(engine);
    cleanups.push(() => data.drop());
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('loses no accepted case, delivers every message, and no dispatch twice', {
    timeout: 240_000,
  }, async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let child: ChildProcess | undefined;
    let output = '';
    let up = false;
    cleanups.push(async () => {
      child?.kill('SIGKILL');
    });

    const starts: number[] = [];
    async function start(): Promise<void> {
      const began = Date.now();
      child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--demo'], {
        env: {
          ...process.env,
          ...data.env,
          PORT: String(port),
          OPEN111_RECEIVER_URL: receiver.url,
          LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const tail = (d: Buffer) => {
        output = (output + d.toString()).slice(-6000);
      };
      child.stdout?.on('data', tail);
      child.stderr?.on('data', tail);
      for (let i = 0; i < 600; i++) {
        if (child.exitCode !== null) throw new Error(`open111 exited: ${output}`);
        if (
          await fetch(`${base}/readyz`).then(
            (r) => r.ok,
            () => false,
          )
        ) {
          up = true;
          starts.push(Date.now() - began);
          return;
        }
        await sleep(100);
      }
      throw new Error(`open111 did not become ready: ${output}`);
    }
    async function kill9(): Promise<void> {
      const c = child;
      if (!c) return;
      up = false;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    }

    const t0 = Date.now();
    await start();
    const login = async (username: string) => {
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'demo' }),
      });
      expect(res.status).toBe(200);
      const body: unknown = await res.json();
      return `Bearer ${isRecord(body) ? String(body.token) : ''}`;
    };
    const adviser = await login('adviser');

    /** Steps a kill interrupted (each retried until open111 answered again). */
    let interrupted = 0;
    /** One request; Down when open111 is not there (killed, or starting again). */
    async function call(
      method: string,
      path: string,
      body?: unknown,
      key?: string,
    ): Promise<{ status: number; json: unknown }> {
      try {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: adviser,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(key ? { 'idempotency-key': key } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(20_000),
        });
        const json: unknown = await res.json().catch(() => ({}));
        if (res.status >= 500) throw new Down(`${res.status}`);
        return { status: res.status, json };
      } catch (e) {
        throw e instanceof Down ? e : new Down(String(e));
      }
    }
    /** Retries a step that is safe to repeat (it carries an Idempotency-Key, or checks first) until open111 answers. */
    async function retrying<T>(step: () => Promise<T>): Promise<T> {
      for (let i = 0; ; i++) {
        try {
          return await step();
        } catch (e) {
          if (!(e instanceof Down) || i > 400) throw e;
          if (i === 0) interrupted++;
          await sleep(150);
        }
      }
    }
    const ok = (r: { status: number; json: unknown }, what: string): Record<string, unknown> => {
      if (r.status >= 300 || !isRecord(r.json))
        throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    };

    const accepted = new Set<string>();
    const withOutcome = new Set<string>();
    let outcomes = 0;

    async function oneCase(n: number): Promise<void> {
      const tag = `${engine}-${n}`;
      const dispositionCode = n % 3 === 0 ? 'Dx010' : 'Dx0116';
      const offered = await retrying(async () =>
        ok(await call('POST', '/api/calls', { areaCode: '5GC' }, `${tag}-offer`), 'offer'),
      );
      const callId = String(offered.id);
      await retrying(async () => {
        const r = await call('POST', `/api/calls/${callId}/events`, { kind: 'answered' });
        // A retry after a lost reply: the call was answered the first time.
        if (r.status === 409) {
          const events = (await call('GET', `/api/calls/${callId}/events`)).json;
          if (Array.isArray(events) && events.some((e) => isRecord(e) && e.kind === 'answered')) return;
        }
        ok(r, 'answer');
      });
      const opened = await retrying(async () =>
        ok(
          await call(
            'POST',
            '/api/cases',
            {
              callId,
              patient: {
                name: `Kill Nine ${n}`,
                birthDate: '1950-02-03',
                sex: 'female',
                postcode: 'LU1 3JU',
                gpPracticeCode: GP,
              },
            },
            `${tag}-open`,
          ),
          'open case',
        ),
      );
      const caseId = String(opened.id);
      accepted.add(caseId);
      // Triage through the API; interrupted, it is started again (an unfinished session is harmless).
      const route = routeTo(dispositionCode);
      await retrying(async () => {
        const current = ok(await call('GET', `/api/cases/${caseId}`), 'read case');
        if (current.status === 'triaged') return;
        const session = ok(
          await call('POST', '/api/triage/sessions', { pathwayId: route.pathwayId, patient: route.patient }),
          'start triage',
        );
        const sid = String(session.id);
        for (const a of route.answers)
          ok(await call('POST', `/api/triage/sessions/${sid}/answers`, { ...a }), 'answer');
        ok(await call('POST', `/api/triage/sessions/${sid}/finish`, {}), 'finish triage');
        ok(
          await call('POST', `/api/cases/${caseId}/triage`, { triageSessionId: sid, dispositionCode }),
          'record triage',
        );
      });
      const outcome = await retrying(async () =>
        ok(await call('POST', `/api/cases/${caseId}/outcome`, {}, `${tag}-outcome`), 'outcome'),
      );
      expect(outcome.outcome).toBe('ambulance');
      withOutcome.add(caseId);
      outcomes++;
    }

    // The load: CLIENTS at once, each taking the next case; a killer watching the progress.
    let next = 0;
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (let n = next++; n < CASES; n = next++) await oneCase(n);
    });
    let kills = 0;
    const killer = (async () => {
      for (const at of KILL_AT) {
        while (outcomes < at) await sleep(20);
        await kill9();
        kills++;
        await sleep(200); // clients meet a dead port for a moment
        await start();
      }
    })();
    await Promise.all([...clients, killer]);
    expect(kills).toBe(KILL_AT.length);
    expect(up).toBe(true);
    expect(accepted.size).toBe(CASES);

    // The outbox drains: claims of the killed senders are taken over when their leases run out.
    const admin = await login('admin');
    let undelivered = -1;
    for (let i = 0; i < 600; i++) {
      const outbox: unknown = await fetch(`${base}/api/messages`, { headers: { authorization: admin } }).then(
        (r) => r.json(),
      );
      const counts = isRecord(outbox) && isRecord(outbox.counts) ? outbox.counts : {};
      undelivered = Number(counts.pending ?? 0) + Number(counts.sending ?? 0) + Number(counts.dead ?? 0);
      if (undelivered === 0) break;
      await sleep(100);
    }
    expect(undelivered).toBe(0);

    // What the server itself now holds (it was killed three times and is running on the same data).
    const messages: { subject: string; kind: string; status: string; key: string }[] = [];
    for (const id of accepted) {
      const c = ok(await call('GET', `/api/cases/${id}`), 'read case'); // every accepted case is there
      expect(c.status).toBe('outcome_complete');
      expect(c.outcome).toBe('ambulance');
      for (const m of Array.isArray(c.messages) ? c.messages : [])
        if (isRecord(m))
          messages.push({
            subject: id,
            kind: String(m.kind),
            status: String(m.status),
            key: String(m.idempotencyKey),
          });
    }
    // One dispatch and one GP message per case: no retry of a client made a second.
    const dispatches = messages.filter((m) => m.kind === 'ambulance_dispatch');
    expect(dispatches).toHaveLength(CASES);
    expect(new Set(dispatches.map((m) => m.subject)).size).toBe(CASES);
    expect(messages.filter((m) => m.kind === 'gp_post_event')).toHaveLength(CASES);
    // Every message delivered, and the receiver has each exactly once (a repeat was refused, not acted on).
    expect(messages.filter((m) => m.status !== 'delivered')).toEqual([]);
    for (const m of messages) expect(receiver.received.get(m.key), m.key).toBe(m.kind);
    const ids = [...accepted];
    const ours = [...receiver.received.keys()].filter((k) => ids.some((id) => k.startsWith(`${id}/`)));
    expect(ours.length).toBe(messages.length);
    process.stdout.write(
      `kill -9 [${engine}]: ${CASES} cases, ${kills} kills, ${2 * CASES} messages delivered once each ` +
        `(${receiver.duplicatesRefused} repeats refused by the receiver), ${interrupted} steps ` +
        `interrupted and retried, starts ${starts.map((ms) => (ms / 1000).toFixed(1)).join('/')} s, all in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    expect(interrupted).toBeGreaterThan(0); // the kills did land mid-load
  });
});
