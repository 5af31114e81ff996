// Cases benchmark, through the real HTTP stack (app.inject) on embedded PGlite:
// - the outcome transaction (lock the case, append events, enqueue dispatch + post-event, audit), p50/p95;
// - the clinical queue with many call-backs waiting (each listed case is an audited read);
// - outbox delivery of the messages those cases produced, with the demo receivers.
// Prints the figures and writes bench/results/cases.json. Run: node --import tsx bench/cases.ts
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/api/app';
import { createContext } from '../src/api/context';
import { demoAdapters } from '../src/messaging/demo-receivers';
import { deliverDue } from '../src/messaging/worker';
import { seedDemo } from '../src/seed/index';
import { migrate, openStore } from '../src/store/db';
import { finishedTriage } from '../test/triage';
import { percentile, writeBenchResult } from './lib';

const AMBULANCE_CASES = 200;
const WAITING_CALLBACKS = 300;

const store = await openStore({ dataDir: 'memory://' });
await migrate(store.db);
await seedDemo(store.db);
const app = await buildApp(createContext(store, { demo: true }), { webRoot: '/nonexistent' });
const login = await app.inject({
  method: 'POST',
  url: '/api/auth/login',
  payload: { username: 'adviser', password: 'demo' },
});
const adviser = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
const clinicianLogin = await app.inject({
  method: 'POST',
  url: '/api/auth/login',
  payload: { username: 'clinician', password: 'demo' },
});
const clinician = { authorization: `Bearer ${clinicianLogin.json<{ token: string }>().token}` };

async function post(url: string, payload: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url, headers: adviser, payload });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>();
}

async function triagedCase(dispositionCode: string, i: number): Promise<string> {
  const call = await post('/api/calls', { areaCode: '5GC' });
  await post(`/api/calls/${call.id}/events`, { kind: 'answered' });
  const opened = await post('/api/cases', {
    callId: call.id,
    patient: {
      name: `Bench Patient ${i}`,
      birthDate: '1960-01-01',
      sex: 'unknown',
      postcode: 'LU1 3JU',
      gpPracticeCode: 'Y5GC1',
    },
  });
  // Each case is triaged for real: a session run to the disposition and finished (not timed).
  const triageSessionId = await finishedTriage(post, dispositionCode);
  await post(`/api/cases/${opened.id}/triage`, { triageSessionId, dispositionCode });
  return opened.id;
}

const outcomeMs: number[] = [];
for (let i = 0; i < AMBULANCE_CASES; i++) {
  const id = await triagedCase('Dx011', i);
  const start = performance.now();
  await post(`/api/cases/${id}/outcome`, {});
  outcomeMs.push(performance.now() - start);
}

for (let i = 0; i < WAITING_CALLBACKS; i++) {
  const id = await triagedCase('Dx11', AMBULANCE_CASES + i);
  await post(`/api/cases/${id}/outcome`, {});
}
const queueMs: number[] = [];
for (let i = 0; i < 10; i++) {
  const start = performance.now();
  const res = await app.inject({ url: '/api/clinical-queue?limit=1000', headers: clinician });
  queueMs.push(performance.now() - start);
  if (res.json<unknown[]>().length !== WAITING_CALLBACKS) throw new Error('queue is short');
}

const adapters = demoAdapters(store.db);
let delivered = 0;
const deliverStart = performance.now();
for (;;) {
  const r = await deliverDue(store.db, adapters, () => new Date(), { batch: 50 });
  delivered += r.delivered;
  if (r.delivered + r.failed === 0) break;
}
const deliverSeconds = (performance.now() - deliverStart) / 1000;

await app.close();
await store.close();

const p95Outcome = percentile(outcomeMs, 95);
writeBenchResult(
  'cases',
  [
    { name: 'ambulance outcome request p50 (PGlite)', value: percentile(outcomeMs, 50), unit: 'ms' },
    {
      name: 'ambulance outcome request p95 (PGlite)',
      value: p95Outcome,
      unit: 'ms',
      target: '≤ 250 ms',
      met: p95Outcome <= 250,
    },
    {
      name: `clinical queue with ${WAITING_CALLBACKS} call-backs p50 (PGlite)`,
      value: percentile(queueMs, 50),
      unit: 'ms',
    },
    { name: 'outbox delivery to demo receivers', value: delivered / deliverSeconds, unit: 'messages/s' },
  ],
  [
    `${AMBULANCE_CASES} ambulance cases (dispatch + GP post-event each), ${WAITING_CALLBACKS} Dx11 call-backs; ${delivered} messages delivered.`,
    'Each outcome request locks the case, appends its events, enqueues its messages and audits, in one transaction.',
  ],
);
