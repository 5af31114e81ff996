import { pathwayFromYaml, stampPathwayYaml, validateCandidate } from '../content/triage';
import { conflict, type FieldProblem, invalid, notFound } from '../domain/errors';
import {
  decideApprove,
  decideRelease,
  decideReturnToDraft,
  decideRollback,
  decideSendForReview,
  diffPathways,
  inForceAt,
  type PathwayDiff,
  releasedState,
} from '../domain/governance/index';
import type { Tx } from '../store/db';
import {
  changePathwayVersion,
  findPathwayVersion,
  insertPathwayVersion,
  listPathwayVersions,
  lockPathway,
  nextPathwayVersion,
  PATHWAY_VERSION_RESOURCE,
  type PathwayVersionRow,
  type PathwayVersionStatus,
} from '../store/governance';
import type { ServiceContext } from './context';
import { contentInForce, releasedVersionsOf, storedDocuments, versionState } from './pathway-content';
import { authorize, type Caller, inUseCase, type UnitOfWork } from './use-case';

/**
 * Clinical governance, part one: pathway change control. A clinical author writes a draft (the YAML of
 * one pathway); it goes for review; a governance lead who is not its author signs it off against the
 * review diff; it is released at a set time and new triage sessions start on it from then; one step rolls
 * it back. The validator runs at every step, so no step can put an unsafe version in force.
 */

const versionRef = (pathwayId?: string, version?: number) => ({
  type: PATHWAY_VERSION_RESOURCE,
  ...(pathwayId ? { id: version !== undefined ? `${pathwayId}@${version}` : pathwayId } : {}),
});

export interface PathwayVersionView {
  readonly pathwayId: string;
  readonly version: number;
  readonly file: string;
  readonly status: PathwayVersionStatus;
  /** For a released version: scheduled, in force, or superseded by a later release. */
  readonly releaseState: 'scheduled' | 'in force' | 'superseded' | null;
  readonly basedOn: number | null;
  readonly author: string | null;
  readonly summary: string;
  readonly createdAt: string;
  readonly submittedAt: string | null;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  readonly reviewNote: string | null;
  readonly releaseAt: string | null;
  readonly releasedBy: string | null;
  readonly retiredAt: string | null;
  readonly retiredBy: string | null;
}

export interface PathwayVersionDetail extends PathwayVersionView {
  readonly yaml: string;
  /** The validator's findings against the content in force now (empty: it would be safe to release). */
  readonly problems: readonly FieldProblem[];
  /** The change against the version it replaces (the one in force, or for a release the one before). */
  readonly diff: PathwayDiff | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function view(r: PathwayVersionRow, all: readonly PathwayVersionRow[], now: Date): PathwayVersionView {
  const inForce = inForceAt(all.map(versionState), now);
  return {
    pathwayId: r.pathwayId,
    version: r.version,
    file: r.file,
    status: r.status,
    releaseState: r.status === 'released' ? releasedState(versionState(r), inForce, now) : null,
    basedOn: r.basedOn,
    author: r.author ?? (r.authorId === null ? 'shipped with open111' : null),
    summary: r.summary,
    createdAt: r.createdAt.toISOString(),
    submittedAt: iso(r.submittedAt),
    approvedBy: r.approvedBy,
    approvedAt: iso(r.approvedAt),
    reviewNote: r.reviewNote,
    releaseAt: iso(r.releaseAt),
    releasedBy: r.releasedBy,
    retiredAt: iso(r.retiredAt),
    retiredBy: r.retiredBy,
  };
}

/** Every version, or one pathway's or those in some states: the review queue is `in_review`. */
export async function listPathwayVersionsFor(
  ctx: ServiceContext,
  caller: Caller,
  filter: { readonly pathwayId?: string; readonly status?: PathwayVersionStatus },
): Promise<PathwayVersionView[]> {
  await authorize(ctx, caller, 'content.read', {}, versionRef(filter.pathwayId));
  const now = ctx.now();
  const all = await listPathwayVersions(ctx.store.db);
  return all
    .filter(
      (r) =>
        (!filter.pathwayId || r.pathwayId === filter.pathwayId) &&
        (!filter.status || r.status === filter.status),
    )
    .map((r) => view(r, all, now));
}

/** The validator's findings for a version's YAML, as if it were in force now in place of its pathway's. */
async function problemsOf(tx: Tx, now: Date, file: string, yaml: string): Promise<readonly FieldProblem[]> {
  const inForce = (await storedDocuments(tx, now)).filter((d) => d.inForce);
  return validateCandidate(inForce, { file, yaml }).problems;
}

/** Refuses a step when the validator finds anything: the version stays where it was. */
async function mustValidate(u: UnitOfWork, file: string, yaml: string, step: string): Promise<void> {
  const problems = await problemsOf(u.tx, u.now, file, yaml);
  if (problems.length > 0) {
    const first = problems[0] as FieldProblem;
    throw invalid(
      `The validator refuses this ${step} (${problems.length} finding${problems.length === 1 ? '' : 's'}): ${first.pointer}: ${first.message}`,
      problems,
    );
  }
}

/** One version with its YAML, the validator's findings and the review diff. */
export async function readPathwayVersion(
  ctx: ServiceContext,
  caller: Caller,
  pathwayId: string,
  version: number,
): Promise<PathwayVersionDetail> {
  await authorize(ctx, caller, 'content.read', {}, versionRef(pathwayId, version));
  const now = ctx.now();
  const db = ctx.store.db;
  const v = await findPathwayVersion(db, pathwayId, version);
  if (!v) throw notFound(`There is no version ${version} of pathway ${pathwayId}.`);
  const all = await listPathwayVersions(db);
  const documents = await storedDocuments(db, now);
  const inForce = documents.filter((d) => d.inForce);
  const problems = validateCandidate(inForce, { file: v.file, yaml: v.yaml }).problems;
  const content = await contentInForce(ctx, now);
  const pending = v.status === 'draft' || v.status === 'in_review' || v.status === 'approved';
  // A version not yet released is compared with the one in force (what it would replace); a released or
  // retired one with the version it was written from.
  const beforeVersion = pending
    ? inForceAt(all.map(versionState), now).get(pathwayId)?.version
    : (v.basedOn ?? undefined);
  const before =
    beforeVersion !== undefined ? content.pathways.get(`${pathwayId}@${beforeVersion}`) : undefined;
  const after =
    content.pathways.get(`${pathwayId}@${version}`) ??
    pathwayFromYaml(inForce, { file: v.file, yaml: v.yaml });
  return {
    ...view(v, all, now),
    yaml: v.yaml,
    problems,
    diff: after ? diffPathways(before, after, content.dispositions) : null,
  };
}

/**
 * A clinical author's draft: the YAML of one pathway (a changed version of one in force, or a new one).
 * It is numbered after the pathway's newest version and refused, with the validator's findings, when it
 * is not valid.
 */
export async function submitDraft(
  ctx: ServiceContext,
  caller: Caller,
  input: { readonly yaml: string; readonly summary: string },
): Promise<PathwayVersionDetail> {
  const { pathwayId, version } = await inUseCase(ctx, caller, async (u) => {
    await u.allow('content.author', {}, versionRef());
    const { id } = stampPathwayYaml(input.yaml, { version: 1, status: 'draft' });
    await lockPathway(u.tx, id);
    const version = await nextPathwayVersion(u.tx, id);
    const { yaml } = stampPathwayYaml(input.yaml, { version, status: 'draft' });
    const existing = await listPathwayVersions(u.tx, { pathwayId: id });
    const file = existing[0]?.file ?? `${id}.yaml`;
    await mustValidate(u, file, yaml, 'draft');
    const basedOn = inForceAt(existing.map(versionState), u.now).get(id)?.version ?? null;
    await insertPathwayVersion(u.tx, {
      pathwayId: id,
      version,
      file,
      yaml,
      status: 'draft',
      basedOn,
      authorId: caller.actor.userId,
      summary: input.summary,
      createdAt: u.now,
    });
    await u.audit('create', versionRef(id, version), { basedOn, summary: input.summary });
    return { pathwayId: id, version };
  });
  return readPathwayVersion(ctx, caller, pathwayId, version);
}

/** Loads a version locked for a step, after the policy allows the step. */
async function loadForStep(
  u: UnitOfWork,
  permission: 'content.author' | 'content.review' | 'content.release',
  pathwayId: string,
  version: number,
) {
  await u.allow(permission, {}, versionRef(pathwayId, version));
  await lockPathway(u.tx, pathwayId);
  const v = await findPathwayVersion(u.tx, pathwayId, version, { lock: true });
  if (!v) throw notFound(`There is no version ${version} of pathway ${pathwayId}.`);
  return v;
}

/** The author sends the draft for review; it is validated again. */
export async function sendForReview(
  ctx: ServiceContext,
  caller: Caller,
  pathwayId: string,
  version: number,
): Promise<PathwayVersionDetail> {
  await inUseCase(ctx, caller, async (u) => {
    const v = await loadForStep(u, 'content.author', pathwayId, version);
    decideSendForReview(versionState(v), caller.actor.userId);
    await mustValidate(u, v.file, v.yaml, 'review');
    await changePathwayVersion(u.tx, pathwayId, version, { kind: 'submitted', at: u.now });
    await u.audit('update', versionRef(pathwayId, version), { status: 'in_review' });
  });
  return readPathwayVersion(ctx, caller, pathwayId, version);
}

/** A reviewer sends the version back to its author as a draft, with why. */
export async function returnToDraft(
  ctx: ServiceContext,
  caller: Caller,
  pathwayId: string,
  version: number,
  note: string,
): Promise<PathwayVersionDetail> {
  await inUseCase(ctx, caller, async (u) => {
    const v = await loadForStep(u, 'content.review', pathwayId, version);
    decideReturnToDraft(versionState(v));
    await changePathwayVersion(u.tx, pathwayId, version, { kind: 'returned', note });
    await u.audit('update', versionRef(pathwayId, version), { status: 'draft', note });
  });
  return readPathwayVersion(ctx, caller, pathwayId, version);
}

/**
 * Sign-off by a governance lead other than the author; the YAML is stamped with who approved it and when,
 * so the version exported is the version signed.
 */
export async function approveVersion(
  ctx: ServiceContext,
  caller: Caller,
  pathwayId: string,
  version: number,
  note: string | null,
): Promise<PathwayVersionDetail> {
  await inUseCase(ctx, caller, async (u) => {
    const v = await loadForStep(u, 'content.review', pathwayId, version);
    decideApprove(versionState(v), caller.actor.userId);
    const { yaml } = stampPathwayYaml(v.yaml, {
      version,
      status: 'approved',
      approvedBy: `${caller.actor.displayName} (${caller.actor.username})`,
      approvedAt: u.now.toISOString().slice(0, 10),
    });
    await mustValidate(u, v.file, yaml, 'sign-off');
    await changePathwayVersion(u.tx, pathwayId, version, {
      kind: 'approved',
      by: caller.actor.userId,
      at: u.now,
      note,
      yaml,
    });
    await u.audit('update', versionRef(pathwayId, version), { status: 'approved', note });
  });
  return readPathwayVersion(ctx, caller, pathwayId, version);
}

/** Releases an approved version at a set time (now when none is given or it is past). */
export async function releaseVersion(
  ctx: ServiceContext,
  caller: Caller,
  pathwayId: string,
  version: number,
  at: Date | undefined,
): Promise<PathwayVersionDetail> {
  await inUseCase(ctx, caller, async (u) => {
    const v = await loadForStep(u, 'content.release', pathwayId, version);
    const releaseAt = decideRelease(versionState(v), at, u.now);
    await mustValidate(u, v.file, v.yaml, 'release');
    await changePathwayVersion(u.tx, pathwayId, version, {
      kind: 'released',
      by: caller.actor.userId,
      at: releaseAt,
    });
    await u.audit('update', versionRef(pathwayId, version), {
      status: 'released',
      releaseAt: releaseAt.toISOString(),
    });
  });
  // Committed: this node reads the released versions afresh (the others when they hear the announcement).
  releasedVersionsOf(ctx.store).forgetAll();
  return readPathwayVersion(ctx, caller, pathwayId, version);
}

/** One step back: the version in force is retired and the one released before it is in force again. */
export async function rollBack(
  ctx: ServiceContext,
  caller: Caller,
  pathwayId: string,
): Promise<{ readonly retired: PathwayVersionView; readonly inForce: PathwayVersionView }> {
  const decided = await inUseCase(ctx, caller, async (u) => {
    await u.allow('content.release', {}, versionRef(pathwayId));
    await lockPathway(u.tx, pathwayId);
    const rows = await listPathwayVersions(u.tx, { pathwayId });
    if (rows.length === 0) throw notFound(`There is no pathway ${pathwayId}.`);
    const { retire, restore } = decideRollback(rows.map(versionState), pathwayId, u.now);
    const restored = await findPathwayVersion(u.tx, pathwayId, restore.version);
    if (!restored) throw conflict(`Version ${restore.version} of ${pathwayId} is missing.`);
    await mustValidate(u, restored.file, restored.yaml, 'rollback');
    await changePathwayVersion(u.tx, pathwayId, retire.version, {
      kind: 'retired',
      by: caller.actor.userId,
      at: u.now,
    });
    await u.audit('update', versionRef(pathwayId, retire.version), {
      status: 'retired',
      rolledBackTo: restore.version,
    });
    return { retired: retire.version, restored: restore.version };
  });
  releasedVersionsOf(ctx.store).forgetAll();
  const now = ctx.now();
  const all = await listPathwayVersions(ctx.store.db, { pathwayId });
  const find = (n: number) => all.find((r) => r.version === n) as PathwayVersionRow;
  return { retired: view(find(decided.retired), all, now), inForce: view(find(decided.restored), all, now) };
}
