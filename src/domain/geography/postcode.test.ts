import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { parsePostcode } from './postcode';

describe('parsePostcode', () => {
  it.each([
    ['lu1 3ju', 'LU1 3JU', 'LU1'],
    ['LU13JU', 'LU1 3JU', 'LU1'],
    ['  dh1   3ln ', 'DH1 3LN', 'DH1'],
    ['sw1a1aa', 'SW1A 1AA', 'SW1A'],
  ])('normalises the full postcode %j', (input, postcode, outcode) => {
    expect(parsePostcode(input)).toEqual({ kind: 'postcode', postcode, outcode });
  });

  it.each([
    ['lu1', 'LU1'],
    ['NG7', 'NG7'],
    ['ec1a', 'EC1A'],
  ])('accepts the outward code %j alone', (input, outcode) => {
    expect(parsePostcode(input)).toEqual({ kind: 'outcode', outcode });
  });

  it.each(['', '   ', 'XX', 'LU1 3J', '12345', 'LU1-3JU', '<script>', 'LU1 3JUU', 'A'.repeat(500)])(
    'rejects %j with an invalid error a person can read',
    (input) => {
      expect(() => parsePostcode(input)).toThrow(DomainError);
      try {
        parsePostcode(input);
      } catch (e) {
        expect((e as DomainError).code).toBe('invalid');
        expect((e as DomainError).message).toMatch(/postcode/i);
        expect((e as DomainError).message.length).toBeLessThan(200);
      }
    },
  );
});
