import { describe, expect, it } from 'vitest';
import { isConnectionError } from './db';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionError: what the edge answers with 503 and Retry-After', () => {
  it('knows a database that is away: refused, reset, shut down, starting, full, dropped', () => {
    for (const e of [
      withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      withCode('ECONNRESET'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('53300', 'sorry, too many clients already'),
      withCode('08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      new AggregateError([withCode('ECONNREFUSED')], 'connect failed'),
      new Error('outer', { cause: withCode('ETIMEDOUT') }),
    ])
      expect(isConnectionError(e), String(e)).toBe(true);
  });

  it('leaves every other error alone: a constraint, bad SQL, a bug', () => {
    for (const e of [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('42601', 'syntax error'),
      withCode('P0001', 'simulated fault'),
      new TypeError('x is undefined'),
      'a string',
      null,
      undefined,
    ])
      expect(isConnectionError(e), String(e)).toBe(false);
  });
});
