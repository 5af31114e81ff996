import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { freshStore } from '../../test/engines';
import { seededRandom } from '../domain/random';
import { demoSwitchTick } from '../services/demo-switch';
import type { Store } from '../store/db';

/** The demo's simulated switch: off until turned on, offers through the CTI use case, pausable. */
describe('the simulated switch over HTTP', () => {
  let store: Store;
  let api: TestApi;
  const clock = new Date('2012-03-06T19:00:00Z');
  beforeAll(async () => {
    store = await freshStore('pglite');
    api = await testApi(store, () => clock);
  });
  afterAll(async () => {
    await api.app.close();
    await store.close();
  });

  it('is off in tests until turned on; only a floor manager or administrator may; it offers calls, then pauses', async () => {
    const admin = await api.login('admin');
    const adviser = await api.login('adviser');
    const state = await api.app.inject({ url: '/api/demo/switch', headers: adviser });
    expect(state.json()).toMatchObject({ demo: true, running: false });
    expect(state.json().callsPerHour).toBeGreaterThan(0);
    const random = seededRandom(11);
    expect(await demoSwitchTick(api.app.ctx, 5_000, 3_600, random)).toBe(0);

    const refused = await api.app.inject({
      method: 'PUT',
      url: '/api/demo/switch',
      headers: adviser,
      payload: { running: true },
    });
    expect(refused.statusCode).toBe(403);
    const on = await api.app.inject({
      method: 'PUT',
      url: '/api/demo/switch',
      headers: admin,
      payload: { running: true },
    });
    expect(on.json()).toMatchObject({ running: true });

    // At 3600 times real time, five seconds of an evening bring calls for both demo areas.
    let offered = 0;
    for (let i = 0; i < 5; i++) offered += await demoSwitchTick(api.app.ctx, 5_000, 3_600, random);
    expect(offered).toBeGreaterThan(0);
    const calls = await store.db
      .selectFrom('call')
      .select(['call_ref', 'status', 'area_code'])
      .where('call_ref', 'like', 'SIM-%')
      .execute();
    expect(calls).toHaveLength(offered);
    expect(calls.every((c) => c.status === 'queued')).toBe(true);
    expect(new Set(calls.map((c) => c.area_code))).toEqual(new Set(['5GC', '5ND']));

    await api.app.inject({
      method: 'PUT',
      url: '/api/demo/switch',
      headers: admin,
      payload: { running: false },
    });
    expect(await demoSwitchTick(api.app.ctx, 5_000, 3_600, random)).toBe(0);
  });
});
