import { areasUnder, type RecordRef, scopeFilter } from '../domain/auth/index';
import { invalid, notFound } from '../domain/errors';
import {
  buildReport,
  type CaseFacts,
  callbackMissed,
  checkRuleParams,
  DEFAULT_RULES,
  decideChange,
  decideClose,
  decideFinishAction,
  decideGrade,
  decideScore,
  type GovernanceReport,
  type IncidentGrade,
  isCommunicationScore,
  isEmergencyOutcome,
  isReviewRule,
  REVIEW_RULES,
  type ReviewRule,
  type ReviewScore,
  type RuleSettings,
  rulesMet,
  sampleCases,
  weekOf,
} from '../domain/review/index';
import { caseEvents, findCase } from '../store/cases';
import { findService } from '../store/directory';
import { findPathwayVersion } from '../store/governance';
import {
  type ActionRow,
  type CaseRows,
  callsFromNumbers,
  findIncident,
  findReview,
  finishAction,
  INCIDENT_RESOURCE,
  type IncidentRow,
  incidentActions,
  incidentLinks,
  insertAction,
  insertIncident,
  insertLink,
  type LinkRow,
  listIncidents,
  listReviews,
  listRuleRows,
  loadCaseRows,
  queueReview,
  REVIEW_RESOURCE,
  REVIEW_RULE_RESOURCE,
  type ReportScope,
  type ReviewRow,
  reportRows,
  reviewsOfCases,
  saveRule,
  saveScore,
  updateIncident,
} from '../store/review';
import { dispositions } from './cases';
import type { ServiceContext } from './context';
import { authorize, type Caller, inUseCase, listScope, type UnitOfWork } from './use-case';

/**
 * Clinical governance, part two. Case review: a governance lead's rules and a weekly random sample fill
 * the provider's review queue; a reviewer replays a case (the case and triage replays) and scores it on
 * a fixed form; the adviser sees the reviews of their own calls. Incidents: anyone reports one; the
 * provider's governance lead grades it, gives it actions with owners, links it to cases and pathway
 * versions, and closes it when every action is done or waived. A monthly report counts it all.
 */

const DAY = 86_400_000;
const reviewRef = (id?: number | string) => ({
  type: REVIEW_RESOURCE,
  ...(id !== undefined ? { id: String(id) } : {}),
});
const incidentRef = (id?: number) => ({
  type: INCIDENT_RESOURCE,
  ...(id !== undefined ? { id: String(id) } : {}),
});

// ---------------------------------------------------------------- rules

/** A provider's rule settings: what it has set, over the defaults. */
function settingsOf(rows: Awaited<ReturnType<typeof listRuleRows>>): RuleSettings {
  const D = DEFAULT_RULES;
  const row = (rule: ReviewRule) => rows.find((r) => r.rule === rule);
  const on = (rule: ReviewRule) => row(rule)?.enabled ?? D[rule].enabled;
  const num = (rule: ReviewRule, key: string, fallback: number) => {
    const v = row(rule)?.params[key];
    return typeof v === 'number' ? v : fallback;
  };
  const seed = row('sample')?.params.seed;
  return {
    ambulance_downgraded: { enabled: on('ambulance_downgraded'), params: {} },
    callback_missed: {
      enabled: on('callback_missed'),
      params: { graceMinutes: num('callback_missed', 'graceMinutes', D.callback_missed.params.graceMinutes) },
    },
    repeat_caller: {
      enabled: on('repeat_caller'),
      params: { hours: num('repeat_caller', 'hours', D.repeat_caller.params.hours) },
    },
    referral_unacknowledged: {
      enabled: on('referral_unacknowledged'),
      params: {
        defaultMinutes: num(
          'referral_unacknowledged',
          'defaultMinutes',
          D.referral_unacknowledged.params.defaultMinutes,
        ),
      },
    },
    self_care_followed_by_emergency: {
      enabled: on('self_care_followed_by_emergency'),
      params: {
        hours: num(
          'self_care_followed_by_emergency',
          'hours',
          D.self_care_followed_by_emergency.params.hours,
        ),
      },
    },
    sample: {
      enabled: on('sample'),
      params: {
        percent: num('sample', 'percent', D.sample.params.percent),
        seed: typeof seed === 'string' ? seed : D.sample.params.seed,
      },
    },
  };
}

export interface RuleView {
  readonly rule: ReviewRule;
  readonly enabled: boolean;
  readonly params: Record<string, unknown>;
}

const ruleViews = (s: RuleSettings): RuleView[] =>
  REVIEW_RULES.map((rule) => ({ rule, enabled: s[rule].enabled, params: { ...s[rule].params } }));

/** The provider whose records a provider-wide permission reaches: the actor's own, or the one named. */
const providerOf = (caller: Caller, named?: string) => named ?? caller.actor.organisationCode;

export async function readReviewRules(
  ctx: ServiceContext,
  caller: Caller,
  provider?: string,
): Promise<RuleView[]> {
  const providerCode = providerOf(caller, provider);
  return inUseCase(ctx, caller, async (u) => {
    await u.allow('review.read', { providerCode }, { type: REVIEW_RULE_RESOURCE, id: providerCode });
    return ruleViews(settingsOf(await listRuleRows(u.tx, providerCode)));
  });
}

export async function setReviewRule(
  ctx: ServiceContext,
  caller: Caller,
  input: {
    readonly provider?: string;
    readonly rule: string;
    readonly enabled: boolean;
    readonly params?: Record<string, unknown>;
  },
): Promise<RuleView[]> {
  const providerCode = providerOf(caller, input.provider);
  return inUseCase(ctx, caller, async (u) => {
    await u.allow('review.rules', { providerCode }, { type: REVIEW_RULE_RESOURCE, id: providerCode });
    if (!isReviewRule(input.rule))
      throw invalid(`There is no review rule ${input.rule}; the rules are ${REVIEW_RULES.join(', ')}.`, [
        { pointer: '/body/rule', message: `Unknown rule "${input.rule}".` },
      ]);
    const rule = input.rule;
    const current = settingsOf(await listRuleRows(u.tx, providerCode));
    const params = { ...current[rule].params, ...(input.params ?? {}) };
    const problems = checkRuleParams(rule, params);
    if (problems.length)
      throw invalid(
        `The parameters of rule ${rule} are not right: ${problems.map((p) => p.message).join(' ')}`,
        problems,
      );
    const stored: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(params))
      if (typeof v === 'number' || typeof v === 'string') stored[k] = v;
    await saveRule(u.tx, {
      providerCode,
      rule,
      enabled: input.enabled,
      params: stored,
      by: caller.actor.userId,
      at: u.now,
    });
    await u.audit(
      'update',
      { type: REVIEW_RULE_RESOURCE, id: `${providerCode}/${rule}` },
      { enabled: input.enabled, params: stored },
    );
    return ruleViews(settingsOf(await listRuleRows(u.tx, providerCode)));
  });
}

// ---------------------------------------------------------------- filling the queue

const patientKey = (c: CaseRows): string | null => {
  const opened = c.events.find((e) => e.kind === 'opened');
  const p = opened?.body.patient;
  if (!p || typeof p !== 'object') return null;
  const name = 'name' in p && typeof p.name === 'string' ? p.name.trim().toLowerCase() : '';
  const born = 'birthDate' in p && typeof p.birthDate === 'string' ? p.birthDate : '';
  return name && born ? `${name}|${born}` : null;
};

/** When each case led to an emergency: an ambulance outcome or dispatch, or an A&E attendance reported. */
const emergenciesOf = (c: CaseRows): Date[] =>
  c.events
    .filter(
      (e) =>
        (e.kind === 'outcome_decided' && e.body.outcome === 'ambulance') ||
        e.kind === 'ambulance_dispatched' ||
        (e.kind === 'referral_outcome_reported' && isEmergencyOutcome(e.body.outcome)),
    )
    .map((e) => e.at);

/** The adviser whose call it was: who recorded the triage, else who opened the case. */
const adviserOf = (c: CaseRows): number | null =>
  c.events.findLast((e) => e.kind === 'triaged')?.by ?? c.events.find((e) => e.kind === 'opened')?.by ?? null;

export interface FillResult {
  readonly providerCode: string;
  /** The Monday the week starts on. */
  readonly week: string;
  readonly considered: number;
  readonly queued: readonly { readonly caseId: string; readonly reasons: readonly string[] }[];
}

/**
 * Runs the provider's rules and the sample over the cases opened in one week (the week of `week`, or
 * this week): each case a rule or the sample picks is queued once, with every reason, and a second run
 * adds only what is new.
 */
export async function fillReviewQueue(
  ctx: ServiceContext,
  caller: Caller,
  input: { readonly provider?: string; readonly week?: string } = {},
): Promise<FillResult> {
  const providerCode = providerOf(caller, input.provider);
  return inUseCase(ctx, caller, async (u) => {
    await u.allow('review.rules', { providerCode }, reviewRef());
    const day = input.week ? new Date(`${input.week}T00:00:00Z`) : u.now;
    if (Number.isNaN(day.getTime()))
      throw invalid(`${input.week} is not a date (YYYY-MM-DD).`, [
        { pointer: '/body/week', message: 'A date, YYYY-MM-DD.' },
      ]);
    const week = weekOf(day);
    const from = new Date(`${week}T00:00:00Z`);
    const to = new Date(from.getTime() + 7 * DAY);
    const settings = settingsOf(await listRuleRows(u.tx, providerCode));
    const cases = await loadCaseRows(u.tx, { from, to, providerCode });
    const facts = await factsOf(u, cases, settings, from, to);
    const catalogue = dispositions();
    const timeframeOf = (code: string) => catalogue.byCode.get(code)?.timeframeMinutes ?? null;
    const sampled = settings.sample.enabled
      ? sampleCases(cases, settings.sample.params.percent, settings.sample.params.seed)
      : new Set<string>();
    const existing = new Map(
      (
        await reviewsOfCases(
          u.tx,
          cases.map((c) => c.caseId),
        )
      ).map((r) => [r.caseId, r]),
    );
    const queued: { caseId: string; reasons: string[] }[] = [];
    for (const [i, c] of cases.entries()) {
      const f = facts[i] as CaseFacts;
      const reasons: string[] = rulesMet(f, u.now, settings, timeframeOf);
      if (sampled.has(c.caseId)) reasons.push('sample');
      if (reasons.length === 0) continue;
      const before = existing.get(c.caseId)?.reasons ?? [];
      const merged = [...new Set([...before, ...reasons])];
      if (merged.length === before.length) continue;
      await queueReview(u.tx, {
        caseId: c.caseId,
        providerCode: c.providerCode,
        areaCode: c.areaCode,
        adviserId: adviserOf(c),
        reasons: merged,
        at: u.now,
      });
      queued.push({ caseId: c.caseId, reasons: merged });
    }
    await u.auditEach(
      'create',
      queued.map((q) => reviewRef(q.caseId)),
      { week, via: 'review-queue' },
    );
    await u.audit(
      'update',
      { type: 'review_queue', id: `${providerCode}/${week}` },
      { considered: cases.length, queued: queued.length },
    );
    return { providerCode, week, considered: cases.length, queued };
  });
}

/** What the rules need beyond each case's own events: earlier calls from its number, later emergencies. */
async function factsOf(
  u: UnitOfWork,
  cases: readonly CaseRows[],
  settings: RuleSettings,
  from: Date,
  to: Date,
): Promise<CaseFacts[]> {
  const repeatHours = settings.repeat_caller.params.hours;
  const numbers = [
    ...new Set(
      cases.flatMap((c) => (c.callerNumber && c.callerNumber !== 'withheld' ? [c.callerNumber] : [])),
    ),
  ];
  const calls = await callsFromNumbers(u.tx, numbers, new Date(from.getTime() - repeatHours * 3_600_000), to);
  const followHours = settings.self_care_followed_by_emergency.params.hours;
  // Emergencies of the same patient, at any provider, up to the window after the week's last case.
  const later = await loadCaseRows(u.tx, { from, to: new Date(to.getTime() + followHours * 3_600_000) });
  const emergencies = new Map<string, { caseId: string; at: Date }[]>();
  for (const c of later) {
    const key = patientKey(c);
    if (!key) continue;
    for (const at of emergenciesOf(c))
      emergencies.set(key, [...(emergencies.get(key) ?? []), { caseId: c.caseId, at }]);
  }
  return cases.map((c) => {
    const key = patientKey(c);
    return {
      caseId: c.caseId,
      providerCode: c.providerCode,
      openedAt: c.openedAt,
      events: c.events,
      callOfferedAt: c.callOfferedAt,
      earlierCallsFromNumber: calls
        .filter((k) => k.callerNumber === c.callerNumber && k.providerCode === c.providerCode)
        .map((k) => k.offeredAt),
      laterEmergencies: key
        ? (emergencies.get(key) ?? []).filter((e) => e.caseId !== c.caseId).map((e) => e.at)
        : [],
    };
  });
}

// ---------------------------------------------------------------- reviews

export interface ReviewView {
  readonly id: number;
  readonly caseId: string;
  readonly providerCode: string;
  readonly areaCode: string;
  readonly adviser: string | null;
  readonly reasons: readonly string[];
  readonly queuedAt: string;
  readonly status: 'queued' | 'scored';
  readonly reviewer: string | null;
  readonly scoredAt: string | null;
  readonly score: ReviewScore | null;
}

function reviewView(r: ReviewRow): ReviewView {
  return {
    id: r.id,
    caseId: r.caseId,
    providerCode: r.providerCode,
    areaCode: r.areaCode,
    adviser: r.adviser,
    reasons: r.reasons,
    queuedAt: r.queuedAt.toISOString(),
    status: r.scoredAt ? 'scored' : 'queued',
    reviewer: r.reviewer,
    scoredAt: r.scoredAt?.toISOString() ?? null,
    score:
      r.scoredAt && r.disposition && r.safety && isCommunicationScore(r.communication)
        ? {
            disposition: r.disposition,
            safety: r.safety,
            communication: r.communication,
            findings: r.findings ?? '',
            learning: r.learning ?? '',
          }
        : null,
  };
}

/** The review queue (and the reviews done) of the caller's provider; each listed is an audited read. */
export async function listReviewQueue(
  ctx: ServiceContext,
  caller: Caller,
  filter: { readonly status?: 'queued' | 'scored'; readonly provider?: string },
): Promise<ReviewView[]> {
  const scope = await listScope(ctx, caller, 'review.read', reviewRef());
  return inUseCase(ctx, caller, async (u) => {
    const rows = await listReviews(u.tx, {
      ...(filter.provider ? { providerCode: filter.provider } : {}),
      // The scope last, so a provider's own staff cannot name another provider.
      ...scopeFilter(scope),
      ...(filter.status ? { scored: filter.status === 'scored' } : {}),
    });
    await u.auditEach(
      'read',
      rows.map((r) => reviewRef(r.id)),
      { via: 'list' },
    );
    return rows.map(reviewView);
  });
}

/** The reviews of the caller's own calls, and only those. */
export async function myReviews(ctx: ServiceContext, caller: Caller): Promise<ReviewView[]> {
  await listScope(ctx, caller, 'review.own', reviewRef());
  return inUseCase(ctx, caller, async (u) => {
    const rows = await listReviews(u.tx, { adviserId: caller.actor.userId });
    await u.auditEach(
      'read',
      rows.map((r) => reviewRef(r.id)),
      { via: 'mine' },
    );
    return rows.map(reviewView);
  });
}

const reviewRecord = (r: ReviewRow): RecordRef => ({ providerCode: r.providerCode, areaCode: r.areaCode });

/** A review with what the reviewer replays: the case's events in order and its triage session. */
export interface ReviewDetail extends ReviewView {
  /** The triage session the adviser ran: replay it with GET /api/triage/sessions/:id. */
  readonly triageSessionId: string | null;
  readonly dispositionCode: string | null;
  readonly outcome: string | null;
  readonly events: readonly { readonly seq: number; readonly kind: string; readonly at: string }[];
}

export async function readReview(ctx: ServiceContext, caller: Caller, id: number): Promise<ReviewDetail> {
  await listScope(ctx, caller, 'review.read', reviewRef(id));
  return inUseCase(ctx, caller, async (u) => {
    const r = await findReview(u.tx, id);
    if (!r) throw notFound(`There is no review ${id}.`);
    await u.allow('review.read', reviewRecord(r), reviewRef(id));
    const events = await caseEvents(u.tx, r.caseId);
    const c = await findCase(u.tx, r.caseId);
    await u.audit('read', reviewRef(id));
    await u.audit('read', { type: 'case', id: r.caseId }, { via: 'review' });
    return {
      ...reviewView(r),
      triageSessionId: c?.triage?.triageSessionId ?? null,
      dispositionCode: c?.triage?.dispositionCode ?? null,
      outcome: c?.outcome ?? null,
      events: events.map((e, i) => ({ seq: i + 1, kind: e.kind, at: e.at.toISOString() })),
    };
  });
}

/** Scores a queued review, once, by someone other than the adviser whose call it was. */
export async function scoreReview(
  ctx: ServiceContext,
  caller: Caller,
  id: number,
  score: ReviewScore,
): Promise<ReviewView> {
  await listScope(ctx, caller, 'review.score', reviewRef(id));
  return inUseCase(ctx, caller, async (u) => {
    const r = await findReview(u.tx, id, { lock: true });
    if (!r) throw notFound(`There is no review ${id}.`);
    await u.allow('review.score', reviewRecord(r), reviewRef(id));
    decideScore(r, caller.actor.userId);
    await saveScore(u.tx, id, { reviewerId: caller.actor.userId, at: u.now, ...score });
    await u.audit('update', reviewRef(id), {
      caseId: r.caseId,
      disposition: score.disposition,
      safety: score.safety,
      communication: score.communication,
    });
    const after = await findReview(u.tx, id);
    if (!after) throw notFound(`There is no review ${id}.`);
    return reviewView(after);
  });
}

// ---------------------------------------------------------------- incidents

export interface IncidentView {
  readonly id: number;
  readonly providerCode: string;
  readonly areaCode: string | null;
  readonly about: IncidentRow['about'];
  readonly subject: string;
  readonly title: string;
  readonly description: string;
  readonly grade: IncidentGrade | null;
  readonly status: IncidentRow['status'];
  readonly reportedBy: string | null;
  readonly reportedAt: string;
  readonly closedAt: string | null;
  readonly closedBy: string | null;
  readonly closeReason: string | null;
}

export interface IncidentDetail extends IncidentView {
  readonly actions: readonly (Omit<ActionRow, 'createdAt' | 'finishedAt'> & {
    readonly createdAt: string;
    readonly finishedAt: string | null;
  })[];
  readonly links: readonly (Omit<LinkRow, 'linkedAt'> & { readonly linkedAt: string })[];
}

const incidentView = (i: IncidentRow): IncidentView => ({
  id: i.id,
  providerCode: i.providerCode,
  areaCode: i.areaCode,
  about: i.about,
  subject: i.subject,
  title: i.title,
  description: i.description,
  grade: i.grade,
  status: i.status,
  reportedBy: i.reportedBy,
  reportedAt: i.reportedAt.toISOString(),
  closedAt: i.closedAt?.toISOString() ?? null,
  closedBy: i.closedBy,
  closeReason: i.closeReason,
});

async function detail(u: UnitOfWork, id: number): Promise<IncidentDetail> {
  const i = await findIncident(u.tx, id);
  if (!i) throw notFound(`There is no incident ${id}.`);
  const [actions, links] = await Promise.all([incidentActions(u.tx, id), incidentLinks(u.tx, id)]);
  return {
    ...incidentView(i),
    actions: actions.map((a) => ({
      ...a,
      createdAt: a.createdAt.toISOString(),
      finishedAt: a.finishedAt?.toISOString() ?? null,
    })),
    links: links.map((l) => ({ ...l, linkedAt: l.linkedAt.toISOString() })),
  };
}

/** Checks a pathway version named `pathwayId@version` exists. */
async function mustBeVersion(u: UnitOfWork, ref: string, pointer: string): Promise<void> {
  const m = /^([a-z0-9-]+)@(\d+)$/.exec(ref);
  if (!m)
    throw invalid(`${ref} does not name a pathway version (pathway@version, e.g. rash@1).`, [
      { pointer, message: 'pathway@version' },
    ]);
  if (!(await findPathwayVersion(u.tx, m[1] as string, Number(m[2]))))
    throw notFound(`There is no version ${m[2]} of pathway ${m[1]}.`);
}

/** A case the caller may read (its provider's), for reporting about it or linking it. */
async function readableCase(u: UnitOfWork, caseId: string) {
  const c = await findCase(u.tx, caseId);
  if (!c) throw notFound(`There is no case ${caseId}.`);
  await u.allow(
    'case.read',
    { providerCode: c.providerCode, areaCode: c.areaCode },
    { type: 'case', id: caseId },
  );
  return c;
}

/**
 * Anyone on the staff reports an incident: about a case (theirs to read; the incident is the case's
 * provider's), a Directory service or a pathway version (the reporter's organisation's). A case or a
 * pathway version it is about is linked at once.
 */
export async function reportIncident(
  ctx: ServiceContext,
  caller: Caller,
  input: {
    readonly about: IncidentRow['about'];
    readonly subject: string;
    readonly title: string;
    readonly description: string;
  },
): Promise<IncidentDetail> {
  return inUseCase(ctx, caller, async (u) => {
    await u.allow('incident.report', {}, incidentRef());
    let providerCode = caller.actor.organisationCode;
    let areaCode: string | null = null;
    if (input.about === 'case') {
      const c = await readableCase(u, input.subject);
      providerCode = c.providerCode;
      areaCode = c.areaCode;
    } else if (input.about === 'pathway_version') {
      await mustBeVersion(u, input.subject, '/body/subject');
    } else {
      const s = await findService(u.tx, input.subject);
      if (!s) throw notFound(`There is no Directory service ${input.subject}.`);
      areaCode = s.areaCode;
    }
    const id = await insertIncident(u.tx, {
      providerCode,
      areaCode,
      about: input.about,
      subject: input.subject,
      title: input.title,
      description: input.description,
      reportedBy: caller.actor.userId,
      at: u.now,
    });
    if (input.about !== 'service')
      await insertLink(u.tx, { incidentId: id, kind: input.about, ref: input.subject, at: u.now });
    await u.audit('create', incidentRef(id), { about: input.about, subject: input.subject });
    return detail(u, id);
  });
}

export async function listIncidentsFor(
  ctx: ServiceContext,
  caller: Caller,
  filter: { readonly status?: IncidentRow['status'] },
): Promise<IncidentView[]> {
  const scope = await listScope(ctx, caller, 'incident.read', incidentRef());
  return inUseCase(ctx, caller, async (u) => {
    const rows = await listIncidents(u.tx, {
      ...scopeFilter(scope),
      ...(filter.status ? { status: filter.status } : {}),
    });
    await u.auditEach(
      'read',
      rows.map((r) => incidentRef(r.id)),
      { via: 'list' },
    );
    return rows.map(incidentView);
  });
}

const incidentRecord = (i: IncidentRow): RecordRef => ({
  providerCode: i.providerCode,
  areaCode: i.areaCode,
});

export async function readIncident(ctx: ServiceContext, caller: Caller, id: number): Promise<IncidentDetail> {
  await listScope(ctx, caller, 'incident.read', incidentRef(id));
  return inUseCase(ctx, caller, async (u) => {
    const i = await findIncident(u.tx, id);
    if (!i) throw notFound(`There is no incident ${id}.`);
    await u.allow('incident.read', incidentRecord(i), incidentRef(id));
    await u.audit('read', incidentRef(id));
    return detail(u, id);
  });
}

/** Loads an incident locked for a change by its governance lead. */
async function changeIncident(
  ctx: ServiceContext,
  caller: Caller,
  id: number,
  change: string,
  work: (i: IncidentRow, u: UnitOfWork) => Promise<Record<string, unknown>>,
): Promise<IncidentDetail> {
  await listScope(ctx, caller, 'incident.manage', incidentRef(id));
  return inUseCase(ctx, caller, async (u) => {
    const i = await findIncident(u.tx, id, { lock: true });
    if (!i) throw notFound(`There is no incident ${id}.`);
    await u.allow('incident.manage', incidentRecord(i), incidentRef(id));
    const auditDetail = await work(i, u);
    await u.audit('update', incidentRef(id), { change, ...auditDetail });
    return detail(u, id);
  });
}

export const gradeIncident = (ctx: ServiceContext, caller: Caller, id: number, grade: IncidentGrade) =>
  changeIncident(ctx, caller, id, 'grade', async (i, u) => {
    const status = decideGrade(i);
    await updateIncident(u.tx, id, { grade, status, graded_by: caller.actor.userId, graded_at: u.now });
    return { grade, was: i.grade };
  });

export const addIncidentAction = (
  ctx: ServiceContext,
  caller: Caller,
  id: number,
  a: { readonly description: string; readonly owner: string; readonly dueOn?: string },
) =>
  changeIncident(ctx, caller, id, 'action', async (i, u) => {
    decideChange(i, 'given actions');
    const actionId = await insertAction(u.tx, {
      incidentId: id,
      description: a.description,
      owner: a.owner,
      dueOn: a.dueOn ?? null,
      at: u.now,
    });
    if (i.status === 'reported') await updateIncident(u.tx, id, { status: 'investigating' });
    return { actionId, owner: a.owner };
  });

export const finishIncidentAction = (
  ctx: ServiceContext,
  caller: Caller,
  id: number,
  actionId: number,
  f: { readonly status: 'done' | 'waived'; readonly note?: string },
) =>
  changeIncident(ctx, caller, id, f.status === 'done' ? 'action done' : 'action waived', async (i, u) => {
    const action = (await incidentActions(u.tx, id)).find((a) => a.id === actionId);
    if (!action) throw notFound(`Incident ${id} has no action ${actionId}.`);
    decideFinishAction(i, action, f.status);
    const note = f.note?.trim() || null;
    if (f.status === 'waived' && !note)
      throw invalid('Say why the action is waived.', [
        { pointer: '/body/note', message: 'A waiver needs a reason.' },
      ]);
    await finishAction(u.tx, actionId, { status: f.status, note, by: caller.actor.userId, at: u.now });
    return { actionId };
  });

export const linkIncident = (
  ctx: ServiceContext,
  caller: Caller,
  id: number,
  link: { readonly kind: 'case' | 'pathway_version'; readonly ref: string },
) =>
  changeIncident(ctx, caller, id, 'link', async (i, u) => {
    decideChange(i, 'linked');
    if (link.kind === 'case') await readableCase(u, link.ref);
    else await mustBeVersion(u, link.ref, '/body/ref');
    await insertLink(u.tx, { incidentId: id, kind: link.kind, ref: link.ref, at: u.now });
    return { kind: link.kind, ref: link.ref };
  });

export const closeIncident = (ctx: ServiceContext, caller: Caller, id: number, reason: string) =>
  changeIncident(ctx, caller, id, 'close', async (i, u) => {
    decideClose(i, await incidentActions(u.tx, id));
    await updateIncident(u.tx, id, {
      status: 'closed',
      close_reason: reason,
      closed_by: caller.actor.userId,
      closed_at: u.now,
    });
    return { reason };
  });

// ---------------------------------------------------------------- the monthly report

/**
 * The monthly governance report of a provider (its own governance lead) or a commissioner (its areas):
 * reviews done and their scores, incidents by grade, missed call-backs, validation outcomes.
 */
export async function governanceReport(
  ctx: ServiceContext,
  caller: Caller,
  input: { readonly month: string; readonly provider?: string; readonly commissioner?: string },
): Promise<GovernanceReport> {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(input.month);
  if (!m)
    throw invalid(`${input.month} is not a month (YYYY-MM).`, [
      { pointer: '/querystring/month', message: 'YYYY-MM' },
    ]);
  const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  const to = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
  const resource = { type: 'governance_report', id: input.month };
  const scope = await listScope(ctx, caller, 'governance_report.read', resource);
  const tree = await ctx.organisations();
  let where: ReportScope;
  let words: string;
  const commissioner =
    input.commissioner ??
    (!input.provider && scope.kind === 'areas' ? caller.actor.organisationCode : undefined);
  if (commissioner) {
    const areas = areasUnder(commissioner, tree);
    if (!areas) throw notFound(`${commissioner} is not a commissioning organisation.`);
    const list = areas === 'all' ? [...tree.regionOfArea.keys()] : [...areas];
    const outside = list.find(
      (a) => scope.kind === 'provider' || (scope.kind === 'areas' && !scope.areaCodes.has(a)),
    );
    if (outside !== undefined || (scope.kind !== 'all' && list.length === 0))
      await authorize(ctx, caller, 'governance_report.read', { areaCode: outside ?? null }, resource);
    where = { areaCodes: list };
    words = `commissioner ${commissioner}`;
  } else {
    const providerCode = input.provider ?? (scope.kind === 'provider' ? scope.providerCode : undefined);
    if (!providerCode)
      throw invalid('Name a provider or a commissioner for the report.', [
        { pointer: '/querystring/provider', message: 'A provider code.' },
      ]);
    await authorize(ctx, caller, 'governance_report.read', { providerCode }, resource);
    where = { providerCode };
    words = `provider ${providerCode}`;
  }
  return inUseCase(ctx, caller, async (u) => {
    const rows = await reportRows(u.tx, where, from, to);
    const byCase = new Map<string, { kind: string; at: Date; body: Record<string, unknown> }[]>();
    for (const e of rows.events) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
    let queued = 0;
    let missed = 0;
    for (const [caseId, events] of byCase) {
      if (!events.some((e) => e.kind === 'callback_queued')) continue;
      queued++;
      const f: CaseFacts = {
        caseId,
        providerCode: '',
        openedAt: from,
        events,
        callOfferedAt: null,
        earlierCallsFromNumber: [],
        laterEmergencies: [],
      };
      if (callbackMissed(f, u.now, { graceMinutes: 0 })) missed++;
    }
    await u.audit('read', { type: 'governance_report', id: `${words}/${input.month}` });
    return buildReport({
      month: input.month,
      scope: words,
      reviews: rows.reviews,
      incidentGrades: rows.incidentGrades,
      callbacks: { queued, missed },
      validationResults: rows.events.filter((e) => e.kind === 'validated').map((e) => e.body.result),
    });
  });
}
