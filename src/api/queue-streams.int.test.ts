import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore } from '../../test/engines';
import type { Store } from '../store/db';
import { buildApp } from './app';
import { createContext } from './context';

/**
 * The live queue streams are what grows with the consoles a node serves: each console that goes away must
 * leave the registry (or a node leaks a timer, a socket and a store read every 2 s per console ever
 * opened), and a node at its limit refuses the next with a 503 instead of growing. The registry's size is
 * read where monitoring reads it, /metrics. One engine: the registry is the node's, not the store's.
 */
describe('live queue streams are bounded and leave when the console goes [pglite]', () => {
  const LIMIT = 20;
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let adviser: { authorization: string };

  beforeAll(async () => {
    store = await freshStore('pglite');
    app = await buildApp(createContext(store, { demo: true }), {
      webRoot: '/nonexistent',
      edge: { maxQueueStreams: LIMIT, loginLimits: { perAddress: 100_000, perAccount: 100_000 } },
    });
    // A request marked x-hold waits a little before it is handled, so its console can be gone by then.
    app.addHook('onRequest', async (request) => {
      if (request.headers['x-hold']) await new Promise((resolve) => setTimeout(resolve, 50));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'adviser', password: 'demo' },
    });
    adviser = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const openStreams = async (): Promise<number> => {
    const metrics = await app.inject({ url: '/metrics' });
    const line = metrics.body.split('\n').find((l) => l.startsWith('open111_queue_streams_open '));
    if (!line) throw new Error('no open111_queue_streams_open in /metrics');
    return Number(line.split(' ')[1]);
  };
  /** The registry settles once the server has seen each connection close (a socket event, not at once). */
  const settlesAt = async (expected: number): Promise<number> => {
    let n = await openStreams();
    for (let i = 0; i < 100 && n !== expected; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      n = await openStreams();
    }
    return n;
  };

  /** A console that opens the stream and reads its first view; `close` ends the connection. */
  const consoleStream = async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/api/queue/stream`, { headers: adviser, signal: abort.signal });
    if (res.status === 200) {
      const reader = res.body?.getReader();
      const first = await reader?.read();
      expect(new TextDecoder().decode(first?.value)).toContain('event: queue');
    }
    return { res, close: () => abort.abort() };
  };

  /** Sends the stream's request on a bare socket and closes it as soon as the request is written. */
  const goesAtOnce = () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1', () => {
        socket.write(
          `GET /api/queue/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${adviser.authorization}\r\nX-Hold: 1\r\n\r\n`,
          () => {
            socket.destroy();
            resolve();
          },
        );
      });
      socket.once('error', reject);
    });

  it('is back to none open after 1,000 consoles open the stream and go away', async () => {
    expect(await openStreams()).toBe(0);
    let closedEarly = 0;
    for (let batch = 0; batch < 1000 / LIMIT; batch++) {
      const streams = await Promise.all(Array.from({ length: LIMIT }, consoleStream));
      expect(streams.map((s) => s.res.status)).toEqual(Array(LIMIT).fill(200));
      // All of the batch are held open at once: the count is real, not always 0.
      if (batch === 0) expect(await openStreams()).toBe(LIMIT);
      for (const s of streams) s.close();
      // Some consoles go while the first view is still being read (a page left at once): the request
      // reaches the server, then the socket closes before any answer. They must not stay either.
      const hasty = Array.from({ length: 4 }, () => {
        closedEarly += 1;
        return goesAtOnce();
      });
      await Promise.all(hasty);
      // Past their hold and their first read, then none of them may be left.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await settlesAt(0)).toBe(0);
    }
    expect(closedEarly).toBe(200);
    expect(await settlesAt(0)).toBe(0);
  }, 120_000);

  it('refuses a stream past the limit with a 503 problem+json and Retry-After, and takes one when a place frees', async () => {
    const held = await Promise.all(Array.from({ length: LIMIT }, consoleStream));
    expect(await openStreams()).toBe(LIMIT);
    const refused = await fetch(`${base}/api/queue/stream`, { headers: adviser });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({
      status: 503,
      detail: expect.stringMatching(/20 live queue streams/),
    });
    // One view at a time is still served: it holds no place.
    expect((await app.inject({ url: '/api/queue/stream?once=true', headers: adviser })).statusCode).toBe(200);
    held[0]?.close();
    expect(await settlesAt(LIMIT - 1)).toBe(LIMIT - 1);
    const again = await consoleStream();
    expect(again.res.status).toBe(200);
    for (const s of [...held.slice(1), again]) s.close();
    expect(await settlesAt(0)).toBe(0);
  }, 60_000);
});
