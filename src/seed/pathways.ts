import { parse } from 'yaml';
import { shippedPathwayFiles } from '../content/triage';
import type { Db } from '../store/db';
import { insertPathwayVersion } from '../store/governance';

/**
 * The pathways shipped in content/pathways, loaded as released versions. They are in force from the
 * beginning (release time 1970): the newest shipped version of each is the one new sessions start on at
 * any instant, as with the files, so a service or test whose clock is in 2012 (the rollout years) triages
 * on the shipped content too. Versions made through change control are released at their own time.
 * Idempotent: a version already stored (shipped or made through
 * change control) is left as it is, so a restart never undoes a change made in the console.
 */
export async function seedShippedPathways(db: Db): Promise<number> {
  let added = 0;
  for (const { file, yaml } of shippedPathwayFiles()) {
    const doc = parse(yaml) as { id?: unknown; version?: unknown; approved_at?: unknown };
    const approvedAt =
      doc.approved_at instanceof Date
        ? doc.approved_at
        : typeof doc.approved_at === 'string'
          ? new Date(`${doc.approved_at}T00:00:00Z`)
          : new Date(0);
    const inserted = await insertPathwayVersion(db, {
      pathwayId: String(doc.id),
      version: Number(doc.version),
      file,
      yaml,
      status: 'released',
      basedOn: null,
      authorId: null,
      summary: 'Shipped with open111 (demonstration content)',
      createdAt: approvedAt,
      releaseAt: new Date(0),
    });
    if (inserted) added++;
  }
  return added;
}
