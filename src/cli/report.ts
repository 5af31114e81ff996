import type { ServiceContext } from '../services/context';
import {
  type MonthlyReturn,
  monthlyReturn,
  monthlyReturnCsv,
  type PilotEvaluation,
  pilotEvaluation,
  pilotEvaluationCsv,
} from '../services/returns';
import { systemCaller } from '../services/use-case';
import { textTable } from '../sim/report';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(1)}%`);
const pts = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

/** The return as a table a person reads: a line per provider and area, then the areas' and the total. */
export function monthlyTable(r: MonthlyReturn): string {
  const head = [
    '',
    'Provider',
    'Area',
    'Received',
    '≤60 s',
    'Aband. >30 s',
    'Triaged',
    'Clinician',
    'Ambulance',
    'A&E',
    'Self-care',
  ];
  const rows = r.lines
    .filter((l) => l.breakdown !== 'provider')
    .map((l) => [
      l.breakdown === 'provider_area' ? (l.service === 'nhs_direct_0845' ? '0845' : '111') : l.breakdown,
      l.providerCode ?? '',
      l.areaCode ? `${l.areaCode} ${l.areaName}` : l.breakdown === 'total' ? r.scope.label : '',
      String(l.counts.callsReceived),
      pct(l.shares.answered_within_60s_pct),
      pct(l.shares.abandoned_after_30s_pct),
      String(l.counts.triaged),
      pct(l.shares.passed_to_clinician_pct),
      pct(l.shares.ambulance_pct),
      pct(l.shares.ae_pct),
      pct(l.shares.self_care_pct),
    ]);
  return textTable([head, ...rows]);
}

/** The evaluation as a table: each measure before and after, the comparison's, and the difference. */
export function pilotTable(e: PilotEvaluation): string {
  const head = [
    'Measure',
    'Target',
    'Pilot before',
    'after',
    'Comparison before',
    'after',
    'Difference (95% CI)',
  ];
  const rows = e.measures.map((m) => [
    m.heading,
    m.target ? `${m.target.atLeast ? '≥' : '<'} ${m.target.value}%` : '',
    pct(m.estimate?.pilotBefore),
    pct(m.estimate?.pilotAfter),
    pct(m.estimate?.comparisonBefore),
    pct(m.estimate?.comparisonAfter),
    m.estimate
      ? `${pts(m.estimate.difference)} (${pts(m.estimate.low)} to ${pts(m.estimate.high)}) points`
      : '–',
  ]);
  return textTable([head, ...rows]);
}

export async function reportMonthly(
  ctx: ServiceContext,
  opts: { month: string; area?: string; csv?: boolean },
): Promise<string[]> {
  const r = await monthlyReturn(ctx, systemCaller('report'), { month: opts.month, area: opts.area });
  if (opts.csv) return [monthlyReturnCsv(r).trimEnd()];
  return [`Monthly return, ${r.month}: ${r.scope.label}`, '', monthlyTable(r)];
}

export async function reportPilot(
  ctx: ServiceContext,
  opts: { area: string; csv?: boolean },
): Promise<string[]> {
  const e = await pilotEvaluation(ctx, systemCaller('report'), { area: opts.area });
  if (opts.csv) return [pilotEvaluationCsv(e).trimEnd()];
  return [
    `Pilot evaluation: ${e.area.name} (${e.area.code}), live ${e.goLiveDate}`,
    `Before: ${e.monthsBefore.join(' ')}; after: ${e.monthsAfter.join(' ')}`,
    `Compared with: ${e.comparisonAreas.map((a) => `${a.name} (${a.code})`).join(', ')}`,
    '',
    pilotTable(e),
    '',
    e.method,
  ];
}
