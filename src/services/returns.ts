import {
  addCounts,
  csvLine,
  type DidEstimate,
  differenceInDifferences,
  KpiTally,
  MONTHLY_RETURN_COLUMNS,
  MONTHLY_RETURN_SHARES,
  type MonthlyCounts,
  type MonthPair,
  monthlyCounts,
  OUTCOME,
  OutcomeTally,
  returnGroup,
  shareOf,
  tallyCall,
  ZERO_COUNTS,
} from '../domain/calls/index';
import { invalid } from '../domain/errors';
import { areaWithRegion, type Geography } from '../domain/geography/index';
import { monthsBetween } from '../sim/demo-history';
import { type CallFilter, listCalls } from '../store/calls';
import { loadPlans } from '../store/commissioning';
import {
  caseOutcomesForCalls,
  listReturnRows,
  type ReturnService,
  type ReturnSource,
  returnMonths,
  type StoredReturnRow,
} from '../store/reporting';
import { listOrganisations } from '../store/users';
import { dispositions } from './cases';
import type { ServiceContext } from './context';
import { type KpiScope, kpiScope } from './reporting';
import { authorize, type Caller } from './use-case';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Checks a month given as YYYY-MM, naming the field when it is not one. */
export function checkMonth(value: string, field = 'month'): string {
  if (!MONTH.test(value))
    throw invalid(`"${field}" must be a month written YYYY-MM, such as 2010-12, not "${value}".`, [
      { pointer: field, message: 'must be a month written YYYY-MM' },
    ]);
  return value;
}

const monthStart = (month: string) => new Date(`${month}-01T00:00:00Z`);
const nextMonth = (month: string) => {
  const d = monthStart(month);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 7);
};

type ScopeFilter = Pick<CallFilter, 'providerCode' | 'areaCode' | 'areaCodes'>;

/** A month's row as the return prints it: from the records, or kept (simulated history, imported). */
interface MonthRow {
  readonly month: string;
  readonly service: ReturnService;
  readonly providerCode: string;
  readonly areaCode: string;
  readonly source: ReturnSource;
  readonly counts: MonthlyCounts;
}

/** Recorded calls of one month counted into rows by provider and area, outcomes from their cases. */
async function recordedRows(ctx: ServiceContext, month: string, filter: ScopeFilter): Promise<MonthRow[]> {
  const from = monthStart(month);
  const to = monthStart(nextMonth(month));
  const calls = await listCalls(ctx.store.db, { ...filter, from, to });
  if (calls.length === 0) return [];
  const steps = await caseOutcomesForCalls(ctx.store.db, from, to, filter.providerCode);
  const byCall = new Map<string, typeof steps>();
  for (const s of steps) byCall.set(s.callId, [...(byCall.get(s.callId) ?? []), s]);
  const catalogue = dispositions();
  const groups = new Map<
    string,
    { calls: KpiTally; outcomes: OutcomeTally; providerCode: string; areaCode: string }
  >();
  for (const c of calls) {
    const areaCode = c.areaCode ?? '';
    const key = `${c.providerCode}|${areaCode}`;
    let g = groups.get(key);
    if (!g) {
      g = { calls: new KpiTally(), outcomes: new OutcomeTally(), providerCode: c.providerCode, areaCode };
      groups.set(key, g);
    }
    tallyCall(g.calls, c);
    const mine = byCall.get(c.id) ?? [];
    const code = mine[0]?.dispositionCode;
    const disposition = code ? catalogue.byCode.get(code) : undefined;
    if (disposition) g.outcomes.disposition(OUTCOME[returnGroup(disposition.group)]);
    let passed = false;
    for (const s of mine) {
      if (s.kind === 'warm_transferred') {
        g.outcomes.warmTransfers++;
        passed = true;
      } else if (s.kind === 'callback_queued') {
        g.outcomes.callBacks++;
        passed = true;
      } else if (s.kind === 'callback_started' && s.at) {
        const queued = mine.find((q) => q.kind === 'callback_queued');
        const due = queued?.dueAt ? new Date(queued.dueAt).getTime() : s.at.getTime();
        g.outcomes.callBackMade(
          (s.at.getTime() - c.offeredAt.getTime()) / 1000,
          (s.at.getTime() - due) / 1000,
        );
      }
    }
    if (passed) g.outcomes.passedToClinician++;
  }
  return [...groups.values()].map((g) => ({
    month,
    service: 'nhs111',
    providerCode: g.providerCode,
    areaCode: g.areaCode,
    source: 'recorded_calls',
    counts: monthlyCounts(g.calls.kpis(), g.outcomes.kpis()),
  }));
}

/** Kept rows and recorded calls for the months; a recorded provider-area-month replaces a kept one. */
async function monthRows(
  ctx: ServiceContext,
  months: readonly string[],
  filter: ScopeFilter,
): Promise<MonthRow[]> {
  if (months.length === 0) return [];
  const areaCodes = filter.areaCode ? new Set([filter.areaCode]) : filter.areaCodes;
  const kept: StoredReturnRow[] = await listReturnRows(ctx.store.db, {
    fromMonth: months[0] ?? '',
    toMonth: months.at(-1) ?? '',
    ...(filter.providerCode ? { providerCode: filter.providerCode } : {}),
    ...(areaCodes ? { areaCodes } : {}),
  });
  const out: MonthRow[] = [];
  for (const month of months) {
    const recorded = await recordedRows(ctx, month, filter);
    const seen = new Set(recorded.map((r) => `${r.service}|${r.providerCode}|${r.areaCode}`));
    out.push(
      ...kept.filter((k) => k.month === month && !seen.has(`${k.service}|${k.providerCode}|${k.areaCode}`)),
      ...recorded,
    );
  }
  return out;
}

/** The first and last month with data, for the error that names them. */
async function dataMonths(ctx: ServiceContext): Promise<{ first: string; last: string }> {
  const range = await returnMonths(ctx.store.db);
  if (!range)
    throw invalid('There are no calls and no kept monthly returns yet, so there is no month to report.');
  return range;
}

async function checkMonthInData(ctx: ServiceContext, month: string): Promise<void> {
  const { first, last } = await dataMonths(ctx);
  if (month < first || month > last)
    throw invalid(`There is no data for ${month}: the calls and kept returns run from ${first} to ${last}.`, [
      { pointer: 'month', message: `outside the data (${first} to ${last})` },
    ]);
}

export interface ReturnLine {
  /** `provider_area`: one provider's calls from one area; `provider`, `area`: their totals; `total`. */
  readonly breakdown: 'provider_area' | 'provider' | 'area' | 'total';
  readonly service: ReturnService | null;
  readonly source: ReturnSource | null;
  readonly providerCode: string | null;
  readonly providerName: string | null;
  readonly areaCode: string | null;
  readonly areaName: string | null;
  readonly regionCode: string | null;
  readonly regionName: string | null;
  readonly counts: MonthlyCounts;
  /** The shares of MONTHLY_RETURN_SHARES, by heading. */
  readonly shares: Readonly<Record<string, number | null>>;
}

export interface MonthlyReturn {
  readonly month: string;
  readonly scope: KpiScope;
  readonly columns: readonly { heading: string; definition: string }[];
  readonly lines: readonly ReturnLine[];
}

const sharesOf = (counts: MonthlyCounts) =>
  Object.fromEntries(MONTHLY_RETURN_SHARES.map((s) => [s.heading, shareOf(counts, s)]));

async function providerNames(ctx: ServiceContext): Promise<Map<string, string>> {
  return new Map((await listOrganisations(ctx.store.db)).map((o) => [o.code, o.name]));
}

function areaNames(geo: Geography, code: string) {
  const area = geo.areas.get(code);
  const region = area ? geo.regions.get(area.regionCode) : undefined;
  return {
    areaCode: code || null,
    areaName: area?.name ?? (code ? code : 'Area not recorded'),
    regionCode: region?.code ?? null,
    regionName: region?.name ?? null,
  };
}

/**
 * The national monthly return for a month, in the shape of the IUC Aggregate Data Collection: one line
 * per provider and commissioning area, then each provider's and each area's totals and the total, over
 * the calls the caller may count (the same reach as the KPIs, `kpi.read`).
 */
export async function monthlyReturn(
  ctx: ServiceContext,
  caller: Caller,
  query: { month: string; area?: string | undefined },
): Promise<MonthlyReturn> {
  const month = checkMonth(query.month);
  const { scope, filter } = await kpiScope(ctx, caller, query.area);
  await checkMonthInData(ctx, month);
  const rows = await monthRows(ctx, [month], filter);
  const geo = await ctx.geography();
  const names = await providerNames(ctx);
  const line = (
    breakdown: ReturnLine['breakdown'],
    counts: MonthlyCounts,
    r: Partial<Pick<MonthRow, 'service' | 'source' | 'providerCode' | 'areaCode'>>,
  ): ReturnLine => ({
    breakdown,
    service: r.service ?? null,
    source: r.source ?? null,
    providerCode: r.providerCode ?? null,
    providerName: r.providerCode ? (names.get(r.providerCode) ?? r.providerCode) : null,
    ...(r.areaCode !== undefined
      ? areaNames(geo, r.areaCode)
      : { areaCode: null, areaName: null, regionCode: null, regionName: null }),
    counts,
    shares: sharesOf(counts),
  });
  const sorted = [...rows].sort(
    (a, b) => a.areaCode.localeCompare(b.areaCode) || a.providerCode.localeCompare(b.providerCode),
  );
  const sum = (key: (r: MonthRow) => string) => {
    const m = new Map<string, MonthlyCounts>();
    for (const r of sorted) m.set(key(r), addCounts(m.get(key(r)) ?? ZERO_COUNTS, r.counts));
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  const lines: ReturnLine[] = [
    ...sorted.map((r) => line('provider_area', r.counts, r)),
    ...sum((r) => r.providerCode).map(([p, c]) => line('provider', c, { providerCode: p })),
    ...sum((r) => r.areaCode).map(([a, c]) => line('area', c, { areaCode: a })),
    line(
      'total',
      sorted.reduce((t, r) => addCounts(t, r.counts), ZERO_COUNTS),
      {},
    ),
  ];
  return {
    month,
    scope,
    columns: [
      ...MONTHLY_RETURN_COLUMNS.map((c) => ({ heading: c.heading, definition: c.definition })),
      ...MONTHLY_RETURN_SHARES.map((s) => ({ heading: s.heading, definition: s.definition })),
    ],
    lines,
  };
}

/** The return as CSV: the identifying columns, each count of MONTHLY_RETURN_COLUMNS, then the shares. */
export function monthlyReturnCsv(r: MonthlyReturn): string {
  const head = [
    'month',
    'breakdown',
    'service',
    'provider_code',
    'provider_name',
    'area_code',
    'area_name',
    'region_code',
    'region_name',
    'source',
    ...MONTHLY_RETURN_COLUMNS.map((c) => c.heading),
    ...MONTHLY_RETURN_SHARES.map((s) => s.heading),
  ];
  const body = r.lines.map((l) =>
    csvLine([
      r.month,
      l.breakdown,
      l.service,
      l.providerCode,
      l.providerName,
      l.areaCode,
      l.areaName,
      l.regionCode,
      l.regionName,
      l.source,
      ...MONTHLY_RETURN_COLUMNS.map((c) => l.counts[c.key]),
      ...MONTHLY_RETURN_SHARES.map((s) => l.shares[s.heading] ?? null),
    ]),
  );
  return `${[csvLine(head), ...body].join('\r\n')}\r\n`;
}

export interface PilotMeasure {
  readonly heading: string;
  readonly definition: string;
  /** The national target, when the measure has one, and whether it is a floor or a ceiling. */
  readonly target: { readonly value: number; readonly atLeast: boolean } | null;
  readonly estimate: DidEstimate | null;
  readonly series: readonly { month: string; pilot: number | null; comparison: number | null }[];
}

export interface PilotEvaluation {
  readonly area: { readonly code: string; readonly name: string };
  readonly goLiveDate: string;
  readonly monthsBefore: readonly string[];
  readonly monthsAfter: readonly string[];
  readonly comparisonAreas: readonly { code: string; name: string }[];
  readonly method: string;
  readonly measures: readonly PilotMeasure[];
}

const WINDOW_MONTHS = 6;

export const EVALUATION_METHOD =
  'Difference in differences: the change in the pilot area from the months before go-live to the months after, less the change in the comparison areas (not yet live) over the same months. The 95% interval is Welch’s t interval from the month-to-month spread of the pilot-minus-comparison gap; the go-live month itself is left out.';

/**
 * Pilot evaluation for an area that went live: each measure of the monthly return in the months before
 * and after go-live, against its national target and against the areas not yet live over the same
 * months, with the difference-in-differences and its 95% interval. The caller must be able to count the
 * area's calls (`kpi.read` on the area); the comparison areas are shown only as their total.
 */
export async function pilotEvaluation(
  ctx: ServiceContext,
  caller: Caller,
  query: { area: string },
): Promise<PilotEvaluation> {
  const geo = await ctx.geography();
  const { area } = areaWithRegion(geo, query.area);
  await authorize(
    ctx,
    caller,
    'kpi.read',
    { areaCode: area.code, providerCode: null },
    { type: 'kpi', id: area.code },
  );
  const plans = await loadPlans(ctx.store.db);
  const goLive = plans.get(area.code)?.goLiveDate ?? null;
  if (!goLive)
    throw invalid(
      `${area.name} (${area.code}) has no go-live date in its rollout plan; only an area that went live can be evaluated.`,
      [{ pointer: 'area', message: 'has no go-live date' }],
    );
  const { first, last } = await dataMonths(ctx);
  const liveMonth = goLive.slice(0, 7);
  const all = monthsBetween(first, last);
  const monthsBefore = all.filter((m) => m < liveMonth).slice(-WINDOW_MONTHS);
  const monthsAfter = all.filter((m) => m > liveMonth).slice(0, WINDOW_MONTHS);
  const windowEnd = monthsAfter.at(-1) ?? liveMonth;
  const rows = await monthRows(ctx, [...monthsBefore, ...monthsAfter], {});
  const pilotRows = rows.filter((r) => r.areaCode === area.code);
  const withData = new Set(pilotRows.map((r) => r.month));
  const before = monthsBefore.filter((m) => withData.has(m));
  const after = monthsAfter.filter((m) => withData.has(m));
  if (before.length === 0 || after.length === 0)
    throw invalid(
      `${area.name} went live on ${goLive}, but the data (${first} to ${last}) has no month of its calls ${before.length === 0 ? 'before' : 'after'} go-live to compare.`,
      [{ pointer: 'area', message: 'no months of data on one side of go-live' }],
    );
  // Areas not live by the end of the window, other than the pilot.
  const comparisonCodes = [...new Set(rows.map((r) => r.areaCode))].filter((code) => {
    if (code === area.code || !geo.areas.has(code)) return false;
    const live = plans.get(code)?.goLiveDate ?? null;
    return live === null || live.slice(0, 7) > windowEnd;
  });
  const comparisonSet = new Set(comparisonCodes);
  const totals = (month: string, pick: (code: string) => boolean) =>
    rows
      .filter((r) => r.month === month && pick(r.areaCode))
      .reduce((t, r) => addCounts(t, r.counts), ZERO_COUNTS);
  const perMonth = [...before, ...after].map((month) => ({
    month,
    pilot: totals(month, (c) => c === area.code),
    comparison: totals(month, (c) => comparisonSet.has(c)),
  }));
  const measures = MONTHLY_RETURN_SHARES.map((s): PilotMeasure => {
    const series = perMonth.map((m) => ({
      month: m.month,
      pilot: shareOf(m.pilot, s),
      comparison: shareOf(m.comparison, s),
    }));
    const pairs = (months: readonly string[]): MonthPair[] =>
      series.flatMap((x) =>
        months.includes(x.month) && x.pilot !== null && x.comparison !== null
          ? [{ month: x.month, pilot: x.pilot, comparison: x.comparison }]
          : [],
      );
    return {
      heading: s.heading,
      definition: s.definition,
      target: s.target,
      estimate: comparisonSet.size === 0 ? null : differenceInDifferences(pairs(before), pairs(after)),
      series,
    };
  });
  return {
    area: { code: area.code, name: area.name },
    goLiveDate: goLive,
    monthsBefore: before,
    monthsAfter: after,
    comparisonAreas: comparisonCodes
      .map((code) => ({ code, name: geo.areas.get(code)?.name ?? code }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    method: EVALUATION_METHOD,
    measures,
  };
}

/** The evaluation as CSV: one line per measure, then one per measure and month. */
export function pilotEvaluationCsv(e: PilotEvaluation): string {
  const lines = [
    csvLine([
      'area_code',
      'area_name',
      'go_live_date',
      'measure',
      'definition',
      'target',
      'pilot_before',
      'pilot_after',
      'comparison_before',
      'comparison_after',
      'difference_in_differences',
      'ci95_low',
      'ci95_high',
      'months_before',
      'months_after',
      'comparison_areas',
    ]),
    ...e.measures.map((m) =>
      csvLine([
        e.area.code,
        e.area.name,
        e.goLiveDate,
        m.heading,
        m.definition,
        m.target ? `${m.target.atLeast ? '>=' : '<'} ${m.target.value}` : null,
        m.estimate?.pilotBefore ?? null,
        m.estimate?.pilotAfter ?? null,
        m.estimate?.comparisonBefore ?? null,
        m.estimate?.comparisonAfter ?? null,
        m.estimate?.difference ?? null,
        m.estimate?.low ?? null,
        m.estimate?.high ?? null,
        m.estimate?.monthsBefore ?? null,
        m.estimate?.monthsAfter ?? null,
        e.comparisonAreas.map((a) => a.code).join(' '),
      ]),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
