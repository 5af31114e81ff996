import { isValid, toNormalised, toOutcode, validOutcode } from 'postcode';
import { invalid } from '../errors';

export type ParsedPostcode =
  | { readonly kind: 'postcode'; readonly postcode: string; readonly outcode: string }
  | { readonly kind: 'outcode'; readonly outcode: string };

const MAX_INPUT = 16;

/**
 * Reads what a caller or adviser typed: a full postcode ("lu1 3ju", "LU13JU") or just the
 * outward code ("lu1"). Anything else is rejected with a message a person can act on: we never guess.
 */
export function parsePostcode(input: string): ParsedPostcode {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  if (compact.length === 0) {
    throw invalid('A postcode is needed, such as "LU1 3JU" or the first half, "LU1".', [
      { pointer: 'postcode', message: 'empty' },
    ]);
  }
  if (compact.length > MAX_INPUT || !/^[A-Z0-9]+$/.test(compact)) {
    throw invalid(
      `"${input.slice(0, MAX_INPUT)}" is not a UK postcode: use letters and digits only, like "LU1 3JU".`,
      [{ pointer: 'postcode', message: 'not a postcode' }],
    );
  }
  if (isValid(compact)) {
    const postcode = toNormalised(compact);
    const outcode = toOutcode(compact);
    if (postcode !== null && outcode !== null) return { kind: 'postcode', postcode, outcode };
  }
  if (validOutcode(compact)) return { kind: 'outcode', outcode: compact };
  throw invalid(
    `"${input}" is not a UK postcode. A full postcode looks like "LU1 3JU"; the first half alone, like "LU1", also works.`,
    [{ pointer: 'postcode', message: 'not a postcode' }],
  );
}
