import {
  coverageOn,
  isIsoDate,
  londonDate,
  londonMidnight,
  type RouteDecision,
  route,
} from '../domain/commissioning/index';
import { invalid } from '../domain/errors';
import { parsePostcode, resolveLocation } from '../domain/geography/index';
import { applyDeadlineInStore } from '../store/commissioning';
import type { Store } from '../store/db';
import { findPostcode, loadGeography } from '../store/geography';
import { loadRolloutState } from '../store/rollout-state';

const pct = (part: number, whole: number): string =>
  whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1);

/** A date (start of that day in England) or a date-time; the CLI's --at. */
export function cliInstant(at: string | undefined, now: Date): Date {
  if (at === undefined) return now;
  if (isIsoDate(at)) return londonMidnight(at);
  const d = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(d.getTime()))
    throw invalid(`--at must be a date such as 2012-04-01 or a date-time, not "${at}".`);
  return d;
}

/** `open111 rollout status`: coverage per SHA and nationally on a date, and the areas not covered. */
export async function rolloutStatus(store: Store, at: string | undefined, now: Date): Promise<string[]> {
  const geo = await loadGeography(store.db);
  const state = await loadRolloutState(store.db, geo);
  const date = londonDate(cliInstant(at, now));
  const c = coverageOn(state.table, state.plans, date);
  const lines = [
    `NHS 111 coverage on ${date} (national coverage date ${state.calendar.nationalCoverageDate})`,
  ];
  lines.push(`${'SHA'.padEnd(34)} ${'areas'.padStart(9)} ${'population covered'.padStart(24)}`);
  for (const r of c.regions) {
    const name = geo.regions.get(r.regionCode)?.orgName ?? r.regionCode;
    lines.push(
      `${`${r.regionCode} ${name}`.padEnd(34)} ${`${r.areasCovered}/${r.areas}`.padStart(9)} ${`${r.populationCovered.toLocaleString('en-GB')} (${pct(r.populationCovered, r.population)}%)`.padStart(24)}`,
    );
  }
  const n = c.national;
  lines.push(
    `${'England'.padEnd(34)} ${`${n.areasCovered}/${n.areas}`.padStart(9)} ${`${n.populationCovered.toLocaleString('en-GB')} (${pct(n.populationCovered, n.population)}%)`.padStart(24)}`,
  );
  const byState = new Map<string, number>();
  for (const a of c.areas) byState.set(a.state, (byState.get(a.state) ?? 0) + 1);
  lines.push(`areas by state: ${[...byState.entries()].map(([s, k]) => `${s} ${k}`).join(', ')}`);
  return lines;
}

/** `open111 rollout apply-deadline`: opts in every area without a confirmed plan (idempotent). */
export async function rolloutApplyDeadline(store: Store, now: Date): Promise<string[]> {
  const state = await loadRolloutState(store.db, await loadGeography(store.db));
  const changes = await applyDeadlineInStore(store.db, state, { actor: null, username: 'cli' }, now);
  if (changes.length === 0)
    return [
      `deadline ${state.calendar.submissionDeadline}: nothing to do (every area is confirmed or opted in)`,
    ];
  return [
    `deadline ${state.calendar.submissionDeadline}: opted ${changes.length} area(s) in to the default provider from ${state.calendar.defaultGoLiveDate}`,
    ...changes.map((c) => `  ${c.areaCode}  ${state.table.areas.get(c.areaCode)?.area.name ?? ''}`),
  ];
}

export function describeRoute(d: RouteDecision, query: string): string[] {
  const lines = [`${query} → ${d.areaName} (${d.areaCode}) at ${d.at}`];
  if (!d.live || !d.provider) {
    lines.push(`  not live: ${d.reason}`, `  advice: ${d.advice ?? ''}`);
    if (d.until) lines.push(`  111 due here from ${d.until}`);
    return lines;
  }
  lines.push(`  answered by ${d.provider.name} (${d.provider.code}) — ${d.basis?.replaceAll('_', ' ')}`);
  if (d.partners.length > 0) lines.push(`  with ${d.partners.map((p) => p.name).join('; ')}`);
  lines.push(`  why: ${d.reason}`);
  if (d.until) lines.push(`  changes on ${d.until}`);
  return lines;
}

/** `open111 route <postcode>`: who answers a 111 call from there at that instant, and why. */
export async function routeCommand(
  store: Store,
  input: string,
  at: string | undefined,
  now: Date,
): Promise<string[]> {
  const instant = cliInstant(at, now);
  const parsed = parsePostcode(input);
  const geo = await loadGeography(store.db);
  const exact = parsed.kind === 'postcode' ? await findPostcode(store.db, parsed.postcode) : undefined;
  const location = resolveLocation(geo, parsed, exact, instant);
  const state = await loadRolloutState(store.db, geo);
  return describeRoute(route(state.table, location.area.code, instant), location.query);
}
