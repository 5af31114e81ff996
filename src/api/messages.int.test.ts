import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { describeEachEngine } from '../../test/engines';
import { enqueue } from '../store/outbox';
import { inTransaction } from '../store/db';

describeEachEngine('messages API', (use) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi(use());
    await inTransaction(use().db, (tx) =>
      enqueue(
        tx,
        { kind: 'gp_post_event', destination: 'GP1', idempotencyKey: 'k1', payload: {}, subject: 'case-9' },
        new Date(),
      ),
    );
  });
  afterAll(async () => api.app.close());

  it('shows operations staff the outbox by status and subject', async () => {
    const admin = await api.login('admin');
    const res = await api.app.inject({ url: '/api/messages?subject=case-9', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().counts.pending).toBe(1);
    expect(res.json().messages.map((m: { idempotencyKey: string }) => m.idempotencyKey)).toEqual(['k1']);
  });

  it('keeps advisers out, and refuses to resend a message that is not held', async () => {
    const adviser = await api.login('adviser');
    expect((await api.app.inject({ url: '/api/messages', headers: adviser })).statusCode).toBe(403);
    const admin = await api.login('admin');
    const [m] = (await api.app.inject({ url: '/api/messages', headers: admin })).json().messages;
    const retry = await api.app.inject({
      method: 'POST',
      url: `/api/messages/${m.id}/retry`,
      headers: admin,
    });
    expect(retry.statusCode).toBe(409);
    expect(
      (await api.app.inject({ method: 'POST', url: '/api/messages/abc/retry', headers: admin })).statusCode,
    ).toBe(400);
  });
});
