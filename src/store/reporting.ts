import { sql } from 'kysely';
import { MONTHLY_RETURN_COLUMNS, type MonthlyCounts, ZERO_COUNTS } from '../domain/calls/index';
import type { Db, Tx } from './db';

export type ReturnService = 'nhs111' | 'nhs_direct_0845';
export type ReturnSource = 'recorded_calls' | 'simulated_history' | 'imported';

export interface StoredReturnRow {
  readonly month: string;
  readonly service: ReturnService;
  readonly providerCode: string;
  readonly areaCode: string;
  readonly source: ReturnSource;
  readonly counts: MonthlyCounts;
}

const countsOf = (raw: Record<string, number>): MonthlyCounts => {
  const out: Record<keyof MonthlyCounts, number> = { ...ZERO_COUNTS };
  for (const c of MONTHLY_RETURN_COLUMNS) {
    const v = raw[c.key];
    out[c.key] = typeof v === 'number' && Number.isFinite(v) ? v : 0;
  }
  return out;
};

/** Writes (or replaces) kept monthly return rows. */
export async function saveReturnRows(tx: Tx, rows: readonly StoredReturnRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await tx
      .insertInto('monthly_return')
      .values(
        rows.slice(i, i + 200).map((r) => ({
          month: r.month,
          service: r.service,
          provider_code: r.providerCode,
          area_code: r.areaCode,
          source: r.source,
          counts: JSON.stringify(r.counts),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['month', 'service', 'provider_code', 'area_code']).doUpdateSet({
          source: (eb) => eb.ref('excluded.source'),
          counts: (eb) => eb.ref('excluded.counts'),
        }),
      )
      .execute();
  }
}

export interface ReturnFilter {
  /** First and last month (YYYY-MM), both included. */
  readonly fromMonth: string;
  readonly toMonth: string;
  readonly providerCode?: string;
  /** An empty set matches nothing. */
  readonly areaCodes?: ReadonlySet<string>;
}

export async function listReturnRows(db: Db | Tx, f: ReturnFilter): Promise<StoredReturnRow[]> {
  if (f.areaCodes?.size === 0) return [];
  let q = db
    .selectFrom('monthly_return')
    .selectAll()
    .where('month', '>=', f.fromMonth)
    .where('month', '<=', f.toMonth)
    .orderBy('month')
    .orderBy('area_code')
    .orderBy('provider_code');
  if (f.providerCode) q = q.where('provider_code', '=', f.providerCode);
  if (f.areaCodes) q = q.where('area_code', 'in', [...f.areaCodes]);
  return (await q.execute()).map((r) => ({
    month: r.month,
    service: r.service === 'nhs_direct_0845' ? 'nhs_direct_0845' : 'nhs111',
    providerCode: r.provider_code,
    areaCode: r.area_code,
    source: r.source === 'imported' ? 'imported' : 'simulated_history',
    counts: countsOf(r.counts),
  }));
}

/** The months (YYYY-MM) the kept returns and the recorded calls cover, or null when there are none. */
export async function returnMonths(db: Db | Tx): Promise<{ first: string; last: string } | null> {
  const kept = await db
    .selectFrom('monthly_return')
    .select([sql<string | null>`min(month)`.as('first'), sql<string | null>`max(month)`.as('last')])
    .executeTakeFirst();
  const calls = await db
    .selectFrom('call')
    .select([
      sql<Date | string | null>`min(offered_at)`.as('first'),
      sql<Date | string | null>`max(offered_at)`.as('last'),
    ])
    .executeTakeFirst();
  const month = (d: Date | string | null | undefined) =>
    d === null || d === undefined ? null : new Date(d).toISOString().slice(0, 7);
  const candidates = [
    kept?.first ?? null,
    kept?.last ?? null,
    month(calls?.first),
    month(calls?.last),
  ].filter((m): m is string => m !== null);
  if (candidates.length === 0) return null;
  candidates.sort();
  return { first: candidates[0] ?? '', last: candidates.at(-1) ?? '' };
}

export interface CallOutcomeRow {
  readonly callId: string;
  readonly dispositionCode: string | null;
  readonly kind: string | null;
  readonly at: Date | null;
  readonly dueAt: string | null;
}

/**
 * For recorded calls offered in a period: each call's case disposition and the clinician steps of its
 * case (warm transfer, call-back queued, call-back started), one row per step (a case with none: one row).
 */
export async function caseOutcomesForCalls(
  db: Db | Tx,
  from: Date,
  to: Date,
  providerCode?: string,
): Promise<CallOutcomeRow[]> {
  let q = db
    .selectFrom('case_record as r')
    .innerJoin('call as c', 'c.id', 'r.call_id')
    .leftJoin('case_event as e', (j) =>
      j
        .onRef('e.case_id', '=', 'r.id')
        .on('e.kind', 'in', ['warm_transferred', 'callback_queued', 'callback_started']),
    )
    .select([
      'r.call_id',
      'r.disposition_code',
      'e.kind',
      'e.at',
      sql<string | null>`e.body->>'dueAt'`.as('due_at'),
    ])
    .where('c.offered_at', '>=', from)
    .where('c.offered_at', '<', to);
  if (providerCode) q = q.where('c.provider_code', '=', providerCode);
  return (await q.execute()).map((r) => ({
    callId: r.call_id,
    dispositionCode: r.disposition_code,
    kind: r.kind,
    at: r.at,
    dueAt: r.due_at,
  }));
}
