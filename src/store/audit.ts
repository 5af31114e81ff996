import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../domain/auth/index';
import type { Db, Tx } from './db';

export type AuditAction =
  | 'read'
  | 'create'
  | 'update'
  | 'delete'
  | 'login'
  | 'login_failed'
  | 'logout'
  | 'import'
  /** An attempt the access policy refused: who tried what on which record, and why. */
  | 'denied';

export interface AuditEntry {
  readonly actor: Actor | null;
  /** For failed log-ins there is no actor, only the name that was tried. */
  readonly username?: string;
  readonly action: AuditAction;
  readonly resourceType: string;
  readonly resourceId?: string | null;
  readonly requestId?: string | null;
  readonly detail?: Record<string, unknown>;
}

const auditRow = (entry: AuditEntry) => ({
  user_id: entry.actor?.userId ?? null,
  username: entry.actor?.username ?? entry.username ?? null,
  action: entry.action,
  resource_type: entry.resourceType,
  resource_id: entry.resourceId ?? null,
  request_id: entry.requestId ?? null,
  detail: entry.detail ? JSON.stringify(entry.detail) : null,
});

/** Appends to the audit trail; pass the transaction of the change so the two commit together. */
export async function audit(db: Db | Tx, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_log').values(auditRow(entry)).execute();
}

/** Appends several entries in one statement (e.g. one per patient record a list shows). */
export async function auditEach(db: Db | Tx, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length > 0) await auditWrite(db, entries).execute();
}

/** The insert of several entries, to go out with a change's other writes (writes.ts). */
export function auditWrite(db: Db | Tx, entries: readonly AuditEntry[]) {
  return db.insertInto('audit_log').values(entries.map(auditRow));
}

/**
 * `insert into audit_log … select … where <condition>` as a fragment, for one statement that writes a
 * change and its audit rows together (a data-modifying CTE): the rows go in only when `condition` holds,
 * e.g. when the change's own insert returned a row.
 */
export function auditInsertWhen(
  entries: readonly AuditEntry[],
  condition: RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (entries.length === 0) throw new Error('auditInsertWhen needs at least one audit row.');
  const rows = entries
    .map(auditRow)
    .map(
      (r) =>
        sql`(${r.user_id}::integer, ${r.username}::text, ${r.action}::text, ${r.resource_type}::text, ${r.resource_id}::text, ${r.request_id}::text, ${r.detail}::jsonb)`,
    );
  return sql`insert into audit_log (user_id, username, action, resource_type, resource_id, request_id, detail)
    select * from (values ${sql.join(rows)}) as v where ${condition}`;
}

/**
 * `insert into audit_log … select … from <cte>`: the entry once for each row a data-modifying CTE of
 * the same statement returned, naming that row's `id`. For a statement that itself chooses the record
 * it changes (the longest-waiting call), whose id is not known until it runs.
 */
export function auditInsertFor(entry: AuditEntry, cte: string): RawBuilder<unknown> {
  const r = auditRow(entry);
  return sql`insert into audit_log (user_id, username, action, resource_type, resource_id, request_id, detail)
    select ${r.user_id}::integer, ${r.username}::text, ${r.action}::text, ${r.resource_type}::text,
           ${sql.ref(`${cte}.id`)}::text, ${r.request_id}::text, ${r.detail}::jsonb
      from ${sql.table(cte)}`;
}

export interface AuditRecord {
  readonly id: number;
  readonly at: Date;
  readonly username: string | null;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string | null;
}

export async function auditTrail(
  db: Db,
  filter: { resourceType?: string; resourceId?: string; limit?: number },
): Promise<AuditRecord[]> {
  let q = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.resourceType) q = q.where('resource_type', '=', filter.resourceType);
  if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    username: r.username,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
  }));
}
