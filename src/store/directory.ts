import { sql } from 'kysely';
import {
  type Capacity,
  type CapacityStatus,
  type GapCount,
  hourOf,
  type ServiceRecord,
} from '../domain/directory/index';
import type { Db, Tx } from './db';

/** The channel on which a change to a service is announced to every server process. */
export const DOS_CHANNEL = 'dos_changed';
const CHUNK = 500;

type Row = {
  id: string;
  record: Record<string, unknown>;
  capacity_status: string;
  capacity_reset_at: Date | null;
  capacity_changed_at: Date | null;
  capacity_changed_by: string | null;
  version: number;
};

function fromRow(row: Row): ServiceRecord & { version: number } {
  const record = (typeof row.record === 'string' ? JSON.parse(row.record) : row.record) as Omit<
    ServiceRecord,
    'capacity'
  >;
  return {
    ...record,
    id: row.id,
    capacity: {
      status: row.capacity_status as CapacityStatus,
      resetAt: row.capacity_reset_at ? row.capacity_reset_at.toISOString() : null,
      changedAt: row.capacity_changed_at ? row.capacity_changed_at.toISOString() : null,
      changedBy: row.capacity_changed_by,
    },
    version: row.version,
  };
}

function toRow(s: ServiceRecord) {
  const { capacity, ...rest } = s;
  return {
    id: s.id,
    name: s.name,
    type_id: s.typeId,
    status: s.status,
    organisation_code: s.organisationCode,
    area_code: s.areaCode,
    latitude: s.latitude,
    longitude: s.longitude,
    record: JSON.stringify(rest),
    capacity_status: capacity.status,
    capacity_reset_at: capacity.resetAt,
    capacity_changed_at: capacity.changedAt,
    capacity_changed_by: capacity.changedBy,
  };
}

const COLUMNS = [
  'id',
  'record',
  'capacity_status',
  'capacity_reset_at',
  'capacity_changed_at',
  'capacity_changed_by',
  'version',
] as const;

export async function loadServices(db: Db): Promise<ServiceRecord[]> {
  const rows = await db.selectFrom('dos_service').select(COLUMNS).orderBy('id').execute();
  return rows.map(fromRow);
}

export async function findService(
  db: Db | Tx,
  id: string,
): Promise<(ServiceRecord & { version: number }) | undefined> {
  const row = await db.selectFrom('dos_service').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** The GP practices (type 100) in the Directory with this ODS code: their ids and names. */
export async function findPracticesByOdsCode(
  db: Db | Tx,
  odsCode: string,
): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('dos_service')
    .select(['id', 'name'])
    .where('type_id', '=', 100)
    .where(sql<string>`record->>'odsCode'`, '=', odsCode)
    .orderBy('id')
    .execute();
}

export async function countServices(db: Db): Promise<number> {
  const row = await db
    .selectFrom('dos_service')
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Inserts services (or replaces those with the same id), in chunks, inside the caller's transaction. */
export async function putServices(tx: Tx, services: readonly ServiceRecord[]): Promise<void> {
  for (let i = 0; i < services.length; i += CHUNK) {
    const rows = services.slice(i, i + CHUNK).map(toRow);
    await tx
      .insertInto('dos_service')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          type_id: eb.ref('excluded.type_id'),
          status: eb.ref('excluded.status'),
          organisation_code: eb.ref('excluded.organisation_code'),
          area_code: eb.ref('excluded.area_code'),
          latitude: eb.ref('excluded.latitude'),
          longitude: eb.ref('excluded.longitude'),
          record: eb.ref('excluded.record'),
          capacity_status: eb.ref('excluded.capacity_status'),
          capacity_reset_at: eb.ref('excluded.capacity_reset_at'),
          capacity_changed_at: eb.ref('excluded.capacity_changed_at'),
          capacity_changed_by: eb.ref('excluded.capacity_changed_by'),
          version: sql<number>`dos_service.version + 1`,
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}

export async function insertService(tx: Tx, service: ServiceRecord): Promise<boolean> {
  const res = await tx
    .insertInto('dos_service')
    .values(toRow(service))
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Replaces a service if it is still at `expectedVersion` (optimistic locking); false if it was not. */
export async function replaceService(
  tx: Tx,
  service: ServiceRecord,
  expectedVersion: number,
): Promise<boolean> {
  const { id: _id, ...row } = toRow(service);
  const res = await tx
    .updateTable('dos_service')
    .set({ ...row, version: expectedVersion + 1, updated_at: sql<Date>`now()` })
    .where('id', '=', service.id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function deleteService(tx: Tx, id: string): Promise<boolean> {
  const res = await tx.deleteFrom('dos_service').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}

export async function saveCapacity(tx: Tx, id: string, capacity: Capacity): Promise<void> {
  await tx
    .updateTable('dos_service')
    .set({
      capacity_status: capacity.status,
      capacity_reset_at: capacity.resetAt,
      capacity_changed_at: capacity.changedAt,
      capacity_changed_by: capacity.changedBy,
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/** Announces changed services to every process listening (delivered when the transaction commits). */
export async function announceChanges(tx: Tx, ids: readonly string[]): Promise<void> {
  // One message per id keeps each payload small (NOTIFY payloads are limited to 8000 bytes).
  for (let i = 0; i < ids.length; i += 1) {
    await sql`select pg_notify(${DOS_CHANNEL}, ${ids[i]})`.execute(tx);
  }
}

/** Tells other processes that an area's type ranks changed. */
export async function announceRankChange(tx: Tx): Promise<void> {
  await sql`select pg_notify(${`${DOS_CHANNEL}_ranks`}, '')`.execute(tx);
}

export async function loadTypeRankOverrides(db: Db): Promise<Map<string, Map<number, number>>> {
  const rows = await db.selectFrom('dos_type_rank').selectAll().execute();
  const out = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const m = out.get(r.area_code) ?? new Map<number, number>();
    m.set(r.type_id, r.rank);
    out.set(r.area_code, m);
  }
  return out;
}

export async function saveTypeRank(
  tx: Tx,
  areaCode: string,
  typeId: number,
  rank: number | null,
): Promise<void> {
  if (rank === null) {
    await tx
      .deleteFrom('dos_type_rank')
      .where('area_code', '=', areaCode)
      .where('type_id', '=', typeId)
      .execute();
    return;
  }
  await tx
    .insertInto('dos_type_rank')
    .values({ area_code: areaCode, type_id: typeId, rank })
    .onConflict((oc) => oc.columns(['area_code', 'type_id']).doUpdateSet({ rank }))
    .execute();
}

/** The most gap counts one statement adds (6 parameters each, well inside PostgreSQL's 65,535). */
export const GAP_COUNTS_A_STATEMENT = 5000;

/**
 * Adds counts to the gap log in one statement (at most GAP_COUNTS_A_STATEMENT): a count already there
 * for the same hour, area, disposition, service and filter is added to. No key may be given twice.
 */
export async function addGapCounts(db: Db, counts: readonly GapCount[]): Promise<void> {
  if (counts.length === 0) return;
  await db
    .insertInto('dos_gap_count')
    .values(
      counts.map((c) => ({
        hour: c.hour,
        area_code: c.areaCode,
        disposition: c.disposition,
        service_id: c.serviceId,
        filter: c.filter,
        count: c.count,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['hour', 'area_code', 'disposition', 'service_id', 'filter'])
        .doUpdateSet({ count: sql<number>`dos_gap_count.count + excluded.count` }),
    )
    .execute();
}

export interface GapReportRow {
  readonly serviceId: string;
  readonly serviceName: string | null;
  readonly filter: string;
  readonly disposition: string;
  readonly count: number;
}

/** Gaps logged for searches from some areas (or all areas), most frequent first. */
export async function gapReport(
  db: Db,
  filter: { areaCodes?: readonly string[]; from: Date; to: Date },
): Promise<GapReportRow[]> {
  // Counted by the hour: the window takes every hour it touches.
  let q = db
    .selectFrom('dos_gap_count as g')
    .leftJoin('dos_service', 'dos_service.id', 'g.service_id')
    .select([
      'g.service_id as serviceId',
      'dos_service.name as serviceName',
      'g.filter as filter',
      'g.disposition as disposition',
      sql<number>`sum(g.count)::int`.as('count'),
    ])
    .where('g.hour', '>=', hourOf(filter.from))
    .where('g.hour', '<', filter.to)
    .groupBy(['g.service_id', 'dos_service.name', 'g.filter', 'g.disposition'])
    .orderBy('count', 'desc')
    .orderBy('g.service_id')
    .limit(500);
  if (filter.areaCodes) {
    // No areas at all: nothing to report (an empty `in ()` is not SQL).
    if (filter.areaCodes.length === 0) return [];
    q = q.where('g.area_code', 'in', filter.areaCodes);
  }
  return q.execute();
}

/** When each service's record last changed in open111 (Open Referral's `modified_after`), by id. */
export async function serviceUpdateTimes(db: Db): Promise<Map<string, Date>> {
  const rows = await db.selectFrom('dos_service').select(['id', 'updated_at']).execute();
  return new Map(rows.map((r) => [r.id, new Date(r.updated_at)]));
}

/** When one service's record last changed, or undefined when there is no such service. */
export async function serviceUpdatedAt(db: Db, id: string): Promise<Date | undefined> {
  const row = await db.selectFrom('dos_service').select('updated_at').where('id', '=', id).executeTakeFirst();
  return row ? new Date(row.updated_at) : undefined;
}
