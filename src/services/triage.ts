import { randomUUID } from 'node:crypto';
import { invalid, notFound } from '../domain/errors';
import {
  answersInForce,
  DONT_KNOW,
  decideAnswer,
  decideBack,
  decideFinish,
  type Evidence,
  evaluateEvidence as evaluate,
  evidenceSummary,
  type GivenAnswer,
  labelOfValue,
  type Pathway,
  pathwayAt,
  pathwaysFor,
  pathwayToStart,
  type Question,
  replay,
  type SessionEventDecision,
  type Sex,
  type StepResult,
  searchPathways,
  step,
  type TriageContent,
} from '../domain/triage/index';
import {
  appendTriageEventAudited,
  findTriageSession,
  finishTriageGuarded,
  type StoredTriageEvent,
  type StoredTriageSession,
  TRIAGE_RESOURCE,
  triageSessionInsert,
} from '../store/triage';
import type { ServiceContext } from './context';
import { contentInForce } from './pathway-content';
import { heldSessionsOf } from './triage-held';
import {
  auditEntry,
  authorize,
  type Caller,
  DECIDE_ATTEMPTS,
  type Decisions,
  inOneStatement,
  keptChanging,
} from './use-case';

/**
 * Triage runs on the pathway versions in force (pathway change control, src/services/governance.ts):
 * a session starts on the versions in force at its start and replays on them ever after.
 *
 * Triage: pathways are shared content any clinical member of staff may read; a session is a patient
 * record of the provider whose staff started it, read, answered, taken back and finished only by that
 * provider's staff. Every change runs one path: load the session → ask the policy → decide with the
 * pure engine → append → audit. An answer or a going back does it without a lock, in one statement that
 * holds only if the session is as it was read; finishing locks the session in a transaction.
 */

/** What triage sessions are called on the audit trail. */
const sessionRef = (id?: string) => ({ type: TRIAGE_RESOURCE, ...(id ? { id } : {}) });
const pathwayRef = (id?: string) => ({ type: 'pathway', ...(id ? { id } : {}) });

export interface Patient {
  readonly ageYears: number;
  readonly sex: Sex;
}

export interface TriageQuestionView {
  readonly pathwayId: string;
  readonly id: string;
  readonly type: Question['type'];
  readonly text: string;
  readonly rationale: string;
  readonly finding: string;
  readonly options: { readonly value: string; readonly label: string }[];
  /** The answer "don't know", which every question takes (it follows the question's cautious path). */
  readonly dontKnow: { readonly value: string; readonly label: string };
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
}

/** The session as the console and integrations see it: answers in force, the next question or the outcome. */
export interface TriageSessionView {
  readonly id: string;
  readonly status: 'in_progress' | 'finished';
  readonly contentVersion: string;
  readonly pathway: {
    readonly id: string;
    readonly version: number;
    readonly title: string;
    readonly symptomGroup: string;
  };
  readonly module0Version: number;
  readonly patient: Patient;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly finishedAt: string | null;
  readonly finishedBy: string | null;
  readonly answers: {
    readonly seq: number;
    readonly pathwayId: string;
    readonly questionId: string;
    readonly question: string;
    readonly finding: string;
    readonly value: string | number;
    readonly label: string;
    readonly at: string;
    readonly answeredBy: string;
  }[];
  /** Every question shown, in order, replayed from the stored events (going back included). */
  readonly shown: string[];
  readonly next: TriageQuestionView | null;
  readonly outcome: {
    readonly disposition: {
      readonly code: string;
      readonly title: string;
      readonly group: string;
      readonly urgencyRank: number;
      readonly timeframeMinutes: number | null;
      /** The timeframe in words, as the disposition defines it ("within 3 working days"). */
      readonly timeframe: string;
      readonly ambulanceCategory: number | null;
    };
    readonly endedIn: string;
    readonly discriminators: string[];
    readonly report: string[];
    readonly careAdvice: string[];
  } | null;
  readonly history: {
    readonly seq: number;
    readonly kind: 'answer' | 'back';
    readonly questionId?: string;
    readonly value?: string | number;
    readonly keep?: number;
    readonly at: string;
    readonly by: string;
  }[];
}

function questionView(content: TriageContent, pathwayId: string, q: Question): TriageQuestionView {
  const finding = content.findings.get(q.finding);
  const base = {
    pathwayId,
    id: q.id,
    type: q.type,
    text: q.text,
    rationale: q.rationale,
    finding: q.finding,
    dontKnow: { value: DONT_KNOW, label: labelOfValue(q, DONT_KNOW) },
  };
  if (q.type === 'yes_no')
    return {
      ...base,
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
      ],
    };
  if (q.type === 'choice') return { ...base, options: [...q.options] };
  return {
    ...base,
    options: [],
    unit: q.unit,
    ...(finding?.kind === 'number' ? { min: finding.min, max: finding.max } : {}),
  };
}

const inputOf = (s: StoredTriageSession) => ({
  pathwayId: s.pathwayId,
  pathwayVersion: s.pathwayVersion,
  module0Version: s.module0Version,
});

function sessionView(content: TriageContent, s: StoredTriageSession): TriageSessionView {
  const pathway = pathwayAt(content, s.pathwayId, s.pathwayVersion);
  const module0 = pathwayAt(content, content.module0.id, s.module0Version);
  const inForce = answersInForce(s.events);
  const result = step(content, { ...inputOf(s), answers: inForce });
  const questionOf = (pathwayId: string, id: string) =>
    (pathwayId === module0.id ? module0 : pathway).questions.get(id);
  return {
    id: s.id,
    status: s.status,
    contentVersion: s.contentVersion,
    pathway: {
      id: pathway.id,
      version: pathway.version,
      title: pathway.title,
      symptomGroup: pathway.symptomGroup,
    },
    module0Version: s.module0Version,
    patient: { ageYears: s.patient.ageYears, sex: s.patient.sex },
    createdAt: s.createdAt.toISOString(),
    createdBy: s.createdBy,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    finishedBy: s.finishedBy,
    answers: inForce.map((a) => {
      const q = questionOf(a.pathwayId, a.questionId);
      return {
        seq: a.seq,
        pathwayId: a.pathwayId,
        questionId: a.questionId,
        question: q?.text ?? a.questionId,
        finding: q?.finding ?? '',
        value: a.value,
        label: labelOfValue(q, a.value),
        at: a.at.toISOString(),
        answeredBy: a.actor,
      };
    }),
    shown: [...replay(content, inputOf(s), s.events).shown],
    next: result.kind === 'question' ? questionView(content, result.pathwayId, result.question) : null,
    outcome:
      result.kind === 'disposition'
        ? {
            disposition: {
              code: result.disposition.code,
              title: result.disposition.title,
              group: result.disposition.group,
              urgencyRank: result.disposition.urgencyRank,
              timeframeMinutes: result.disposition.timeframeMinutes,
              timeframe: result.disposition.timeframe,
              ambulanceCategory: result.disposition.ambulanceCategory,
            },
            endedIn: result.endedIn,
            discriminators: [...result.discriminators],
            report: [...result.report],
            careAdvice: [...result.careAdvice],
          }
        : null,
    history: s.events.map((e) =>
      e.kind === 'answer'
        ? {
            seq: e.seq,
            kind: e.kind,
            questionId: `${e.pathwayId}/${e.questionId}`,
            value: e.value,
            at: e.at.toISOString(),
            by: e.actor,
          }
        : { seq: e.seq, kind: e.kind, keep: e.keep, at: e.at.toISOString(), by: e.actor },
    ),
  };
}

// ---- Pathways: shared content ------------------------------------------------------------------------

export interface PathwaySearch {
  /** The caller's words; without them every pathway that fits the patient is listed. */
  readonly q?: string;
  readonly age?: number;
  readonly sex?: Sex;
}

export interface PathwayHit {
  readonly id: string;
  readonly title: string;
  readonly symptomGroup: string;
  readonly version: number;
  readonly status: Pathway['status'];
  /** The keywords the caller's words matched. */
  readonly matched: string[];
}

/** Pathways for the caller's words (symptoms and synonyms), for the patient's age and sex. */
export async function findPathways(
  ctx: ServiceContext,
  caller: Caller,
  search: PathwaySearch,
): Promise<PathwayHit[]> {
  await authorize(ctx, caller, 'pathway.read', {}, pathwayRef());
  const c = await contentInForce(ctx);
  const patient = {
    ...(search.age !== undefined ? { ageYears: search.age } : {}),
    ...(search.sex ? { sex: search.sex } : {}),
  };
  const found = search.q?.trim()
    ? searchPathways(c, search.q, patient).map((m) => ({ pathway: m.pathway, matched: [...m.matched] }))
    : pathwaysFor(c, patient).map((pathway) => ({ pathway, matched: [] }));
  return found.map(({ pathway, matched }) => ({
    id: pathway.id,
    title: pathway.title,
    symptomGroup: pathway.symptomGroup,
    version: pathway.version,
    status: pathway.status,
    matched,
  }));
}

export interface PathwayFilter {
  readonly id?: string;
  /** Part of the title, in any case. */
  readonly title?: string;
  readonly symptomGroup?: string;
  readonly limit?: number;
}

/** Module 0 and the current pathways matching a filter, with the content they are read from. */
export async function listPathways(
  ctx: ServiceContext,
  caller: Caller,
  filter: PathwayFilter,
): Promise<{ content: TriageContent; pathways: readonly Pathway[]; total: number }> {
  await authorize(ctx, caller, 'pathway.read', {}, pathwayRef());
  const content = await contentInForce(ctx);
  const title = filter.title?.toLowerCase();
  const all = [content.module0, ...content.current.values()].filter(
    (pw) =>
      (!filter.id || pw.id === filter.id) &&
      (!title || pw.title.toLowerCase().includes(title)) &&
      (!filter.symptomGroup || pw.symptomGroup === filter.symptomGroup),
  );
  return { content, pathways: all.slice(0, filter.limit ?? 100), total: all.length };
}

function currentPathway(content: TriageContent, id: string): Pathway {
  const pw = id === content.module0.id ? content.module0 : content.current.get(id);
  if (!pw) throw notFound(`There is no pathway "${id}".`);
  return pw;
}

/** One pathway (or module 0) at its current version, with the content it is read from. */
export async function readPathway(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
): Promise<{ content: TriageContent; pathway: Pathway }> {
  await authorize(ctx, caller, 'pathway.read', {}, pathwayRef(id));
  const content = await contentInForce(ctx);
  return { content, pathway: currentPathway(content, id) };
}

export interface NextQuestion {
  readonly content: TriageContent;
  readonly pathway: Pathway;
  /** The answers given, each with the question it answers. */
  readonly answered: readonly (GivenAnswer & { readonly question: Question })[];
  /** The next question, or the disposition. */
  readonly result: StepResult;
}

/**
 * Adaptive triage without a session: the answers so far in, the next question or the disposition out.
 * Nothing is stored; it reads pathway content only.
 */
/** Refuses (and audits) a caller who may not read triage content: `$validate` asks this before anything. */
export async function mayReadPathways(ctx: ServiceContext, caller: Caller): Promise<void> {
  await authorize(ctx, caller, 'pathway.read', {}, pathwayRef());
}

export async function nextQuestion(
  ctx: ServiceContext,
  caller: Caller,
  pathwayId: string,
  answers: readonly GivenAnswer[],
): Promise<NextQuestion> {
  await authorize(ctx, caller, 'pathway.read', {}, pathwayRef(pathwayId));
  const content = await contentInForce(ctx);
  const pathway = currentPathway(content, pathwayId);
  if (pathway.kind === 'module0')
    throw invalid('Module 0 runs before every pathway: ask for a symptom pathway’s next question.');
  const answered = answers.map((a, i) => {
    const of =
      a.pathwayId === content.module0.id ? content.module0 : a.pathwayId === pathway.id ? pathway : null;
    const question = of?.questions.get(a.questionId);
    if (!question)
      throw invalid(
        `Answer ${i + 1}: ${a.pathwayId}.${a.questionId} is not a question of ${pathway.id} or module 0.`,
        [{ pointer: `/item/${i}/linkId`, message: 'not a question of this pathway or module 0' }],
      );
    return { ...a, question };
  });
  const result = step(content, {
    pathwayId: pathway.id,
    pathwayVersion: pathway.version,
    module0Version: content.module0.version,
    answers,
  });
  return { content, pathway, answered, result };
}

/** Evidence mode: the pathway chosen and answered from what is known; silent findings take the safe default. */
export async function evaluateEvidence(ctx: ServiceContext, caller: Caller, evidence: Evidence) {
  await authorize(ctx, caller, 'pathway.read', {}, pathwayRef());
  return evidenceSummary(evaluate(await contentInForce(ctx), evidence));
}

// ---- Sessions: patient records of one provider -------------------------------------------------------

/**
 * The session as it now stands, shown to the caller: an audited read. A change passes the session it
 * computed (what it read, with what it wrote applied), so nothing is read back after the write.
 */
async function shownSession(
  u: Decisions,
  content: TriageContent,
  s: StoredTriageSession,
): Promise<TriageSessionView> {
  await u.audit('read', sessionRef(s.id));
  return sessionView(content, s);
}

/** Starts a session for the caller's provider on a pathway that fits the patient; module 0 comes first. */
export async function startTriage(
  ctx: ServiceContext,
  caller: Caller,
  input: { readonly pathwayId: string; readonly patient: Patient },
): Promise<TriageSessionView> {
  const content = await contentInForce(ctx);
  let started: StoredTriageSession | undefined;
  const view = await inOneStatement(ctx, caller, async (u) => {
    // The session will belong to the caller's own provider: that is what starting one needs.
    await u.allow('triage_session.start', { providerCode: caller.actor.organisationCode }, sessionRef());
    const pathway = pathwayToStart(content, input.pathwayId, input.patient);
    const id = randomUUID();
    u.later(
      triageSessionInsert(
        u.db,
        {
          id,
          pathwayId: pathway.id,
          pathwayVersion: pathway.version,
          module0Version: content.module0.version,
          contentVersion: content.version,
          patient: input.patient,
        },
        u.now,
        caller.actor.userId,
      ),
    );
    await u.audit('create', sessionRef(id), { pathway: `${pathway.id}@${pathway.version}` });
    started = {
      id,
      pathwayId: pathway.id,
      pathwayVersion: pathway.version,
      module0Version: content.module0.version,
      contentVersion: content.version,
      patient: { ageYears: input.patient.ageYears, sex: input.patient.sex },
      status: 'in_progress',
      dispositionCode: null,
      createdAt: u.now,
      createdBy: caller.actor.username,
      createdByOrganisation: caller.actor.organisationCode,
      finishedAt: null,
      finishedBy: null,
      events: [],
    };
    return shownSession(u, content, started);
  });
  // Held once it is written: the first answer then needs no read.
  if (started) heldSessionsOf(ctx.store).set(started.id, started);
  return view;
}

/** A session: its answers, and the next question or the disposition. The read is audited. */
export async function readTriage(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
): Promise<TriageSessionView> {
  const content = await contentInForce(ctx);
  return inOneStatement(ctx, caller, async (u) => {
    const s = await findTriageSession(u.db, id);
    if (!s) throw notFound(`There is no triage session ${id}.`);
    await u.allow('triage_session.read', { providerCode: s.createdByOrganisation }, sessionRef(id));
    await u.audit('read', sessionRef(id));
    if (s.status === 'in_progress') heldSessionsOf(ctx.store).set(id, s);
    return sessionView(content, s);
  });
}

/**
 * A change to a session decided on the session as it stands, without a transaction or a lock: the
 * session is read, the policy asked, the engine decides, and `write` sends the change with its audit
 * rows in one statement that holds only if the session is as decided on (store/triage.ts). A change
 * that got in first (a second screen answering the same question) is then read and decided on, as if
 * this one had waited for a lock. The first try decides on the session as this node last saw it, when
 * it holds one (triage-held.ts): one statement a change, not two. Whatever the held session says,
 * nothing is refused on its word: a decision it fails is decided again on the session read afresh.
 */
async function changeSession<D>(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  decide: (s: StoredTriageSession) => D,
  write: (s: StoredTriageSession, decided: D, now: Date) => Promise<boolean>,
): Promise<{ readonly s: StoredTriageSession; readonly decided: D; readonly now: Date }> {
  const held = heldSessionsOf(ctx.store);
  // Tries on the session read afresh, and in all (a held one that was out of date is not a lost race).
  for (let fresh = 0, tries = 1; ; tries++) {
    const now = ctx.now();
    const kept = held.get(id);
    held.delete(id);
    if (!kept) fresh += 1;
    const s = kept ?? (await findTriageSession(ctx.store.db, id));
    if (!s) throw notFound(`There is no triage session ${id}.`);
    await authorize(
      ctx,
      caller,
      'triage_session.answer',
      { providerCode: s.createdByOrganisation },
      sessionRef(id),
    );
    let decided: D;
    try {
      decided = decide(s);
    } catch (err) {
      if (kept) continue; // perhaps only out of date: decide on what the database holds
      throw err;
    }
    if (await write(s, decided, now)) return { s, decided, now };
    if (fresh === DECIDE_ATTEMPTS || tries === 2 * DECIDE_ATTEMPTS)
      throw keptChanging(`Triage session ${id}`);
  }
}

/** A change that appends one event to a session (an answer, a going back); the session is then held. */
async function appendToSession(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  decide: (content: TriageContent, s: StoredTriageSession) => SessionEventDecision,
): Promise<TriageSessionView> {
  const content = await contentInForce(ctx);
  const ref = sessionRef(id);
  const seqAfter = (s: StoredTriageSession) => (s.events.at(-1)?.seq ?? 0) + 1;
  const { s, decided, now } = await changeSession(
    ctx,
    caller,
    id,
    (s) => decide(content, s),
    (s, d, now) =>
      appendTriageEventAudited(ctx.store.db, id, seqAfter(s), d.event, now, caller.actor.userId, [
        auditEntry(caller, 'update', ref, d.detail),
        auditEntry(caller, 'read', ref),
      ]),
  );
  const stored: StoredTriageEvent = {
    ...decided.event,
    seq: seqAfter(s),
    at: now,
    actor: caller.actor.username,
  };
  const after = { ...s, events: [...s.events, stored] };
  heldSessionsOf(ctx.store).set(id, after);
  return sessionView(content, after);
}

/** Answers the question being asked. */
export async function answerTriage(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  answer: GivenAnswer,
): Promise<TriageSessionView> {
  return appendToSession(ctx, caller, id, (content, s) => decideAnswer(content, s, answer));
}

/** Goes back to the last question, or a named one: later answers stop counting (they stay in the history). */
export async function goBack(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  target: { readonly pathwayId?: string; readonly questionId?: string },
): Promise<TriageSessionView> {
  return appendToSession(ctx, caller, id, (_content, s) => decideBack(s, target));
}

/** Finishes the triage with its disposition; the session is then read-only (and no longer held). */
export async function finishTriage(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
): Promise<TriageSessionView> {
  const content = await contentInForce(ctx);
  const ref = sessionRef(id);
  const { s, decided, now } = await changeSession(
    ctx,
    caller,
    id,
    (s) => decideFinish(content, s),
    (s, finish, now) =>
      finishTriageGuarded(
        ctx.store.db,
        id,
        s.events.at(-1)?.seq ?? 0,
        finish.dispositionCode,
        now,
        caller.actor.userId,
        [auditEntry(caller, 'update', ref, finish.detail), auditEntry(caller, 'read', ref)],
      ),
  );
  return sessionView(content, {
    ...s,
    status: 'finished',
    dispositionCode: decided.dispositionCode,
    finishedAt: now,
    finishedBy: caller.actor.username,
  });
}

/** The triage content in force (every released version kept, for replaying sessions on their own). */
export async function triageContentInForce(ctx: ServiceContext) {
  return contentInForce(ctx);
}
