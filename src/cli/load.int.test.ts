import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { freshStore } from '../../test/engines';
import { NATIONAL_MIX } from '../domain/load/index';
import type { Store } from '../store/db';
import { loadTable, runLoad } from './load';

/** The load generator against a real server on a loopback port: whole calls, every step, no errors. */
describe('open111 load [pglite]', () => {
  let store: Store;
  let api: TestApi;
  let url = '';
  beforeAll(async () => {
    store = await freshStore('pglite');
    // The real clock: the switch stamps its events with the time they happen.
    api = await testApi(store);
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await api?.app.close();
    await store?.close();
  });

  const options = {
    rate: 2,
    durationSeconds: 4,
    advisers: 2,
    mix: NATIONAL_MIX,
    seed: 7,
    area: '5GC',
    postcode: 'LU1 3JU',
    adviser: { username: 'adviser', password: 'demo' },
    telephony: { username: 'switch', password: 'demo' },
    progress: false,
  };

  it('drives whole calls from the switch to the end of the call, and times each kind of request', async () => {
    const report = await runLoad({ ...options, url });
    expect(report.errors).toEqual({});
    expect(report.offered).toBeGreaterThan(0);
    expect(report.completed).toBe(report.offered);
    expect(report.unanswered).toBe(0);
    for (const step of [
      'telephony.offered',
      'calls.answer-next',
      'cases.open',
      'triage.start',
      'triage.answer',
    ])
      expect(report.requests[step]?.count ?? 0).toBeGreaterThan(0);
    for (const step of ['cases.triage', 'cases.outcome', 'calls.end'])
      expect(report.requests[step]?.count).toBe(report.completed);
    // Every call was answered question by question to a disposition and acted on.
    const ended = Object.values(report.mix.ended).reduce((a, b) => a + b, 0);
    expect(ended).toBe(report.completed);
    expect(loadTable(report).join('\n')).toContain('errors: none');
    // The server holds what the callers did: each call is ended, each with a case.
    const auth = await api.login('adviser');
    const cases = await api.app.inject({ url: '/api/cases?limit=200', headers: auth });
    expect(cases.json<unknown[]>().length).toBeGreaterThanOrEqual(report.completed);
  });

  it('deals offers and advisers over several nodes of one service, and answers every call', async () => {
    // A second node on the same store, as a second `serve` on the same database would be.
    const second = await testApi(store);
    try {
      await second.app.listen({ port: 0, host: '127.0.0.1' });
      const other = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}`;
      const report = await runLoad({ ...options, url, nodes: [other], seed: 8 });
      expect(report.errors).toEqual({});
      expect(report.offered).toBeGreaterThan(0);
      expect(report.completed).toBe(report.offered);
      expect(report.unanswered).toBe(0);
      // Every node is used: one that does not answer stops the run at its sign-in.
      await expect(runLoad({ ...options, url, nodes: [other, 'http://127.0.0.1:1'] })).rejects.toThrow(
        /auth.login/,
      );
    } finally {
      await second.app.close();
    }
  });

  it('refuses options that would turn a typo into an attack, and a server it cannot sign in to', async () => {
    await expect(runLoad({ ...options, url, rate: 5000 })).rejects.toThrow(
      /--rate must be above 0 and at most 1000/,
    );
    await expect(runLoad({ ...options, url: 'ftp://x' })).rejects.toThrow(/http/);
    await expect(runLoad({ ...options, url, nodes: ['ftp://x'] })).rejects.toThrow(/http/);
    await expect(
      runLoad({ ...options, url, adviser: { username: 'adviser', password: 'wrong' } }),
    ).rejects.toThrow(/auth.login: 401/);
  });
});
