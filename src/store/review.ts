import type { ScopeFilter } from '../domain/auth/index';
import type { Db, Tx } from './db';
import type { CaseReviewTable, IncidentActionTable, IncidentLinkTable, IncidentTable } from './schema';

/** What reviews and incidents are called on the audit trail. */
export const REVIEW_RESOURCE = 'case_review';
export const REVIEW_RULE_RESOURCE = 'review_rule';
export const INCIDENT_RESOURCE = 'incident';

// ---- review rules ----

export interface RuleRow {
  readonly rule: string;
  readonly enabled: boolean;
  readonly params: Record<string, number | string>;
  readonly updatedAt: Date;
}

export async function listRuleRows(db: Db | Tx, providerCode: string): Promise<RuleRow[]> {
  const rows = await db
    .selectFrom('review_rule')
    .select(['rule', 'enabled', 'params', 'updated_at'])
    .where('provider_code', '=', providerCode)
    .execute();
  return rows.map((r) => ({ rule: r.rule, enabled: r.enabled, params: r.params, updatedAt: r.updated_at }));
}

export async function saveRule(
  tx: Tx,
  row: {
    providerCode: string;
    rule: string;
    enabled: boolean;
    params: Record<string, number | string>;
    by: number;
    at: Date;
  },
): Promise<void> {
  const values = {
    provider_code: row.providerCode,
    rule: row.rule,
    enabled: row.enabled,
    params: JSON.stringify(row.params),
    updated_by: row.by,
    updated_at: row.at,
  };
  await tx
    .insertInto('review_rule')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['provider_code', 'rule']).doUpdateSet({
        enabled: values.enabled,
        params: values.params,
        updated_by: values.updated_by,
        updated_at: values.updated_at,
      }),
    )
    .execute();
}

// ---- what the rules read ----

export interface StoredCaseEvent {
  readonly kind: string;
  readonly at: Date;
  readonly by: number | null;
  readonly body: Record<string, unknown>;
}

export interface CaseRows {
  readonly caseId: string;
  readonly providerCode: string;
  readonly areaCode: string;
  readonly openedAt: Date;
  readonly callerNumber: string | null;
  readonly callOfferedAt: Date | null;
  readonly events: StoredCaseEvent[];
}

/** Cases opened in [from, to), of one provider or all, each with its stored events and its call. */
export async function loadCaseRows(
  db: Db | Tx,
  f: { readonly from: Date; readonly to: Date; readonly providerCode?: string },
): Promise<CaseRows[]> {
  let q = db
    .selectFrom('case_record as c')
    .leftJoin('call', 'call.id', 'c.call_id')
    .select([
      'c.id',
      'c.provider_code',
      'c.area_code',
      'c.opened_at',
      'call.caller_number',
      'call.offered_at',
    ])
    .where('c.opened_at', '>=', f.from)
    .where('c.opened_at', '<', f.to)
    .orderBy('c.opened_at')
    .orderBy('c.id');
  if (f.providerCode) q = q.where('c.provider_code', '=', f.providerCode);
  const cases = await q.execute();
  if (cases.length === 0) return [];
  const events = await db
    .selectFrom('case_event')
    .select(['case_id', 'kind', 'at', 'recorded_by', 'body'])
    .where(
      'case_id',
      'in',
      cases.map((c) => c.id),
    )
    .orderBy('case_id')
    .orderBy('seq')
    .execute();
  const byCase = new Map<string, StoredCaseEvent[]>();
  for (const e of events) {
    const list = byCase.get(e.case_id) ?? [];
    list.push({ kind: e.kind, at: e.at, by: e.recorded_by, body: e.body });
    byCase.set(e.case_id, list);
  }
  return cases.map((c) => ({
    caseId: c.id,
    providerCode: c.provider_code,
    areaCode: c.area_code,
    openedAt: c.opened_at,
    callerNumber: c.caller_number ?? null,
    callOfferedAt: c.offered_at ?? null,
    events: byCase.get(c.id) ?? [],
  }));
}

/** Calls offered in [since, until) from these numbers: (number, provider, when). */
export async function callsFromNumbers(
  db: Db | Tx,
  numbers: readonly string[],
  since: Date,
  until: Date,
): Promise<{ callerNumber: string; providerCode: string; offeredAt: Date }[]> {
  if (numbers.length === 0) return [];
  const rows = await db
    .selectFrom('call')
    .select(['caller_number', 'provider_code', 'offered_at'])
    .where('caller_number', 'in', [...numbers])
    .where('offered_at', '>=', since)
    .where('offered_at', '<', until)
    .execute();
  return rows.flatMap((r) =>
    r.caller_number
      ? [{ callerNumber: r.caller_number, providerCode: r.provider_code, offeredAt: r.offered_at }]
      : [],
  );
}

// ---- reviews ----

export interface ReviewRow {
  readonly id: number;
  readonly caseId: string;
  readonly providerCode: string;
  readonly areaCode: string;
  readonly adviserId: number | null;
  readonly adviser: string | null;
  readonly reasons: string[];
  readonly queuedAt: Date;
  readonly reviewerId: number | null;
  readonly reviewer: string | null;
  readonly scoredAt: Date | null;
  readonly disposition: CaseReviewTable['disposition'];
  readonly safety: CaseReviewTable['safety'];
  readonly communication: number | null;
  readonly findings: string | null;
  readonly learning: string | null;
}

function selectReviews(db: Db | Tx) {
  return db
    .selectFrom('case_review as r')
    .leftJoin('app_user as a', 'a.id', 'r.adviser_id')
    .leftJoin('app_user as v', 'v.id', 'r.reviewer_id')
    .selectAll('r')
    .select(['a.username as adviser', 'v.username as reviewer']);
}

type SelectedReview = Awaited<ReturnType<ReturnType<typeof selectReviews>['executeTakeFirstOrThrow']>>;

const toReview = (r: SelectedReview): ReviewRow => ({
  id: r.id,
  caseId: r.case_id,
  providerCode: r.provider_code,
  areaCode: r.area_code,
  adviserId: r.adviser_id,
  adviser: r.adviser,
  reasons: r.reasons,
  queuedAt: r.queued_at,
  reviewerId: r.reviewer_id,
  reviewer: r.reviewer,
  scoredAt: r.scored_at,
  disposition: r.disposition,
  safety: r.safety,
  communication: r.communication,
  findings: r.findings,
  learning: r.learning,
});

export async function reviewsOfCases(db: Db | Tx, caseIds: readonly string[]): Promise<ReviewRow[]> {
  if (caseIds.length === 0) return [];
  return (
    await selectReviews(db)
      .where('r.case_id', 'in', [...caseIds])
      .execute()
  ).map(toReview);
}

/** Queues a case for review, or adds reasons to its queued review. */
export async function queueReview(
  tx: Tx,
  r: {
    caseId: string;
    providerCode: string;
    areaCode: string;
    adviserId: number | null;
    reasons: string[];
    at: Date;
  },
): Promise<void> {
  await tx
    .insertInto('case_review')
    .values({
      case_id: r.caseId,
      provider_code: r.providerCode,
      area_code: r.areaCode,
      adviser_id: r.adviserId,
      reasons: JSON.stringify(r.reasons),
      queued_at: r.at,
    })
    .onConflict((oc) => oc.column('case_id').doUpdateSet({ reasons: JSON.stringify(r.reasons) }))
    .execute();
}

export async function findReview(
  db: Db | Tx,
  id: number,
  opts: { lock?: boolean } = {},
): Promise<ReviewRow | undefined> {
  if (opts.lock) {
    const locked = await db
      .selectFrom('case_review')
      .select('id')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) return undefined;
  }
  const row = await selectReviews(db).where('r.id', '=', id).executeTakeFirst();
  return row ? toReview(row) : undefined;
}

export interface ReviewFilter extends ScopeFilter {
  readonly adviserId?: number;
  readonly scored?: boolean;
  readonly limit?: number;
}

export async function listReviews(db: Db | Tx, f: ReviewFilter): Promise<ReviewRow[]> {
  if (f.areaCodes?.size === 0) return [];
  let q = selectReviews(db)
    .orderBy('r.queued_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(f.limit ?? 200);
  if (f.providerCode) q = q.where('r.provider_code', '=', f.providerCode);
  if (f.areaCodes) q = q.where('r.area_code', 'in', [...f.areaCodes]);
  if (f.adviserId !== undefined) q = q.where('r.adviser_id', '=', f.adviserId);
  if (f.scored === true) q = q.where('r.scored_at', 'is not', null);
  if (f.scored === false) q = q.where('r.scored_at', 'is', null);
  return (await q.execute()).map(toReview);
}

export async function saveScore(
  tx: Tx,
  id: number,
  s: {
    reviewerId: number;
    at: Date;
    disposition: NonNullable<CaseReviewTable['disposition']>;
    safety: NonNullable<CaseReviewTable['safety']>;
    communication: number;
    findings: string;
    learning: string;
  },
): Promise<void> {
  await tx
    .updateTable('case_review')
    .set({
      reviewer_id: s.reviewerId,
      scored_at: s.at,
      disposition: s.disposition,
      safety: s.safety,
      communication: s.communication,
      findings: s.findings,
      learning: s.learning,
    })
    .where('id', '=', id)
    .where('scored_at', 'is', null)
    .execute();
}

// ---- incidents ----

export interface IncidentRow {
  readonly id: number;
  readonly providerCode: string;
  readonly areaCode: string | null;
  readonly about: IncidentTable['about'];
  readonly subject: string;
  readonly title: string;
  readonly description: string;
  readonly grade: IncidentTable['grade'];
  readonly status: IncidentTable['status'];
  readonly reportedBy: string | null;
  readonly reportedAt: Date;
  readonly gradedAt: Date | null;
  readonly closedAt: Date | null;
  readonly closedBy: string | null;
  readonly closeReason: string | null;
}

export interface ActionRow {
  readonly id: number;
  readonly description: string;
  readonly owner: string;
  readonly dueOn: string | null;
  readonly status: IncidentActionTable['status'];
  readonly note: string | null;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
}

export interface LinkRow {
  readonly kind: IncidentLinkTable['kind'];
  readonly ref: string;
  readonly linkedAt: Date;
}

function selectIncidents(db: Db | Tx) {
  return db
    .selectFrom('incident as i')
    .leftJoin('app_user as r', 'r.id', 'i.reported_by')
    .leftJoin('app_user as c', 'c.id', 'i.closed_by')
    .selectAll('i')
    .select(['r.username as reporter', 'c.username as closer']);
}
type SelectedIncident = Awaited<ReturnType<ReturnType<typeof selectIncidents>['executeTakeFirstOrThrow']>>;

const toIncident = (r: SelectedIncident): IncidentRow => ({
  id: r.id,
  providerCode: r.provider_code,
  areaCode: r.area_code,
  about: r.about,
  subject: r.subject,
  title: r.title,
  description: r.description,
  grade: r.grade,
  status: r.status,
  reportedBy: r.reporter,
  reportedAt: r.reported_at,
  gradedAt: r.graded_at,
  closedAt: r.closed_at,
  closedBy: r.closer,
  closeReason: r.close_reason,
});

export async function insertIncident(
  tx: Tx,
  i: {
    providerCode: string;
    areaCode: string | null;
    about: IncidentTable['about'];
    subject: string;
    title: string;
    description: string;
    reportedBy: number;
    at: Date;
  },
): Promise<number> {
  const row = await tx
    .insertInto('incident')
    .values({
      provider_code: i.providerCode,
      area_code: i.areaCode,
      about: i.about,
      subject: i.subject,
      title: i.title,
      description: i.description,
      status: 'reported',
      reported_by: i.reportedBy,
      reported_at: i.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findIncident(
  db: Db | Tx,
  id: number,
  opts: { lock?: boolean } = {},
): Promise<IncidentRow | undefined> {
  if (opts.lock) {
    const locked = await db
      .selectFrom('incident')
      .select('id')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) return undefined;
  }
  const row = await selectIncidents(db).where('i.id', '=', id).executeTakeFirst();
  return row ? toIncident(row) : undefined;
}

export async function listIncidents(
  db: Db | Tx,
  f: ScopeFilter & { status?: IncidentTable['status']; limit?: number },
): Promise<IncidentRow[]> {
  if (f.areaCodes?.size === 0) return [];
  let q = selectIncidents(db)
    .orderBy('i.reported_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(f.limit ?? 200);
  if (f.providerCode) q = q.where('i.provider_code', '=', f.providerCode);
  if (f.areaCodes) q = q.where('i.area_code', 'in', [...f.areaCodes]);
  if (f.status) q = q.where('i.status', '=', f.status);
  return (await q.execute()).map(toIncident);
}

export async function updateIncident(
  tx: Tx,
  id: number,
  set: Partial<Pick<IncidentTable, 'grade' | 'status' | 'graded_by' | 'close_reason' | 'closed_by'>> & {
    graded_at?: Date;
    closed_at?: Date;
  },
): Promise<void> {
  await tx.updateTable('incident').set(set).where('id', '=', id).execute();
}

export async function incidentActions(db: Db | Tx, incidentId: number): Promise<ActionRow[]> {
  const rows = await db
    .selectFrom('incident_action')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    description: r.description,
    owner: r.owner,
    dueOn: r.due_on,
    status: r.status,
    note: r.note,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  }));
}

export async function insertAction(
  tx: Tx,
  a: { incidentId: number; description: string; owner: string; dueOn: string | null; at: Date },
): Promise<number> {
  const row = await tx
    .insertInto('incident_action')
    .values({
      incident_id: a.incidentId,
      description: a.description,
      owner: a.owner,
      due_on: a.dueOn,
      status: 'open',
      created_at: a.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishAction(
  tx: Tx,
  id: number,
  f: { status: 'done' | 'waived'; note: string | null; by: number; at: Date },
): Promise<void> {
  await tx
    .updateTable('incident_action')
    .set({ status: f.status, note: f.note, finished_by: f.by, finished_at: f.at })
    .where('id', '=', id)
    .execute();
}

export async function incidentLinks(db: Db | Tx, incidentId: number): Promise<LinkRow[]> {
  const rows = await db
    .selectFrom('incident_link')
    .select(['kind', 'ref', 'linked_at'])
    .where('incident_id', '=', incidentId)
    .orderBy('linked_at')
    .execute();
  return rows.map((r) => ({ kind: r.kind, ref: r.ref, linkedAt: r.linked_at }));
}

export async function insertLink(
  tx: Tx,
  l: { incidentId: number; kind: IncidentLinkTable['kind']; ref: string; at: Date },
): Promise<void> {
  await tx
    .insertInto('incident_link')
    .values({ incident_id: l.incidentId, kind: l.kind, ref: l.ref, linked_at: l.at })
    .onConflict((oc) => oc.columns(['incident_id', 'kind', 'ref']).doNothing())
    .execute();
}

// ---- the monthly report ----

/** Where a report counts: one provider's records, or some areas'. */
export type ReportScope = { readonly providerCode: string } | { readonly areaCodes: readonly string[] };

export async function reportRows(db: Db | Tx, scope: ReportScope, from: Date, to: Date) {
  const areas = 'areaCodes' in scope ? scope.areaCodes : null;
  if (areas && areas.length === 0) return { reviews: [], incidentGrades: [], events: [] };
  let reviews = db
    .selectFrom('case_review')
    .select(['scored_at', 'disposition', 'safety', 'communication'])
    .where('queued_at', '>=', from)
    .where('queued_at', '<', to);
  let incidents = db
    .selectFrom('incident')
    .select('grade')
    .where('reported_at', '>=', from)
    .where('reported_at', '<', to);
  let events = db
    .selectFrom('case_event as e')
    .innerJoin('case_record as c', 'c.id', 'e.case_id')
    .select(['e.case_id', 'e.kind', 'e.at', 'e.body'])
    .where('e.kind', 'in', ['callback_queued', 'callback_started', 'validated'])
    .where('e.at', '>=', from)
    .where('e.at', '<', to);
  if ('providerCode' in scope) {
    reviews = reviews.where('provider_code', '=', scope.providerCode);
    incidents = incidents.where('provider_code', '=', scope.providerCode);
    events = events.where('c.provider_code', '=', scope.providerCode);
  } else if (areas) {
    reviews = reviews.where('area_code', 'in', [...areas]);
    incidents = incidents.where('area_code', 'in', [...areas]);
    events = events.where('c.area_code', 'in', [...areas]);
  }
  const [r, i, inMonth] = await Promise.all([
    reviews.execute(),
    incidents.execute(),
    events.orderBy('e.at').execute(),
  ]);
  // A call-back queued this month may have been started after the month ended.
  const queuedCases = [...new Set(inMonth.filter((x) => x.kind === 'callback_queued').map((x) => x.case_id))];
  const started = queuedCases.length
    ? await db
        .selectFrom('case_event as e')
        .select(['e.case_id', 'e.kind', 'e.at', 'e.body'])
        .where('e.kind', '=', 'callback_started')
        .where('e.case_id', 'in', queuedCases)
        .orderBy('e.at')
        .execute()
    : [];
  const e = [...inMonth.filter((x) => x.kind !== 'callback_started'), ...started];
  return {
    reviews: r.map((x) => ({
      scoredAt: x.scored_at,
      disposition: x.disposition,
      safety: x.safety,
      communication: x.communication,
    })),
    incidentGrades: i.map((x) => x.grade),
    events: e.map((x) => ({ caseId: x.case_id, kind: x.kind, at: x.at, body: x.body })),
  };
}
