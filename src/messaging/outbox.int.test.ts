import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { CLAIM_MS, MAX_ATTEMPTS, retryDelayMs } from '../domain/messaging/index';
import { inTransaction } from '../store/db';
import { claimDue, enqueue, listMessages, outboxCounts, requeue } from '../store/outbox';
import { demoAdapters } from './demo-receivers';
import { type Adapter, deliverDue } from './worker';

const msg = (key: string, priority = 0) => ({
  kind: 'gp_post_event',
  destination: 'GP1',
  idempotencyKey: key,
  payload: { key },
  subject: 'case-1',
  priority,
});

describeEachEngine('outbox', (use) => {
  const t0 = new Date('2012-03-05T10:00:00Z');

  it('writes a message only if its transaction commits', async () => {
    await expect(
      inTransaction(use().db, async (tx) => {
        await enqueue(tx, msg('rolled-back'), t0);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await inTransaction(use().db, (tx) => enqueue(tx, msg('committed'), t0));
    await inTransaction(use().db, (tx) => enqueue(tx, msg('committed'), t0));
    const keys = (await listMessages(use().db, {})).map((m) => m.idempotencyKey);
    expect(keys).toEqual(['committed']);
  });

  it('delivers once, in priority order, and records the acknowledgement', async () => {
    await inTransaction(use().db, async (tx) => {
      await enqueue(tx, msg('low', 0), t0);
      await enqueue(tx, { ...msg('ambulance', 10), kind: 'ambulance_dispatch', destination: 'RYC' }, t0);
    });
    const seen: string[] = [];
    const adapters = new Map<string, Adapter>([
      [
        'gp_post_event',
        async (m) => {
          seen.push(m.idempotencyKey);
          return 'ok';
        },
      ],
      [
        'ambulance_dispatch',
        async (m) => {
          seen.push(m.idempotencyKey);
          return 'cad-123';
        },
      ],
    ]);
    const report = await deliverDue(use().db, adapters, () => t0);
    expect(report).toEqual({ delivered: 3, failed: 0 });
    expect(seen[0]).toBe('ambulance');
    expect((await deliverDue(use().db, adapters, () => t0)).delivered).toBe(0);
    const amb = (await listMessages(use().db, {})).find((m) => m.idempotencyKey === 'ambulance');
    expect(amb).toMatchObject({ status: 'delivered', acknowledgement: 'cad-123', attempts: 1 });
  });

  it('retries a failing receiver with backoff, then holds the message for a person, who can send it again', async () => {
    await inTransaction(use().db, (tx) => enqueue(tx, msg('flaky'), t0));
    const failing = new Map<string, Adapter>([
      ['gp_post_event', async () => Promise.reject(new Error('GP system down'))],
    ]);
    let now = t0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect((await deliverDue(use().db, failing, () => now)).failed).toBe(1);
      // Not due again until the backoff has passed.
      expect((await deliverDue(use().db, failing, () => now)).failed).toBe(0);
      now = new Date(now.getTime() + retryDelayMs(attempt));
    }
    const held = (await listMessages(use().db, { status: 'dead' }))[0];
    expect(held).toMatchObject({
      idempotencyKey: 'flaky',
      attempts: MAX_ATTEMPTS,
      lastError: 'GP system down',
    });
    expect(await requeue(use().db, held!.id, now)).toBe(true);
    expect((await deliverDue(use().db, demoAdapters(use().db), () => now)).delivered).toBe(1);
    const received = await use()
      .db.selectFrom('received_message')
      .selectAll()
      .where('idempotency_key', '=', 'flaky')
      .execute();
    expect(received).toHaveLength(1);
  });

  it('fails and keeps a message no adapter can deliver', async () => {
    await inTransaction(use().db, (tx) => enqueue(tx, { ...msg('orphan'), kind: 'carrier_pigeon' }, t0));
    expect((await deliverDue(use().db, new Map(), () => t0)).failed).toBe(1);
    const m = (await listMessages(use().db, {})).find((x) => x.idempotencyKey === 'orphan');
    expect(m).toMatchObject({
      status: 'pending',
      lastError: 'no adapter delivers "carrier_pigeon" messages',
    });
  });

  it('never gives one message to two workers, and takes over a claim that lapsed', async () => {
    const later = new Date(t0.getTime() + 3_600_000);
    await inTransaction(use().db, async (tx) => {
      for (let i = 0; i < 10; i++) await enqueue(tx, msg(`shared-${i}`), later);
    });
    const [a, b] = await Promise.all([claimDue(use().db, 6, later), claimDue(use().db, 6, later)]);
    const ids = [...a, ...b].map((m) => m.idempotencyKey).filter((k) => k.startsWith('shared-'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(10);
    // The workers "die": after the claim lapses, the messages are due again.
    expect(await claimDue(use().db, 20, new Date(later.getTime() + CLAIM_MS - 1))).toHaveLength(0);
    expect(
      (await claimDue(use().db, 20, new Date(later.getTime() + CLAIM_MS + 1))).length,
    ).toBeGreaterThanOrEqual(10);
    expect((await outboxCounts(use().db)).sending).toBeGreaterThanOrEqual(10);
  });
});
