import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { checkedNhsNumber, formatNhsNumber, nhsNumberValid } from './nhs-number';

describe('NHS numbers', () => {
  it('accepts a number whose modulus-11 check digit matches, and shows it 3-3-4', () => {
    // 943 476 5919 is the NHS's published example of a valid number.
    expect(nhsNumberValid('9434765919')).toBe(true);
    expect(checkedNhsNumber('943 476 5919', '/body/patient/nhsNumber')).toBe('9434765919');
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
  });

  it('refuses a wrong check digit or length with a sentence', () => {
    expect(nhsNumberValid('9434765918')).toBe(false);
    expect(() => checkedNhsNumber('9434765918', '/p')).toThrow(/check digit does not match/);
    expect(() => checkedNhsNumber('94347659', '/p')).toThrow(/10 digits/);
    try {
      checkedNhsNumber('9434765918', '/p');
    } catch (e) {
      expect(e instanceof DomainError && e.code).toBe('invalid');
    }
  });

  it('any single changed digit of a valid number is caught', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const digits = '9434765919'.split('').map(Number);
        digits[pos] = ((digits[pos] ?? 0) + delta) % 10;
        expect(nhsNumberValid(digits.join(''))).toBe(false);
      }),
    );
  });
});
