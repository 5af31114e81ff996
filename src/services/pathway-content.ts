import { contentFromDocuments, type StoredPathwayDocument } from '../content/triage';
import { inForceAt, type VersionState } from '../domain/governance/index';
import type { TriageContent } from '../domain/triage/index';
import type { Db, Tx } from '../store/db';
import { listPathwayVersions, type PathwayVersionRow, releasedPathwayYaml } from '../store/governance';
import type { ServiceContext } from './context';
import { HeardCache, perStore } from './per-store';

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

const RELEASED = { statuses: ['released', 'retired'] } as const;

/**
 * The released and retired versions as last read, so that a triage request does not read them again
 * only to find that nothing was released. Which of them is in force is still worked out at each
 * request's instant (a scheduled release comes into force on its own). A release or a roll-back is
 * announced (`PATHWAY_CHANNEL`) in its transaction; the node that made it forgets after its commit,
 * the others when they hear it. On PostgreSQL the rows are kept only while this process listens.
 */
export class ReleasedVersions extends HeardCache {
  private rows: Promise<PathwayVersionRow[]> | undefined;

  get(db: Db): Promise<PathwayVersionRow[]> {
    if (!this.trusted) return listPathwayVersions(db, RELEASED);
    if (!this.rows) {
      const loading = listPathwayVersions(db, RELEASED);
      this.rows = loading;
      // None released: a store not seeded yet, whose seeding announces nothing here on PGlite; ask again.
      loading.then(
        (rows) => {
          if (rows.length === 0 && this.rows === loading) this.rows = undefined;
        },
        () => {
          if (this.rows === loading) this.rows = undefined;
        },
      );
    }
    return this.rows;
  }

  forgetAll(): void {
    this.rows = undefined;
  }
}

/** The released versions held for a store in this process (shared by every service context over it). */
export const releasedVersionsOf = perStore((store) => new ReleasedVersions(store.engine === 'postgres'));

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
  const rows = await releasedVersionsOf(ctx.store).get(db);
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
