import { conflict } from '../errors';

/**
 * Pathway change control: a pathway version moves draft → in review → approved → released (at a set
 * time, which may be in the future) → retired (rolled back). Pure rules: the versions and the clock are
 * passed in; the service loads them, asks these rules, and writes what they decide.
 */

export const VERSION_STATUSES = ['draft', 'in_review', 'approved', 'released', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/** What the rules read of one stored pathway version. */
export interface VersionState {
  readonly pathwayId: string;
  readonly version: number;
  readonly status: VersionStatus;
  /** The clinical author (null for the content shipped with open111). */
  readonly authorId: number | null;
  /** When a released version takes (or took) effect. */
  readonly releaseAt: Date | null;
}

const label = (v: VersionState) => `${v.pathwayId} version ${v.version}`;
const STATUS_WORDS: Record<VersionStatus, string> = {
  draft: 'a draft',
  in_review: 'in review',
  approved: 'approved',
  released: 'released',
  retired: 'retired',
};

/**
 * The version of each pathway in force at an instant: the released version whose release time is the
 * latest not after `at` (a retired one no longer counts, so rolling back brings the one before it back).
 */
export function inForceAt(versions: readonly VersionState[], at: Date): Map<string, VersionState> {
  const out = new Map<string, VersionState>();
  for (const v of versions) {
    if (v.status !== 'released' || !v.releaseAt || v.releaseAt.getTime() > at.getTime()) continue;
    const had = out.get(v.pathwayId);
    const later =
      !had ||
      (had.releaseAt as Date).getTime() < v.releaseAt.getTime() ||
      ((had.releaseAt as Date).getTime() === v.releaseAt.getTime() && had.version < v.version);
    if (later) out.set(v.pathwayId, v);
  }
  return out;
}

/** Sending a draft for review: only its author, only while it is a draft. */
export function decideSendForReview(v: VersionState, actorId: number): void {
  if (v.status !== 'draft')
    throw conflict(`${label(v)} is ${STATUS_WORDS[v.status]}: only a draft can be sent for review.`);
  if (v.authorId !== actorId) throw conflict(`Only the author of ${label(v)} may send it for review.`);
}

/**
 * Sign-off: a version in review, by a governance lead who is not its author. The second pair of eyes is
 * the control against a clinician's own error going live unseen (hazard H1 in docs/safety-case.md).
 */
export function decideApprove(v: VersionState, actorId: number): void {
  if (v.status !== 'in_review')
    throw conflict(`${label(v)} is ${STATUS_WORDS[v.status]}: only a version in review can be signed off.`);
  if (v.authorId === actorId)
    throw conflict(
      `You are the author of ${label(v)}: it must be signed off by a governance lead other than its author.`,
    );
}

/** Sending a version in review back to its author as a draft, with the reviewer's reasons. */
export function decideReturnToDraft(v: VersionState): void {
  if (v.status !== 'in_review')
    throw conflict(`${label(v)} is ${STATUS_WORDS[v.status]}: only a version in review can be sent back.`);
}

/**
 * Release at a set time: only an approved version. A time already past means now (a release cannot
 * rewrite what earlier calls were triaged on).
 */
export function decideRelease(v: VersionState, at: Date | undefined, now: Date): Date {
  if (v.status !== 'approved')
    throw conflict(`${label(v)} is ${STATUS_WORDS[v.status]}: only an approved version can be released.`);
  return at && at.getTime() > now.getTime() ? at : now;
}

/**
 * Rolling back a pathway one step: the version in force is retired and the one released before it is in
 * force again. There is nothing to go back to before the first release.
 */
export function decideRollback(
  versions: readonly VersionState[],
  pathwayId: string,
  now: Date,
): { readonly retire: VersionState; readonly restore: VersionState } {
  const mine = versions.filter((v) => v.pathwayId === pathwayId);
  const current = inForceAt(mine, now).get(pathwayId);
  if (!current) throw conflict(`No version of ${pathwayId} is in force: there is nothing to roll back.`);
  const restore = inForceAt(
    mine.filter((v) => v !== current),
    new Date((current.releaseAt as Date).getTime()),
  ).get(pathwayId);
  if (!restore || restore.version === current.version)
    throw conflict(
      `${label(current)} is the first release of ${pathwayId}: there is no earlier version to roll back to.`,
    );
  return { retire: current, restore };
}

/** The state a released version is in at an instant, in the words the console shows. */
export function releasedState(
  v: VersionState,
  inForce: ReadonlyMap<string, VersionState>,
  now: Date,
): 'scheduled' | 'in force' | 'superseded' {
  if (v.releaseAt && v.releaseAt.getTime() > now.getTime()) return 'scheduled';
  return inForce.get(v.pathwayId)?.version === v.version ? 'in force' : 'superseded';
}
