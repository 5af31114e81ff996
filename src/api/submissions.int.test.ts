import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';

describeEachEngine('the SHA’s submission to the Department of Health', (use) => {
  let api: TestApi;
  const as = async (username: string, method: 'GET' | 'POST', url: string) =>
    api.app.inject({ method, url, headers: await api.login(username) });

  beforeAll(async () => {
    // Before the submission deadline (23 September 2011 in content/rollout/calendar.yaml).
    api = await testApi(use(), () => new Date('2011-09-20T10:00:00Z'));
  });
  afterAll(async () => api.app.close());

  it('shows the East of England its areas’ plans, rollout and what is outstanding, then sends it once', async () => {
    const before = await as('commissioner', 'GET', '/api/rollout/submissions/Q35');
    expect(before.statusCode, before.body).toBe(200);
    const doc = before.json();
    expect(doc.regionName).toContain('East of England');
    expect(doc.status).toBe('not_sent');
    const luton = doc.areas.find((a: { code: string }) => a.code === '5GC');
    expect(luton).toMatchObject({ goLiveDate: '2010-12-03', confirmed: true });
    expect(luton.providers[0].name).toContain('NHS Direct');
    expect(doc.rollout[0]).toMatchObject({ goLiveDate: '2010-12-03', areas: ['5GC'] });
    // Bedfordshire has no plan in the demo: the document says so in a sentence.
    expect(doc.outstanding.some((s: string) => s.startsWith('Bedfordshire (5P2) has no plan'))).toBe(true);

    const sent = await as('commissioner', 'POST', '/api/rollout/submissions/Q35/send');
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ status: 'sent', sentBy: 'commissioner' });
    const after = (await as('national', 'GET', '/api/rollout/submissions/Q35')).json();
    expect(after.status).toBe('sent');
    const kept = await use().db.selectFrom('sha_submission').select('region_code').execute();
    expect(kept.map((k) => k.region_code)).toEqual(['Q35']);
  });

  it('lets only the SHA (and the Department itself) send it, and answers an unknown SHA with its code', async () => {
    expect((await as('ccg', 'POST', '/api/rollout/submissions/Q35/send')).statusCode).toBe(403);
    expect((await as('doslead', 'POST', '/api/rollout/submissions/Q35/send')).statusCode).toBe(403);
    expect((await as('commissioner', 'POST', '/api/rollout/submissions/Q30/send')).statusCode).toBe(403);
    const unknown = await as('commissioner', 'GET', '/api/rollout/submissions/Q99');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('no SHA with code "Q99"');
  });
});
