import { type Selectable, sql } from 'kysely';
import type {
  OperatingModel,
  PlanEvent,
  PlanEventKind,
  PlanStage,
  PlanStatus,
  RolloutPlan,
} from '../domain/commissioning/index';
import type { Db, Tx } from './db';
import type { RolloutPlanTable } from './schema';

function toPlan(r: Selectable<RolloutPlanTable>): RolloutPlan {
  return {
    areaCode: r.area_code,
    status: r.status as PlanStatus,
    operatingModel: r.operating_model as OperatingModel,
    providerCodes: r.provider_codes,
    procurementDate: r.procurement_date,
    goLiveDate: r.go_live_date,
    note: r.note,
    stage: r.stage as PlanStage,
    submittedAt: r.submitted_at ? r.submitted_at.toISOString() : null,
    submittedBy: r.submitted_by,
    ccgApproval: r.ccg_approval,
    defaultOptIn: r.default_opt_in,
    version: r.version,
  };
}

function toRow(plan: RolloutPlan, by: string) {
  return {
    area_code: plan.areaCode,
    status: plan.status,
    operating_model: plan.operatingModel,
    provider_codes: JSON.stringify(plan.providerCodes),
    procurement_date: plan.procurementDate,
    go_live_date: plan.goLiveDate,
    note: plan.note,
    stage: plan.stage,
    submitted_at: plan.submittedAt,
    submitted_by: plan.submittedBy,
    ccg_approval: plan.ccgApproval ? JSON.stringify(plan.ccgApproval) : null,
    default_opt_in: plan.defaultOptIn ? JSON.stringify(plan.defaultOptIn) : null,
    version: plan.version,
    updated_at: new Date(),
    updated_by: by,
  };
}

export async function loadPlans(db: Db | Tx, forUpdate = false): Promise<Map<string, RolloutPlan>> {
  let q = db.selectFrom('rollout_plan').selectAll();
  if (forUpdate) q = q.forUpdate();
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.area_code, toPlan(r)]));
}

/** One area's plan; `forUpdate` locks the row for the rest of the transaction. */
export async function findPlan(
  db: Db | Tx,
  areaCode: string,
  forUpdate = false,
): Promise<RolloutPlan | undefined> {
  let q = db.selectFrom('rollout_plan').selectAll().where('area_code', '=', areaCode);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toPlan(row) : undefined;
}

/**
 * Writes a plan if the stored version is still `expectedVersion` (null: no plan yet). Returns false
 * when someone else changed it first: the caller answers 412.
 */
export async function savePlan(
  tx: Tx,
  plan: RolloutPlan,
  expectedVersion: number | null,
  by: string,
): Promise<boolean> {
  const row = toRow(plan, by);
  if (expectedVersion === null) {
    const inserted = await tx
      .insertInto('rollout_plan')
      .values(row)
      .onConflict((oc) => oc.column('area_code').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const updated = await tx
    .updateTable('rollout_plan')
    .set(row)
    .where('area_code', '=', plan.areaCode)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function deletePlan(tx: Tx, areaCode: string, expectedVersion: number): Promise<boolean> {
  const deleted = await tx
    .deleteFrom('rollout_plan')
    .where('area_code', '=', areaCode)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows) === 1;
}

/** The channel other nodes hear a plan change on, to rebuild their routing tables. */
export const ROLLOUT_CHANNEL = 'open111_rollout';

/**
 * Appends one change to an area's plan history, with the plan as it then stood, and announces it to
 * the other nodes (heard when the transaction commits; PostgreSQL folds repeats in one transaction).
 */
export async function appendPlanEvent(
  tx: Tx,
  event: { areaCode: string; kind: PlanEventKind; at: Date; by: string; reason: string },
  plan: RolloutPlan | null,
): Promise<void> {
  await tx
    .insertInto('rollout_plan_event')
    .values({
      area_code: event.areaCode,
      kind: event.kind,
      at: event.at,
      by: event.by,
      reason: event.reason,
      version: plan?.version ?? 0,
      plan: plan ? JSON.stringify(plan) : null,
    })
    .execute();
  await sql`select pg_notify(${ROLLOUT_CHANNEL}, '')`.execute(tx);
}

export async function planHistory(db: Db, areaCode: string): Promise<PlanEvent[]> {
  const rows = await db
    .selectFrom('rollout_plan_event')
    .select(['area_code', 'kind', 'at', 'by', 'reason', 'version'])
    .where('area_code', '=', areaCode)
    .orderBy('id', 'asc')
    .execute();
  return rows.map((r) => ({
    areaCode: r.area_code,
    kind: r.kind as PlanEventKind,
    at: r.at.toISOString(),
    by: r.by,
    reason: r.reason,
    version: r.version,
  }));
}

/** The CCGs covering each area, largest share first (who may approve its plan). */
export async function ccgsByArea(db: Db | Tx): Promise<Map<string, string[]>> {
  const rows = await db
    .selectFrom('ccg_area')
    .select(['area_code', 'ccg_code'])
    .orderBy('area_code')
    .orderBy('area_postcodes_percent', 'desc')
    .execute();
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.area_code, [...(out.get(r.area_code) ?? []), r.ccg_code]);
  return out;
}
