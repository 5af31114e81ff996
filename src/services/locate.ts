import { type Location, parsePostcode, resolveLocation } from '../domain/geography/index';
import type { Db, Tx } from '../store/db';
import { findPostcode } from '../store/geography';
import type { ServiceContext } from './context';

/**
 * Places a caller from what they said: parse the postcode → look a full postcode up in the ONS Postcode
 * Directory → resolve district → area (PCT) → region (SHA) → ambulance trust at the instant. The one
 * copy of that sequence: calls, cases, the directory, rollout, geography and the CLI all place a caller
 * through here. An unknown or malformed postcode is a clear 400/404 that says to place by area instead.
 */
export async function locate(
  ctx: ServiceContext,
  postcode: string,
  at: Date,
  db: Db | Tx = ctx.store.db,
): Promise<Location> {
  const parsed = parsePostcode(postcode);
  const exact = parsed.kind === 'postcode' ? await findPostcode(db, parsed.postcode) : undefined;
  return resolveLocation(await ctx.geography(), parsed, exact, at);
}

/** The postcode as open111 writes it: "LU1 3JU" for a full postcode, "LU1" for a district. */
export function normalisedPostcode(postcode: string): string {
  const parsed = parsePostcode(postcode);
  return parsed.kind === 'postcode' ? parsed.postcode : parsed.outcode;
}
