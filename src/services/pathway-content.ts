import { contentFromDocuments, type StoredPathwayDocument } from '../content/triage';
import { inForceAt, type VersionState } from '../domain/governance/index';
import type { TriageContent } from '../domain/triage/index';
import type { Db, Tx } from '../store/db';
import { listPathwayVersions, type PathwayVersionRow, releasedPathwayYaml } from '../store/governance';
import type { ServiceContext } from './context';

/**
 * The triage content new sessions start on: the pathway versions in force at the instant, from the
 * database, with every earlier released version kept so an older session replays on its own version.
 * Built once per set of versions (a release, a scheduled release coming into force, a rollback) and
 * reused until that set changes.
 */

export const versionState = (r: PathwayVersionRow): VersionState => ({
  pathwayId: r.pathwayId,
  version: r.version,
  status: r.status,
  authorId: r.authorId,
  releaseAt: r.releaseAt,
});

const built = new WeakMap<Db | Tx, { key: string; content: TriageContent }>();

/** The documents in force and kept, as the content loader reads them. */
export async function storedDocuments(db: Db | Tx, at: Date): Promise<StoredPathwayDocument[]> {
  const rows = await listPathwayVersions(db, { statuses: ['released', 'retired'] });
  const inForce = inForceAt(rows.map(versionState), at);
  const yaml = await releasedPathwayYaml(db);
  return yaml.map((y) => ({
    file: y.file,
    yaml: y.yaml,
    inForce: inForce.get(y.pathwayId)?.version === y.version,
  }));
}

/** The content in force at `at` (now by default). */
export async function contentInForce(ctx: ServiceContext, at: Date = ctx.now()): Promise<TriageContent> {
  const db = ctx.store.db;
  const rows = await listPathwayVersions(db, { statuses: ['released', 'retired'] });
  const inForce = inForceAt(rows.map(versionState), at);
  const key = rows
    .map((r) => `${r.pathwayId}@${r.version}:${inForce.get(r.pathwayId)?.version === r.version ? 1 : 0}`)
    .join(',');
  const cached = built.get(db);
  if (cached?.key === key) return cached.content;
  const yaml = await releasedPathwayYaml(db);
  const content = contentFromDocuments(
    yaml.map((y) => ({
      file: y.file,
      yaml: y.yaml,
      inForce: inForce.get(y.pathwayId)?.version === y.version,
    })),
  );
  built.set(db, { key, content });
  return content;
}
