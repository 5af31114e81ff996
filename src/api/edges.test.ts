import { describe, expect, it } from 'vitest';
import { bounded, MAX_JSON_DEPTH, parseTrustProxy, unstorableText } from './edges';

describe('unstorableText', () => {
  it('finds NUL and lone surrogates anywhere, with a JSON pointer to them', () => {
    expect(unstorableText({ a: [{ b: 'ok' }, { c: 'x\u0000' }] }, '/body')).toMatchObject({
      pointer: '/body/a/1/c',
    });
    expect(unstorableText({ 'we/ird~': '\udc00' }, '/body')?.pointer).toBe('/body/we~1ird~0');
    expect(unstorableText(JSON.parse('{"k\\u0000":1}'), '/body')?.message).toMatch(/field name/);
  });

  it('lets ordinary text, emoji (surrogate pairs) and non-text through', () => {
    expect(unstorableText({ a: 'Zoë 😀', b: 1, c: null, d: [true] }, '/body')).toBeUndefined();
    expect(unstorableText(undefined, '/body')).toBeUndefined();
  });

  it('stops at the nesting limit rather than walking (or overflowing) further', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableText(deep, '/body')?.message).toMatch(new RegExp(`${MAX_JSON_DEPTH} levels`));
    let fine: unknown = 'leaf';
    for (let i = 0; i < MAX_JSON_DEPTH; i++) fine = [fine];
    expect(unstorableText(fine, '/body')).toBeUndefined();
  });
});

describe('bounded', () => {
  it('gives unbounded integers the range of a PostgreSQL integer, and numbers a finite one', () => {
    expect(
      bounded({
        type: 'object',
        properties: {
          n: { type: 'integer' },
          x: { type: 'number' },
          list: { type: 'array', items: { type: 'integer' } },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        n: { type: 'integer', minimum: -2_147_483_648, maximum: 2_147_483_647 },
        x: { type: 'number', minimum: -1e15, maximum: 1e15 },
        list: { type: 'array', items: { type: 'integer', minimum: -2_147_483_648, maximum: 2_147_483_647 } },
      },
    });
  });

  it('keeps bounds a schema sets, and leaves a property named "type" or an enum alone', () => {
    expect(bounded({ type: 'integer', minimum: 1, exclusiveMaximum: 10 })).toEqual({
      type: 'integer',
      minimum: 1,
      exclusiveMaximum: 10,
    });
    expect(bounded({ properties: { type: { type: 'string' } }, enum: [{ type: 'integer' }] })).toEqual({
      properties: { type: { type: 'string' } },
      enum: [{ type: 'integer' }],
    });
  });
});

describe('parseTrustProxy (OPEN111_TRUST_PROXY)', () => {
  it('trusts no proxy unless told, any with true, n hops with a number, else the addresses given', () => {
    expect([undefined, '', 'false', '0'].map(parseTrustProxy)).toEqual([false, false, false, false]);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 127.0.0.1,::1')).toBe('10.0.0.0/8,127.0.0.1,::1');
    expect(() => parseTrustProxy('yes please')).toThrow(/OPEN111_TRUST_PROXY/);
  });
});
