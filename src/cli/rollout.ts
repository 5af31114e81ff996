import { isIsoDate, londonDate, londonMidnight, type RouteDecision } from '../domain/commissioning/index';
import { invalid } from '../domain/errors';
import type { ServiceContext } from '../services/context';
import { listRegions } from '../services/geography';
import { applyDeadline, coverage, rolloutConfig, routeCall } from '../services/rollout';
import { systemCaller } from '../services/use-case';

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
export async function rolloutStatus(ctx: ServiceContext, at: string | undefined): Promise<string[]> {
  const caller = systemCaller('rollout-status');
  const date = londonDate(cliInstant(at, ctx.now()));
  const [config, regions, c] = await Promise.all([
    rolloutConfig(ctx, caller),
    listRegions(ctx, caller),
    coverage(ctx, caller, date),
  ]);
  const regionName = new Map(regions.map((r) => [r.region.code, r.region.orgName]));
  const lines = [
    `NHS 111 coverage on ${date} (national coverage date ${config.calendar.nationalCoverageDate})`,
  ];
  lines.push(`${'SHA'.padEnd(34)} ${'areas'.padStart(9)} ${'population covered'.padStart(24)}`);
  for (const r of c.regions) {
    const name = regionName.get(r.regionCode) ?? r.regionCode;
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
export async function rolloutApplyDeadline(ctx: ServiceContext): Promise<string[]> {
  const applied = await applyDeadline(ctx, systemCaller('apply-deadline'));
  if (applied.optedIn.length === 0)
    return [`deadline ${applied.deadline}: nothing to do (every area is confirmed or opted in)`];
  return [
    `deadline ${applied.deadline}: opted ${applied.optedIn.length} area(s) in to the default provider from ${applied.defaultGoLiveDate}`,
    ...applied.optedIn.map((c) => `  ${c.areaCode}  ${c.areaName}`),
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
  ctx: ServiceContext,
  postcode: string,
  at: string | undefined,
): Promise<string[]> {
  const instant = cliInstant(at, ctx.now());
  const routed = await routeCall(ctx, systemCaller('route'), { postcode }, instant);
  return describeRoute(routed, routed.query);
}
