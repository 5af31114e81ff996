import type { DispositionCatalogue } from '../dispositions/index';
import { type FieldProblem, invalid } from '../errors';
import { outcomesOf } from './engine';
import {
  type AgeBand,
  type AnswerValue,
  type CodedConcept,
  DONT_KNOW,
  type Finding,
  type NumberBand,
  type Outcome,
  type Pathway,
  type Question,
  type Target,
  type TriageContent,
} from './types';

/** The triage content as read from files, before validation. */
export interface RawTriageContent {
  /** Parsed findings.yaml. */
  readonly findings: unknown;
  /** Parsed triage-codes.yaml (symptom groups and discriminators). */
  readonly codes: unknown;
  /** Each parsed pathway file with the sha256 of its text. */
  readonly pathways: readonly { readonly file: string; readonly hash: string; readonly doc: unknown }[];
  /** Approved pathways recorded so far: `id@version` → sha256. An approved pathway may not change. */
  readonly approvals: ReadonlyMap<string, string>;
  readonly dispositions: DispositionCatalogue;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const ID = /^[a-z0-9][a-z0-9_-]*$/;

class Problems {
  readonly list: FieldProblem[] = [];
  add(pointer: string, message: string, rule?: string): void {
    this.list.push(rule ? { pointer, message, rule } : { pointer, message });
  }
}

function readFindings(raw: unknown, p: Problems): Map<string, Finding> {
  const out = new Map<string, Finding>();
  const list = isObj(raw) ? raw.findings : undefined;
  if (!Array.isArray(list)) {
    p.add('findings', 'expected a "findings" list', 'findings-list');
    return out;
  }
  for (const [i, e] of (list as unknown[]).entries()) {
    const where = `findings[${i}]${isObj(e) && str(e.code) ? ` (${e.code})` : ''}`;
    if (!isObj(e)) {
      p.add(where, 'expected an object');
      continue;
    }
    const code = str(e.code);
    const label = str(e.label);
    if (!code || !ID.test(code)) {
      p.add(where, 'code must be lower-case letters, digits, _ or -');
      continue;
    }
    if (out.has(code)) {
      p.add(where, 'duplicate finding code', 'unique-finding');
      continue;
    }
    if (!label) {
      p.add(where, 'label is required');
      continue;
    }
    const synonyms = Array.isArray(e.synonyms)
      ? e.synonyms.filter((s): s is string => typeof s === 'string')
      : [];
    const snomed = e.snomed === undefined || e.snomed === null ? null : String(e.snomed);
    if (snomed !== null && !/^\d{6,18}$/.test(snomed)) {
      p.add(where, 'snomed must be a SNOMED CT id (digits)');
      continue;
    }
    const base = { code, label, synonyms, snomed };
    if (e.kind === 'boolean') out.set(code, { ...base, kind: 'boolean' });
    else if (e.kind === 'number') {
      const unit = str(e.unit);
      const min = num(e.min);
      const max = num(e.max);
      if (!unit || min === undefined || max === undefined || min >= max) {
        p.add(where, 'a number finding needs unit, min and max (min < max)');
        continue;
      }
      out.set(code, { ...base, kind: 'number', unit, min, max });
    } else if (e.kind === 'choice') {
      const options = Array.isArray(e.options) ? e.options : [];
      const read = options
        .filter(isObj)
        .map((o) => ({ value: str(o.value) ?? '', label: str(o.label) ?? '' }))
        .filter((o) => o.value && o.label);
      if (read.some((o) => o.value === DONT_KNOW)) {
        p.add(where, `"${DONT_KNOW}" is the answer every question takes; it cannot be an option`);
        continue;
      }
      if (
        read.length < 2 ||
        read.length !== options.length ||
        new Set(read.map((o) => o.value)).size !== read.length
      ) {
        p.add(where, 'a choice finding needs two or more options, each with a unique value and a label');
        continue;
      }
      out.set(code, { ...base, kind: 'choice', options: read });
    } else p.add(where, 'kind must be boolean, number or choice');
  }
  return out;
}

function readCodes(raw: unknown, key: string, pattern: RegExp, p: Problems): Map<string, CodedConcept> {
  const out = new Map<string, CodedConcept>();
  const list = isObj(raw) ? raw[key] : undefined;
  if (!Array.isArray(list)) {
    p.add(key, `expected a "${key}" list`);
    return out;
  }
  for (const [i, e] of (list as unknown[]).entries()) {
    const where = `${key}[${i}]`;
    if (!isObj(e)) {
      p.add(where, 'expected an object');
      continue;
    }
    const code = str(e.code);
    const title = str(e.title);
    if (!code || !pattern.test(code)) {
      p.add(where, `code must match ${pattern}`);
      continue;
    }
    if (out.has(code)) {
      p.add(where, `duplicate code ${code}`);
      continue;
    }
    if (!title) {
      p.add(where, 'title is required');
      continue;
    }
    out.set(code, { code, title, demonstration: e.demonstration === true });
  }
  return out;
}

interface Refs {
  /**
   * Where text that YAML split goes: reported for the versions new sessions can start on and for drafts,
   * not for superseded approved versions, which stay exactly as they were approved so old sessions replay.
   */
  readonly split?: Problems;
  readonly findings: ReadonlyMap<string, Finding>;
  readonly dispositions: DispositionCatalogue;
  readonly discriminators: ReadonlyMap<string, CodedConcept>;
  readonly symptomGroups: ReadonlyMap<string, CodedConcept>;
}

/** The fields an outcome (an answer, a range or dont_know) may have. */
const OUTCOME_FIELDS = new Set(['next', 'dx', 'continue', 'sd', 'report', 'advice', 'from', 'below']);

/**
 * Report and advice lines must be one piece of text. In a YAML flow mapping an unquoted comma ends the
 * value, so `{ advice: If not allergic, chew one aspirin }` reads as advice "If not allergic" plus a field
 * named "chew one aspirin": any field an outcome does not have, and any list or fragment where text was
 * meant, is rejected with the text that was cut off.
 */
function checkOutcomeText(raw: Obj, where: string, p: Problems): void {
  for (const [key, value] of Object.entries(raw)) {
    if (OUTCOME_FIELDS.has(key)) continue;
    p.add(
      where,
      value === null || value === undefined
        ? `text split by YAML: "${key}" is a fragment cut off at a comma (quote the whole line)`
        : `unknown field "${key}" (an answer has next, dx, continue, sd, report and advice)`,
      'text-not-split',
    );
  }
  for (const key of ['report', 'advice'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.trim() === '')
      p.add(
        where,
        `${key} must be one line of text, not ${Array.isArray(v) ? 'a list' : typeof v}`,
        'text-not-split',
      );
  }
}

function readOutcome(raw: unknown, where: string, refs: Refs, p: Problems): Outcome | undefined {
  if (!isObj(raw)) {
    p.add(where, 'dead end: the answer leads nowhere (give next, dx or continue)', 'no-dead-ends');
    return undefined;
  }
  checkOutcomeText(raw, where, refs.split ?? p);
  const targets = [raw.next !== undefined, raw.dx !== undefined, raw.continue !== undefined].filter(Boolean);
  if (targets.length !== 1) {
    p.add(where, 'dead end: the answer must lead to exactly one of next, dx or continue', 'no-dead-ends');
    return undefined;
  }
  let target: Target;
  if (raw.next !== undefined) {
    const q = str(raw.next);
    if (!q) return void p.add(where, 'next must name a question');
    target = { kind: 'question', questionId: q };
  } else if (raw.dx !== undefined) {
    const code = str(raw.dx);
    if (!code || !refs.dispositions.byCode.has(code)) {
      p.add(
        where,
        `dangling reference: disposition ${String(raw.dx)} is not in the catalogue`,
        'known-disposition',
      );
      return undefined;
    }
    target = { kind: 'disposition', code };
  } else {
    if (raw.continue !== true) return void p.add(where, 'continue must be true');
    target = { kind: 'continue' };
  }
  const sd = raw.sd === undefined ? null : str(raw.sd);
  if (sd === undefined || (sd !== null && !refs.discriminators.has(sd))) {
    p.add(
      where,
      `dangling reference: symptom discriminator ${String(raw.sd)} is not known`,
      'known-discriminator',
    );
    return undefined;
  }
  const report = raw.report === undefined ? null : (str(raw.report) ?? null);
  const advice = raw.advice === undefined ? null : (str(raw.advice) ?? null);
  return { target, sd, report, advice };
}

const fmt = (n: number | null, inf: string) => (n === null ? inf : String(n));

/** Numeric bands must cover −∞..+∞ exactly once: sorted, touching, neither gap nor overlap. */
function checkBands(bands: NumberBand[], where: string, p: Problems): void {
  const sorted = [...bands].sort(
    (a, b) => (a.from ?? Number.NEGATIVE_INFINITY) - (b.from ?? Number.NEGATIVE_INFINITY),
  );
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) {
    p.add(where, 'a number question needs answer ranges', 'ranges-cover-line');
    return;
  }
  if (first.from !== null)
    p.add(where, `range gap: nothing covers values below ${first.from}`, 'ranges-cover-line');
  if (last.below !== null)
    p.add(where, `range gap: nothing covers values from ${last.below} up`, 'ranges-cover-line');
  for (const b of sorted) {
    if (b.from !== null && b.below !== null && b.from >= b.below)
      p.add(where, `range ${b.from}–${b.below} is empty`, 'ranges-cover-line');
  }
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as NumberBand;
    const b = sorted[i] as NumberBand;
    const aEnd = a.below ?? Number.POSITIVE_INFINITY;
    const bStart = b.from ?? Number.NEGATIVE_INFINITY;
    if (aEnd < bStart)
      p.add(
        where,
        `range gap: nothing covers ${fmt(a.below, '+∞')} up to ${fmt(b.from, '−∞')}`,
        'ranges-cover-line',
      );
    else if (aEnd > bStart)
      p.add(
        where,
        `range overlap: ${fmt(a.from, '−∞')}–${fmt(a.below, '+∞')} and ${fmt(b.from, '−∞')}–${fmt(b.below, '+∞')} overlap`,
        'ranges-cover-line',
      );
  }
  bands.splice(0, bands.length, ...sorted);
}

function readQuestion(
  raw: unknown,
  where: string,
  isModule0: boolean,
  refs: Refs,
  p: Problems,
): Question | undefined {
  if (!isObj(raw)) return void p.add(where, 'expected an object');
  const id = str(raw.id);
  if (!id || !ID.test(id)) return void p.add(where, 'id must be lower-case letters, digits, _ or -');
  const at = `${where.replace(/questions\[\d+\]$/, '')}question ${id}`;
  const findingCode = str(raw.finding);
  const finding = findingCode ? refs.findings.get(findingCode) : undefined;
  if (!finding)
    return void p.add(
      at,
      `dangling reference: finding ${String(raw.finding)} is not in findings.yaml`,
      'known-finding',
    );
  const text = str(raw.text);
  const rationale = str(raw.rationale);
  if (!text) return void p.add(at, 'text is required');
  if (!rationale) return void p.add(at, 'rationale is required: say why the question is asked');
  const checkTarget = (o: Outcome | undefined, w: string) => {
    if (o && o.target.kind === 'continue' && !isModule0)
      p.add(w, 'only module 0 may continue to a pathway', 'module0-precedes');
    return o;
  };
  const dontKnow =
    raw.dont_know === undefined
      ? null
      : (checkTarget(readOutcome(raw.dont_know, `${at} / answer ${DONT_KNOW}`, refs, p), at) ?? null);
  const base = { id, finding: finding.code, text, rationale, dontKnow };
  if (finding.kind === 'number') {
    if (!Array.isArray(raw.ranges))
      return void p.add(at, 'a number question needs "ranges"', 'ranges-cover-line');
    const bands: NumberBand[] = [];
    for (const [i, r] of (raw.ranges as unknown[]).entries()) {
      const w = `${at} / range ${i + 1}`;
      if (!isObj(r)) {
        p.add(w, 'expected an object');
        continue;
      }
      const from = r.from === undefined || r.from === null ? null : num(r.from);
      const below = r.below === undefined || r.below === null ? null : num(r.below);
      if (from === undefined || below === undefined) {
        p.add(w, 'from and below must be numbers or absent');
        continue;
      }
      const o = checkTarget(readOutcome(r, w, refs, p), w);
      if (o) bands.push({ ...o, from, below });
    }
    checkBands(bands, at, p);
    const safe = num(raw.safe_default);
    if (safe === undefined) p.add(at, 'safe_default must be a number', 'safe-default');
    return { ...base, type: 'number', unit: finding.unit, bands, safeDefault: safe ?? 0 };
  }
  if (!isObj(raw.answers)) return void p.add(at, 'dead end: the question has no answers', 'no-dead-ends');
  const values = finding.kind === 'boolean' ? ['yes', 'no'] : finding.options.map((o) => o.value);
  const answers = new Map<string, Outcome>();
  for (const key of Object.keys(raw.answers)) {
    if (key === DONT_KNOW)
      p.add(`${at} / answer ${key}`, `"${DONT_KNOW}" is given as the question's own dont_know: field`);
    else if (!values.includes(key))
      p.add(`${at} / answer ${key}`, `"${key}" is not an answer to this question (${values.join(', ')})`);
  }
  for (const v of values) {
    const w = `${at} / answer ${v}`;
    if (!(v in raw.answers)) {
      p.add(w, `dead end: no outcome for the answer "${v}"`, 'no-dead-ends');
      continue;
    }
    const o = checkTarget(readOutcome(raw.answers[v], w, refs, p), w);
    if (o) answers.set(v, o);
  }
  const safe: AnswerValue | undefined =
    raw.safe_default === true ? 'yes' : raw.safe_default === false ? 'no' : str(raw.safe_default);
  if (safe === undefined || !values.includes(String(safe)))
    p.add(at, `safe_default must be one of ${values.join(', ')}`, 'safe-default');
  const safeDefault = safe ?? values[0] ?? '';
  if (finding.kind === 'boolean') return { ...base, type: 'yes_no', answers, safeDefault };
  return { ...base, type: 'choice', answers, options: finding.options, safeDefault };
}

function readAge(raw: unknown): AgeBand | undefined {
  if (!isObj(raw)) return undefined;
  const min = num(raw.min_years);
  const max = num(raw.max_years);
  if (min === undefined || max === undefined || min < 0 || max <= min) return undefined;
  return { minYears: min, maxYears: max };
}

function readPathway(file: string, hash: string, raw: unknown, refs: Refs, p: Problems): Pathway | undefined {
  if (!isObj(raw)) return void p.add(file, 'expected a pathway document');
  const id = str(raw.id);
  if (!id || !ID.test(id)) return void p.add(file, 'id must be lower-case letters, digits, _ or -');
  const version = raw.version;
  if (!Number.isInteger(version) || (version as number) < 1)
    return void p.add(`pathway ${id}`, 'version must be a whole number ≥ 1');
  const where = `pathway ${id}@${version}`;
  const kind =
    raw.kind === 'module0'
      ? 'module0'
      : raw.kind === undefined || raw.kind === 'pathway'
        ? 'pathway'
        : undefined;
  if (!kind) return void p.add(where, 'kind must be module0 or pathway');
  const title = str(raw.title);
  if (!title) return void p.add(where, 'title is required');
  const sg = str(raw.symptom_group);
  if (!sg || !refs.symptomGroups.has(sg))
    return void p.add(
      where,
      `dangling reference: symptom group ${String(raw.symptom_group)} is not known`,
      'known-symptom-group',
    );
  const sex = raw.sex === undefined ? 'any' : raw.sex;
  if (sex !== 'any' && sex !== 'female' && sex !== 'male')
    return void p.add(where, 'sex must be any, female or male');
  const age = readAge(raw.age);
  if (!age) return void p.add(where, 'age needs min_years < max_years (years, max exclusive)');
  const status = raw.status;
  if (status !== 'draft' && status !== 'approved')
    return void p.add(where, 'status must be draft or approved');
  const approvedBy = str(raw.approved_by) ?? null;
  const approvedAt =
    raw.approved_at instanceof Date
      ? raw.approved_at.toISOString().slice(0, 10)
      : (str(raw.approved_at) ?? null);
  if (status === 'approved' && (!approvedBy || !approvedAt))
    p.add(
      where,
      'an approved pathway names who approved it (approved_by) and when (approved_at)',
      'approval-recorded',
    );
  const keywords = Array.isArray(raw.keywords)
    ? raw.keywords.filter((k): k is string => typeof k === 'string')
    : [];
  if (kind === 'pathway' && keywords.length === 0)
    p.add(where, 'keywords are needed so the pathway can be found');
  const start = str(raw.start);
  if (!Array.isArray(raw.questions) || raw.questions.length === 0)
    return void p.add(where, 'a pathway needs questions', 'no-dead-ends');
  const questions = new Map<string, Question>();
  const order: string[] = [];
  for (const [i, q] of (raw.questions as unknown[]).entries()) {
    const read = readQuestion(q, `${where} / questions[${i}]`, kind === 'module0', refs, p);
    if (!read) continue;
    if (questions.has(read.id)) {
      p.add(`${where} / question ${read.id}`, 'duplicate question id');
      continue;
    }
    questions.set(read.id, read);
    order.push(read.id);
  }
  if (!start || !questions.has(start)) {
    p.add(where, `dangling reference: start question ${String(raw.start)} does not exist`, 'no-dangling');
    return undefined;
  }
  return {
    id,
    title,
    kind,
    symptomGroup: sg,
    sex,
    age,
    version: version as number,
    status,
    approvedBy,
    approvedAt,
    keywords,
    start,
    questions,
    order,
    hash,
  };
}

const targetsOf = outcomesOf;

const answerLabel = (q: Question, o: Outcome): string => {
  if (q.type === 'number') {
    const b = o as NumberBand;
    return `${fmt(b.from, '−∞')}–${fmt(b.below, '+∞')}`;
  }
  for (const [k, v] of q.answers) if (v === o) return k;
  return '?';
};

/** The shortest route from the start to each reachable question, e.g. `start → (no) → q2`. */
export function routesFrom(pw: Pathway): Map<string, string> {
  const route = new Map<string, string>([[pw.start, pw.start]]);
  const queue = [pw.start];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const q = pw.questions.get(id);
    for (const o of q ? targetsOf(q) : []) {
      if (o.target.kind !== 'question') continue;
      const next = o.target.questionId;
      if (!pw.questions.has(next) || route.has(next)) continue;
      route.set(next, `${route.get(id)} → (${answerLabel(q as Question, o)}) → ${next}`);
      queue.push(next);
    }
  }
  return route;
}

/**
 * The graph rules: every `next` exists, no cycle, every question reachable from the start; with every
 * answer leading somewhere, every path from the start then ends in a disposition (or module 0's continue).
 * Errors name the pathway, the node and the path that reaches it.
 */
export function checkPathwayGraph(pw: Pathway): FieldProblem[] {
  const p = new Problems();
  const where = `pathway ${pw.id}@${pw.version}`;
  // Breadth-first from the start: the shortest path to each question, for error messages.
  const pathTo = new Map<string, string[]>([[pw.start, [pw.start]]]);
  const queue = [pw.start];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const q = pw.questions.get(id);
    if (!q) continue;
    for (const o of targetsOf(q)) {
      if (o.target.kind !== 'question') continue;
      const next = o.target.questionId;
      const route = `${(pathTo.get(id) ?? []).join(' → ')} (${answerLabel(q, o)})`;
      if (!pw.questions.has(next)) {
        p.add(
          `${where} / question ${id} / answer ${answerLabel(q, o)}`,
          `dangling reference: question ${next} does not exist (path: ${route} → ${next})`,
          'no-dangling',
        );
        continue;
      }
      if (!pathTo.has(next)) {
        pathTo.set(next, [...(pathTo.get(id) ?? []), `(${answerLabel(q, o)})`, next]);
        queue.push(next);
      }
    }
  }
  for (const id of pw.order) {
    if (!pathTo.has(id))
      p.add(
        `${where} / question ${id}`,
        `unreachable: no path from the start (${pw.start}) leads to ${id}`,
        'no-unreachable',
      );
  }
  // Depth-first for cycles, reporting the loop itself.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    stack.push(id);
    const q = pw.questions.get(id);
    for (const o of q ? targetsOf(q) : []) {
      if (o.target.kind !== 'question' || !pw.questions.has(o.target.questionId)) continue;
      const next = o.target.questionId;
      if (state.get(next) === 'open') {
        const loop = [...stack.slice(stack.indexOf(next)), next].join(' → ');
        p.add(`${where} / question ${id}`, `cycle: ${loop}`, 'no-cycles');
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(id, 'done');
  };
  visit(pw.start);
  if (pw.kind === 'module0') {
    const continues = [...pw.questions.values()].some((q) =>
      targetsOf(q).some((o) => o.target.kind === 'continue'),
    );
    if (!continues)
      p.add(where, 'module 0 must let the call continue to a symptom pathway', 'module0-precedes');
  }
  return p.list;
}

/**
 * The safe default must be the cautious answer: the most urgent disposition it can lead to is at least as
 * urgent as the most urgent one any other answer can lead to. (Module 0 is exempt: its defaults are "no".)
 */
export function checkSafeDefaults(pw: Pathway, dispositions: DispositionCatalogue): FieldProblem[] {
  const memo = new Map<string, number>();
  const rankOf = (o: Outcome, seen: Set<string>): number => {
    const t = o.target;
    if (t.kind === 'disposition')
      return dispositions.byCode.get(t.code)?.urgencyRank ?? Number.POSITIVE_INFINITY;
    if (t.kind === 'continue') return Number.POSITIVE_INFINITY;
    return worst(t.questionId, seen);
  };
  const worst = (id: string, seen: Set<string>): number => {
    const had = memo.get(id);
    if (had !== undefined) return had;
    const q = pw.questions.get(id);
    if (!q || seen.has(id)) return Number.POSITIVE_INFINITY;
    const next = new Set(seen).add(id);
    const r = Math.min(...targetsOf(q).map((o) => rankOf(o, next)));
    memo.set(id, r);
    return r;
  };
  const problems: FieldProblem[] = [];
  for (const q of pw.questions.values()) {
    const best = Math.min(...targetsOf(q).map((o) => rankOf(o, new Set([q.id]))));
    // "Don't know" on a yes/no or choice question must be as cautious as the cautious answer. A number
    // question's own dont_know may go elsewhere than the top of its scale: an unmeasured value is not the
    // worst value, and the content says where it leads.
    if (q.dontKnow && q.type !== 'number' && rankOf(q.dontKnow, new Set([q.id])) > best)
      problems.push({
        pointer: `pathway ${pw.id}@${pw.version} / question ${q.id} / answer ${DONT_KNOW}`,
        message: `dont_know is not cautious: another answer can lead to a more urgent disposition`,
        rule: 'safe-default',
      });
    if (pw.kind === 'module0') continue;
    let chosen: Outcome | undefined;
    if (q.type === 'number') {
      const v = q.safeDefault as number;
      chosen = q.bands.find((b) => (b.from === null || v >= b.from) && (b.below === null || v < b.below));
    } else chosen = q.answers.get(String(q.safeDefault));
    if (!chosen) continue;
    const chosenRank = rankOf(chosen, new Set([q.id]));
    if (chosenRank > best)
      problems.push({
        pointer: `pathway ${pw.id}@${pw.version} / question ${q.id}`,
        message: `safe_default ${String(q.safeDefault)} is not the cautious answer: another answer can lead to a more urgent disposition`,
        rule: 'safe-default',
      });
  }
  return problems;
}

type Known = ReadonlyMap<string, string>;

/**
 * Every set of answers a path can carry to its end: for each path from the start, which finding was
 * answered what (yes/no and choice answers; "don't know" tells nothing). `ends` picks the outcomes that
 * end a path worth collecting (module 0: its continue). Bounded: content trees are small.
 */
function knownAtEnds(pw: Pathway, ends: (o: Outcome) => boolean, limit = 5000): Known[] {
  const out: Known[] = [];
  const walk = (id: string, known: Known, depth: number): void => {
    const q = pw.questions.get(id);
    if (!q || depth > pw.questions.size || out.length >= limit) return;
    if (q.type === 'number') {
      for (const o of q.bands)
        if (o.target.kind === 'question') walk(o.target.questionId, known, depth + 1);
        else if (ends(o)) out.push(known);
      return;
    }
    for (const [value, o] of q.answers) {
      const next = new Map(known).set(q.finding, value);
      if (o.target.kind === 'question') walk(o.target.questionId, next, depth + 1);
      else if (ends(o)) out.push(next);
    }
  };
  walk(pw.start, new Map(), 0);
  return out;
}

/**
 * A safe default may not assume what is already known: on no path may a question's default contradict
 * an earlier answer about the same finding, in the pathway or in module 0 before it (module 0 continues
 * to a pathway only after its "no"s: a pathway that then defaults "unconscious: yes" contradicts it).
 */
export function checkDefaultsAgainstKnown(pw: Pathway, module0: Pathway | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const reported = new Set<string>();
  const starts: Known[] =
    pw.kind === 'module0' || !module0
      ? [new Map()]
      : knownAtEnds(module0, (o) => o.target.kind === 'continue');
  const walk = (id: string, known: Known, route: string[], depth: number): void => {
    const q = pw.questions.get(id);
    if (!q || depth > pw.questions.size) return;
    const here = [...route, id];
    if (q.type !== 'number') {
      const before = known.get(q.finding);
      if (before !== undefined && before !== String(q.safeDefault) && !reported.has(q.id)) {
        reported.add(q.id);
        problems.push({
          pointer: `pathway ${pw.id}@${pw.version} / question ${q.id}`,
          message: `safe_default ${String(q.safeDefault)} contradicts an earlier answer: ${q.finding} is already "${before}" (path: ${here.join(' → ')})`,
          rule: 'default-not-contradicting',
        });
      }
    }
    const outs: [string | null, Outcome][] =
      q.type === 'number' ? q.bands.map((b) => [null, b]) : [...q.answers].map(([v, o]) => [v, o]);
    for (const [value, o] of outs) {
      if (o.target.kind !== 'question') continue;
      const next = value === null ? known : new Map(known).set(q.finding, value);
      walk(o.target.questionId, next, value === null ? here : [...here, `(${value})`], depth + 1);
    }
  };
  for (const known of starts) walk(pw.start, known, [], 0);
  return problems;
}

/** New sessions use the newest approved version; a draft is used only while no version is approved. */
function preferred(a: Pathway, b: Pathway): boolean {
  const aOk = a.status === 'approved';
  const bOk = b.status === 'approved';
  return aOk !== bOk ? aOk : a.version > b.version;
}

export interface ValidationReport {
  readonly content?: TriageContent;
  readonly problems: readonly FieldProblem[];
  readonly pathwayCount: number;
  readonly questionCount: number;
}

/** Reads and checks all triage content; returns every problem found, not only the first. */
export function validateTriageContent(raw: RawTriageContent, version: string): ValidationReport {
  const p = new Problems();
  const findings = readFindings(raw.findings, p);
  const symptomGroups = readCodes(raw.codes, 'symptom_groups', /^SGX?\d{3,4}$/, p);
  const discriminators = readCodes(raw.codes, 'symptom_discriminators', /^SDX?\d{3,4}$/, p);
  const refs: Refs = { findings, dispositions: raw.dispositions, discriminators, symptomGroups };
  const pathways = new Map<string, Pathway>();
  const current = new Map<string, Pathway>();
  let module0: Pathway | undefined;
  let questionCount = 0;
  const split = new Map<string, FieldProblem[]>();
  for (const f of raw.pathways) {
    const before = p.list.length;
    const splitHere = new Problems();
    const pw = readPathway(f.file, f.hash, f.doc, { ...refs, split: splitHere }, p);
    if (!pw) {
      p.list.push(...splitHere.list);
      continue;
    }
    split.set(`${pw.id}@${pw.version}`, splitHere.list);
    // Problems found while reading a question also say how the question is reached.
    const routes = routesFrom(pw);
    for (let i = before; i < p.list.length; i++) {
      const problem = p.list[i] as FieldProblem;
      const id = / \/ question ([^ ]+)/.exec(problem.pointer)?.[1];
      const route = id ? routes.get(id) : undefined;
      if (route && !problem.message.includes('path:'))
        p.list[i] = { ...problem, message: `${problem.message} (path: ${route})` };
    }
    const key = `${pw.id}@${pw.version}`;
    if (pathways.has(key)) {
      p.add(`pathway ${key}`, `${f.file}: another file already holds ${key}`, 'unique-pathway-version');
      continue;
    }
    const graph = checkPathwayGraph(pw);
    for (const problem of graph) p.list.push(problem);
    if (graph.length === 0)
      for (const problem of checkSafeDefaults(pw, raw.dispositions)) p.list.push(problem);
    const recorded = raw.approvals.get(key);
    if (pw.status === 'approved' && recorded !== undefined && recorded !== pw.hash)
      p.add(
        `pathway ${key}`,
        `${f.file}: ${key} was approved and may not change; save the change as version ${pw.version + 1}`,
        'approved-is-immutable',
      );
    questionCount += pw.questions.size;
    pathways.set(key, pw);
    if (pw.kind === 'module0') {
      if (module0 && module0.id !== pw.id)
        p.add(`pathway ${key}`, `there is already a module 0 (${module0.id})`, 'module0-precedes');
      if (!module0 || preferred(pw, module0)) module0 = pw;
    } else {
      const had = current.get(pw.id);
      if (!had || preferred(pw, had)) current.set(pw.id, pw);
    }
  }
  // Split text is an error in every version a session can start on (the current ones, module 0 in force)
  // and in drafts; a superseded approved version keeps its text as approved, so replay stays exact.
  for (const [key, list] of split) {
    const pw = pathways.get(key);
    if (!pw) continue;
    const inForce = pw.kind === 'module0' ? module0 === pw : current.get(pw.id) === pw;
    if (inForce || pw.status === 'draft') {
      p.list.push(...list);
      if (pw.kind === 'pathway') p.list.push(...checkDefaultsAgainstKnown(pw, module0));
    }
  }
  if (!module0)
    p.add(
      'module 0',
      'there is no module 0 (immediate threats to life) to run before the pathways',
      'module0-precedes',
    );
  if (p.list.length > 0 || !module0) return { problems: p.list, pathwayCount: pathways.size, questionCount };
  return {
    content: {
      version,
      findings,
      dispositions: raw.dispositions,
      symptomGroups,
      discriminators,
      module0,
      pathways,
      current,
    },
    problems: [],
    pathwayCount: pathways.size,
    questionCount,
  };
}

/** Validates and returns the content, or throws `invalid` listing every problem. */
export function buildTriageContent(raw: RawTriageContent, version: string): TriageContent {
  const report = validateTriageContent(raw, version);
  if (!report.content) {
    const first = report.problems[0];
    throw invalid(
      `Triage content is not valid (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})${
        first ? `: ${first.pointer}: ${first.message}` : ''
      }`,
      report.problems,
    );
  }
  return report.content;
}
