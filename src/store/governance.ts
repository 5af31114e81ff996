import { sql } from 'kysely';
import type { Db, Tx } from './db';
import type { PathwayVersionTable } from './schema';

/** What pathway versions are called on the audit trail. */
export const PATHWAY_VERSION_RESOURCE = 'pathway_version';
/** Where a change to the released pathway versions is announced to every node. */
export const PATHWAY_CHANNEL = 'open111_pathways';

/** Tells every node that the released versions changed (delivered when the transaction commits). */
async function announceReleasedChange(db: Db | Tx): Promise<void> {
  await sql`select pg_notify(${PATHWAY_CHANNEL}, '')`.execute(db);
}

export type PathwayVersionStatus = PathwayVersionTable['status'];

/** A stored pathway version without its YAML: what the lifecycle rules and the lists read. */
export interface PathwayVersionRow {
  readonly pathwayId: string;
  readonly version: number;
  readonly file: string;
  readonly status: PathwayVersionStatus;
  readonly basedOn: number | null;
  readonly authorId: number | null;
  readonly author: string | null;
  readonly summary: string;
  readonly createdAt: Date;
  readonly submittedAt: Date | null;
  readonly approvedBy: string | null;
  readonly approvedAt: Date | null;
  readonly reviewNote: string | null;
  readonly releaseAt: Date | null;
  readonly releasedBy: string | null;
  readonly retiredAt: Date | null;
  readonly retiredBy: string | null;
}

export interface PathwayVersionWithYaml extends PathwayVersionRow {
  readonly yaml: string;
}

function selectVersions(db: Db | Tx) {
  return db
    .selectFrom('pathway_version as v')
    .leftJoin('app_user as au', 'au.id', 'v.author_id')
    .leftJoin('app_user as ap', 'ap.id', 'v.approved_by')
    .leftJoin('app_user as rl', 'rl.id', 'v.released_by')
    .leftJoin('app_user as rt', 'rt.id', 'v.retired_by')
    .select([
      'v.pathway_id',
      'v.version',
      'v.file',
      'v.status',
      'v.based_on',
      'v.author_id',
      'v.summary',
      'v.created_at',
      'v.submitted_at',
      'v.approved_at',
      'v.review_note',
      'v.release_at',
      'v.retired_at',
      'au.username as author',
      'ap.username as approver',
      'rl.username as releaser',
      'rt.username as retirer',
    ]);
}

type Selected = Awaited<ReturnType<ReturnType<typeof selectVersions>['execute']>>[number];

const toRow = (r: Selected): PathwayVersionRow => ({
  pathwayId: r.pathway_id,
  version: r.version,
  file: r.file,
  status: r.status,
  basedOn: r.based_on,
  authorId: r.author_id,
  author: r.author,
  summary: r.summary,
  createdAt: r.created_at,
  submittedAt: r.submitted_at,
  approvedBy: r.approver,
  approvedAt: r.approved_at,
  reviewNote: r.review_note,
  releaseAt: r.release_at,
  releasedBy: r.releaser,
  retiredAt: r.retired_at,
  retiredBy: r.retirer,
});

/** Every stored version (or one pathway's), newest first within each pathway; no YAML. */
export async function listPathwayVersions(
  db: Db | Tx,
  filter: { readonly pathwayId?: string; readonly statuses?: readonly PathwayVersionStatus[] } = {},
): Promise<PathwayVersionRow[]> {
  let q = selectVersions(db);
  if (filter.pathwayId) q = q.where('v.pathway_id', '=', filter.pathwayId);
  if (filter.statuses && filter.statuses.length > 0) q = q.where('v.status', 'in', [...filter.statuses]);
  const rows = await q.orderBy('v.pathway_id').orderBy('v.version', 'desc').execute();
  return rows.map(toRow);
}

/** One version with its YAML; `lock` holds the row until the transaction ends. */
export async function findPathwayVersion(
  db: Db | Tx,
  pathwayId: string,
  version: number,
  options: { readonly lock?: boolean } = {},
): Promise<PathwayVersionWithYaml | undefined> {
  let q = selectVersions(db)
    .select('v.yaml')
    .where('v.pathway_id', '=', pathwayId)
    .where('v.version', '=', version);
  if (options.lock) q = q.forUpdate('v');
  const r = await q.executeTakeFirst();
  return r ? { ...toRow(r), yaml: r.yaml } : undefined;
}

/** The YAML of released and retired versions: what triage content is built from (drafts never are). */
export async function releasedPathwayYaml(
  db: Db | Tx,
): Promise<{ pathwayId: string; version: number; file: string; yaml: string }[]> {
  return db
    .selectFrom('pathway_version')
    .select(['pathway_id as pathwayId', 'version', 'file', 'yaml'])
    .where('status', 'in', ['released', 'retired'])
    .orderBy('pathway_id')
    .orderBy('version')
    .execute();
}

/**
 * Locks one pathway's versions (its row of version 1 and every other), so two drafts or two releases of
 * one pathway are numbered and ordered one after the other.
 */
export async function lockPathway(tx: Tx, pathwayId: string): Promise<void> {
  await tx
    .selectFrom('pathway_version')
    .select('version')
    .where('pathway_id', '=', pathwayId)
    .forUpdate()
    .execute();
}

export async function nextPathwayVersion(tx: Tx, pathwayId: string): Promise<number> {
  const r = await tx
    .selectFrom('pathway_version')
    .select((eb) => eb.fn.max('version').as('max'))
    .where('pathway_id', '=', pathwayId)
    .executeTakeFirst();
  return (r?.max ?? 0) + 1;
}

export interface NewPathwayVersion {
  readonly pathwayId: string;
  readonly version: number;
  readonly file: string;
  readonly yaml: string;
  readonly status: PathwayVersionStatus;
  readonly basedOn: number | null;
  readonly authorId: number | null;
  readonly summary: string;
  readonly createdAt: Date;
  readonly releaseAt?: Date;
}

/** Adds a version; a second one at the same number is refused by the primary key (false when it was there). */
export async function insertPathwayVersion(db: Db | Tx, v: NewPathwayVersion): Promise<boolean> {
  const r = await db
    .insertInto('pathway_version')
    .values({
      pathway_id: v.pathwayId,
      version: v.version,
      file: v.file,
      yaml: v.yaml,
      status: v.status,
      based_on: v.basedOn,
      author_id: v.authorId,
      summary: v.summary,
      created_at: v.createdAt,
      release_at: v.releaseAt ?? null,
    })
    .onConflict((oc) => oc.columns(['pathway_id', 'version']).doNothing())
    .executeTakeFirst();
  const inserted = (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
  if (inserted && (v.status === 'released' || v.status === 'retired')) await announceReleasedChange(db);
  return inserted;
}

export type PathwayVersionChange =
  | { readonly kind: 'submitted'; readonly at: Date }
  | { readonly kind: 'returned'; readonly note: string }
  | {
      readonly kind: 'approved';
      readonly by: number;
      readonly at: Date;
      readonly note: string | null;
      readonly yaml: string;
    }
  | { readonly kind: 'released'; readonly by: number; readonly at: Date }
  | { readonly kind: 'retired'; readonly by: number; readonly at: Date };

/** Moves a version on, as the lifecycle rules decided. */
export async function changePathwayVersion(
  tx: Tx,
  pathwayId: string,
  version: number,
  change: PathwayVersionChange,
): Promise<void> {
  const q = tx
    .updateTable('pathway_version')
    .where('pathway_id', '=', pathwayId)
    .where('version', '=', version);
  switch (change.kind) {
    case 'submitted':
      await q.set({ status: 'in_review', submitted_at: change.at }).execute();
      return;
    case 'returned':
      await q.set({ status: 'draft', review_note: change.note }).execute();
      return;
    case 'approved':
      await q
        .set({
          status: 'approved',
          approved_by: change.by,
          approved_at: change.at,
          review_note: change.note,
          yaml: change.yaml,
        })
        .execute();
      return;
    case 'released':
      await q.set({ status: 'released', released_by: change.by, release_at: change.at }).execute();
      await announceReleasedChange(tx);
      return;
    case 'retired':
      await q.set({ status: 'retired', retired_by: change.by, retired_at: change.at }).execute();
      await announceReleasedChange(tx);
      return;
  }
}
