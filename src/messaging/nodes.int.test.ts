import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../test/engines';
import { freePort } from '../../test/postgres-server';
import { inTransaction, openStore, type Store } from '../store/db';
import { enqueue, listMessages } from '../store/outbox';
import { httpAdapters } from './http-receiver';
import { startDeliveryWorker } from './worker';

/**
 * Two open111 nodes on one PostgreSQL, each running its outbox delivery worker, as every `serve` does:
 * the workers compete for the same messages, and each message must reach the receiving system once.
 * The receiver counts every request by its Idempotency-Key, repeats included, and answers slowly
 * enough that both workers are mid-pass together. (PGlite is one process, so this is PostgreSQL only.)
 */
describe('outbox delivery on two nodes [postgres]', () => {
  let database: { url: string; drop(): Promise<void> };
  const stores: Store[] = [];
  let receiver: Server;
  let receiverUrl = '';
  /** Idempotency-Key → how many times it was delivered. */
  const deliveries = new Map<string, number>();

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    for (let i = 0; i < 2; i += 1) stores.push(await openStore({ databaseUrl: database.url, poolSize: 4 }));
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const key = String(req.headers['idempotency-key'] ?? '');
        deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
        setTimeout(() => res.writeHead(200).end(`ACK ${key}`), 5 + Math.random() * 20);
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${port}`;
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    for (const s of stores) await s.close();
    await database?.drop();
  });

  it('delivers every message once, whichever node claims it', { timeout: 60_000 }, async () => {
    const [a, b] = stores as [Store, Store];
    const queue = (store: Store, keys: string[]) =>
      inTransaction(store.db, async (tx) => {
        for (const key of keys)
          await enqueue(
            tx,
            {
              kind: 'gp_post_event',
              destination: 'Y5GC1',
              idempotencyKey: key,
              payload: { key },
              subject: key,
            },
            new Date(),
          );
      });
    const keys = (from: number, n: number) => Array.from({ length: n }, (_, i) => `nodes-${from + i}`);
    // Queued before the workers start, half through each node; and more while they run.
    await queue(a, keys(0, 15));
    await queue(b, keys(15, 15));
    const workers = stores.map((s, i) =>
      startDeliveryWorker(s.db, httpAdapters(receiverUrl), () => new Date(), {
        sender: `node-${i === 0 ? 'a' : 'b'}`,
        intervalMs: 20,
        batch: 3,
      }),
    );
    try {
      await queue(a, keys(30, 10));
      await queue(b, keys(40, 10));
      const all = keys(0, 50);
      for (let i = 0; i < 300; i += 1) {
        const messages = await listMessages(a.db, {});
        if (messages.length === all.length && messages.every((m) => m.status === 'delivered')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      for (const w of workers) await w.stop();
    }

    const messages = await listMessages(a.db, {});
    expect(messages.map((m) => m.idempotencyKey).sort()).toEqual(keys(0, 50).sort());
    expect(messages.filter((m) => m.status !== 'delivered' || m.attempts !== 1)).toEqual([]);
    // The receiver was sent each message exactly once: no repeats to refuse.
    expect([...deliveries.keys()].sort()).toEqual(keys(0, 50).sort());
    expect([...deliveries.values()].filter((n) => n !== 1)).toEqual([]);
    // Both nodes did deliver: the two workers really were competing for the same outbox.
    const attempts = await a.db.selectFrom('delivery_attempt').select(['sender', 'outcome']).execute();
    expect(attempts).toHaveLength(50);
    expect(attempts.every((t) => t.outcome === 'delivered')).toBe(true);
    const bySender = new Set(attempts.map((t) => t.sender));
    expect(bySender).toEqual(new Set(['node-a', 'node-b']));
  });
});
