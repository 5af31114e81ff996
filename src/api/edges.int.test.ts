import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../test/api';
import { freshStore } from '../../test/engines';
import type { Store } from '../store/db';
import { MAX_URL_BYTES } from './edges';

/**
 * The HTTP edge's refusals, one by one: what the fuzz test (fuzz.int.test.ts) checks in bulk, with the
 * answer each should give. The edge is the same on both engines; this runs on PGlite.
 */

/** Sends raw bytes to the listening server and returns the status, headers and body it answers. */
function rawRequest(port: number, bytes: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', (err) => {
      // The server closes the socket after a parser error's answer; what arrived before counts.
      if (data) return;
      reject(err);
    });
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
    socket.write(bytes);
  });
}

describe('HTTP edges [pglite]', () => {
  let store: Store;
  let api: TestApi;
  let app: FastifyInstance;
  let auth: { authorization: string };
  let port: number;

  beforeAll(async () => {
    store = await freshStore('pglite');
    api = await testApi(store);
    app = api.app;
    auth = await api.login('admin');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const login = (payload: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload,
      headers: { 'content-type': 'application/json' },
    });

  it('refuses a NUL byte in the unauthenticated log-in with 400 naming the field', async () => {
    const res = await login(JSON.stringify({ username: 'adm\u0000in', password: 'demo' }));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      code: 'invalid',
      problems: [{ pointer: '/body/username', message: expect.stringMatching(/NUL/) }],
    });
  });

  it('refuses a lone UTF-16 surrogate in a JSON string, naming the field', async () => {
    const res = await login('{"username":"admin","password":"x\\ud800y"}');
    expect(res.statusCode).toBe(400);
    expect(res.json().problems).toEqual([
      { pointer: '/body/password', message: expect.stringMatching(/surrogate/) },
    ]);
  });

  it('keeps a proper surrogate pair (an emoji) as text', async () => {
    const res = await login(JSON.stringify({ username: 'nobody😀', password: 'x' }));
    expect(res.statusCode).toBe(401);
  });

  it('refuses NUL in a path parameter and in a query, naming each', async () => {
    const path = await app.inject({ url: '/api/geography/areas/5GC%00', headers: auth });
    expect(path.statusCode).toBe(400);
    expect(path.json().problems[0].pointer).toBe('/params/code');
    const query = await app.inject({ url: '/api/directory/services?name=a%00b', headers: auth });
    expect(query.statusCode).toBe(400);
    expect(query.json().problems[0].pointer).toBe('/querystring/name');
  });

  it('refuses JSON nested beyond any request of this service', async () => {
    const res = await login(`{"username":${'['.repeat(10_000)}${']'.repeat(10_000)},"password":"x"}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/nested more than/);
  });

  it('gives integers real bounds: 1e308 is refused at validation, not overflowed in SQL', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/directory/services/any-service',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"version":1e308,"service":{}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().problems[0]).toMatchObject({
      pointer: '/body/version',
      message: expect.stringMatching(/<=/),
    });
  });

  it('answers a broken percent-escape with problem+json on /api and an OperationOutcome on /fhir', async () => {
    const api400 = await app.inject({ url: '/api/geography/areas/%E0%A4%A', headers: auth });
    expect(api400.statusCode).toBe(400);
    expect(api400.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fhir400 = await app.inject({ url: '/fhir/R4/Organization/%zz', headers: auth });
    expect(fhir400.statusCode).toBe(400);
    expect(fhir400.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(fhir400.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid' }] });
  });

  it('answers an over-long id with 414 problem+json', async () => {
    const res = await app.inject({ url: `/api/directory/services/${'a'.repeat(500)}`, headers: auth });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toMatchObject({ status: 414, code: 'uri_too_long' });
  });

  it('answers a URL over the limit with 414, before sign-in is even asked', async () => {
    const res = await app.inject({ url: `/api/geography/areas?region=${'x'.repeat(MAX_URL_BYTES)}` });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers an unknown method on a real socket with problem+json', async () => {
    const res = await rawRequest(port, 'FLY /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'invalid' });
  });

  it('answers headers over 16 KiB with 431, and a request line over it with 414', async () => {
    const headers = await rawRequest(
      port,
      `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    expect(headers.status).toBe(431);
    expect(JSON.parse(headers.body)).toMatchObject({ status: 431, code: 'headers_too_large' });
    const line = await rawRequest(
      port,
      `GET /fhir/R4/metadata?x=${'u'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(line.status).toBe(414);
    expect(line.headers).toMatch(/content-type: application\/fhir\+json/i);
    expect(JSON.parse(line.body)).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'too-long' }],
    });
  });

  it('answers a method no route has (OPTIONS) with problem+json 404', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/api/calls', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
