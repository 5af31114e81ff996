import { invalid } from '../errors';

/**
 * An NHS number: ten digits whose last is a modulus-11 check digit over the first nine (weights 10 down
 * to 2; 11 − the remainder, 11 becoming 0; a check of 10 means no valid number has those nine digits).
 */
export function nhsNumberValid(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  const expected = check === 11 ? 0 : check;
  return expected !== 10 && expected === Number(digits[9]);
}

/** Shown as people read it: 3-3-4 (943 476 5919). */
export const formatNhsNumber = (digits: string): string =>
  `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;

/** The NHS number as typed (spaces or dashes allowed), as ten digits, or a 400 saying what is wrong. */
export function checkedNhsNumber(typed: string, pointer: string): string {
  const digits = typed.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(digits))
    throw invalid(`"${typed}" is not an NHS number: an NHS number has 10 digits.`, [
      { pointer, message: 'An NHS number has 10 digits.', rule: 'nhs-number-length' },
    ]);
  if (!nhsNumberValid(digits))
    throw invalid(
      `${formatNhsNumber(digits)} is not a valid NHS number: its check digit does not match. Check it with the caller.`,
      [{ pointer, message: 'The modulus-11 check digit does not match.', rule: 'nhs-number-check-digit' }],
    );
  return digits;
}
