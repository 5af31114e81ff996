/**
 * Case review: which cases go to the review queue. A governance lead switches each rule on or off for
 * their provider and sets its parameters; a random sample (a per cent of each provider's calls each
 * week, deterministic for a seed) is added to what the rules pick.
 *
 * The rules read a case's stored events as rows (a kind and its JSON body), so that events written by
 * other modules (validation, referral acknowledgements) are read without this module depending on them.
 */

export const REVIEW_RULES = [
  'ambulance_downgraded',
  'callback_missed',
  'repeat_caller',
  'referral_unacknowledged',
  'self_care_followed_by_emergency',
  'sample',
] as const;

export type ReviewRule = (typeof REVIEW_RULES)[number];

export const isReviewRule = (value: string): value is ReviewRule =>
  (REVIEW_RULES as readonly string[]).includes(value);

/** Each rule's parameters, with the defaults a provider starts from. */
export interface RuleParams {
  readonly ambulance_downgraded: Record<string, never>;
  readonly callback_missed: { readonly graceMinutes: number };
  readonly repeat_caller: { readonly hours: number };
  /** The referral's timeframe is its disposition's; `defaultMinutes` is used when it has none. */
  readonly referral_unacknowledged: { readonly defaultMinutes: number };
  readonly self_care_followed_by_emergency: { readonly hours: number };
  readonly sample: { readonly percent: number; readonly seed: string };
}

export type RuleSetting = {
  [R in ReviewRule]: { readonly rule: R; readonly enabled: boolean; readonly params: RuleParams[R] };
}[ReviewRule];

export type RuleSettings = { readonly [R in ReviewRule]: { enabled: boolean; params: RuleParams[R] } };

export const DEFAULT_RULES: RuleSettings = {
  ambulance_downgraded: { enabled: true, params: {} },
  callback_missed: { enabled: true, params: { graceMinutes: 0 } },
  repeat_caller: { enabled: true, params: { hours: 72 } },
  referral_unacknowledged: { enabled: true, params: { defaultMinutes: 24 * 60 } },
  self_care_followed_by_emergency: { enabled: true, params: { hours: 24 } },
  sample: { enabled: true, params: { percent: 5, seed: 'open111' } },
};

/** The plain words of each rule, for the console and the report. */
export const RULE_WORDS: Record<ReviewRule, string> = {
  ambulance_downgraded: 'ambulance disposition downgraded at validation',
  callback_missed: 'call-back missed its due time',
  repeat_caller: 'repeat caller',
  referral_unacknowledged: 'referral not acknowledged within its timeframe',
  self_care_followed_by_emergency: 'self-care followed by a 999 call or A&E attendance',
  sample: 'random sample',
};

type Problem = { readonly pointer: string; readonly message: string };

const wholeBetween = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Checks a lead's parameters for a rule; the problems say which field is wrong and why. */
export function checkRuleParams(rule: ReviewRule, params: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const need = (key: string, ok: boolean, message: string) => {
    if (!ok) problems.push({ pointer: `/body/params/${key}`, message });
  };
  switch (rule) {
    case 'ambulance_downgraded':
      break;
    case 'callback_missed':
      need('graceMinutes', wholeBetween(params.graceMinutes, 0, 240), 'A whole number of minutes, 0 to 240.');
      break;
    case 'repeat_caller':
      need('hours', wholeBetween(params.hours, 1, 168), 'A whole number of hours, 1 to 168.');
      break;
    case 'referral_unacknowledged':
      need(
        'defaultMinutes',
        wholeBetween(params.defaultMinutes, 1, 7 * 24 * 60),
        'A whole number of minutes, 1 to 10080.',
      );
      break;
    case 'self_care_followed_by_emergency':
      need('hours', wholeBetween(params.hours, 1, 168), 'A whole number of hours, 1 to 168.');
      break;
    case 'sample':
      need(
        'percent',
        typeof params.percent === 'number' && params.percent >= 0 && params.percent <= 100,
        'A per cent, 0 to 100.',
      );
      need(
        'seed',
        typeof params.seed === 'string' && params.seed.length > 0 && params.seed.length <= 100,
        'A seed of 1 to 100 characters.',
      );
      break;
  }
  return problems;
}

/** One stored case event, as the rules read it. */
export interface EventRow {
  readonly kind: string;
  readonly at: Date;
  readonly body: Readonly<Record<string, unknown>>;
}

/** What the rules know of one case: its events, and what was found about its caller and patient. */
export interface CaseFacts {
  readonly caseId: string;
  readonly providerCode: string;
  readonly openedAt: Date;
  readonly events: readonly EventRow[];
  /** When the case's call was offered, and earlier calls from the same number to the same provider. */
  readonly callOfferedAt: Date | null;
  readonly earlierCallsFromNumber: readonly Date[];
  /**
   * Emergencies that followed for the same patient: another case's ambulance outcome or dispatch, or
   * an A&E attendance or 999 call reported back, with when it happened.
   */
  readonly laterEmergencies: readonly Date[];
}

const first = (events: readonly EventRow[], kind: string, after?: Date) =>
  events.find((e) => e.kind === kind && (!after || e.at.getTime() >= after.getTime()));
const last = (events: readonly EventRow[], kind: string) => events.findLast((e) => e.kind === kind);
const minutes = (n: number) => n * 60_000;
const hours = (n: number) => n * 3_600_000;

const wasAmbulance = (events: readonly EventRow[]) =>
  events.some(
    (e) =>
      (e.kind === 'outcome_decided' && e.body.outcome === 'ambulance') || e.kind === 'ambulance_dispatched',
  );

/** Every ambulance disposition later downgraded at validation. */
export function ambulanceDowngraded(c: CaseFacts): boolean {
  return (
    wasAmbulance(c.events) && c.events.some((e) => e.kind === 'validated' && e.body.result === 'downgraded')
  );
}

/** A call-back started after its due time (or not started and now past it). */
export function callbackMissed(c: CaseFacts, now: Date, p: RuleParams['callback_missed']): boolean {
  const queued = last(c.events, 'callback_queued');
  if (!queued || typeof queued.body.dueAt !== 'string') return false;
  const due = Date.parse(queued.body.dueAt) + minutes(p.graceMinutes);
  if (Number.isNaN(due)) return false;
  const started = first(c.events, 'callback_started', queued.at);
  return (started ? started.at.getTime() : now.getTime()) > due;
}

/** An earlier call from the same number to the same provider within the window before this call. */
export function repeatCaller(c: CaseFacts, p: RuleParams['repeat_caller']): boolean {
  if (!c.callOfferedAt) return false;
  const at = c.callOfferedAt.getTime();
  return c.earlierCallsFromNumber.some((t) => t.getTime() < at && at - t.getTime() <= hours(p.hours));
}

/**
 * A referral not acknowledged within its timeframe (the disposition's, else the default), once that
 * time has passed.
 */
export function referralUnacknowledged(
  c: CaseFacts,
  now: Date,
  timeframeMinutes: number | null,
  p: RuleParams['referral_unacknowledged'],
): boolean {
  const referred = last(c.events, 'referred');
  if (!referred) return false;
  const deadline = referred.at.getTime() + minutes(timeframeMinutes ?? p.defaultMinutes);
  const ack = first(c.events, 'referral_acknowledged', referred.at);
  if (ack) return ack.at.getTime() > deadline;
  return now.getTime() > deadline;
}

/** A self-care outcome followed within the window by a 999 call or an A&E attendance. */
export function selfCareFollowed(c: CaseFacts, p: RuleParams['self_care_followed_by_emergency']): boolean {
  const advised = c.events.find((e) => e.kind === 'outcome_decided' && e.body.outcome === 'self_care');
  if (!advised) return false;
  const from = advised.at.getTime();
  const own = c.events
    .filter((e) => e.kind === 'referral_outcome_reported' && isEmergencyOutcome(e.body.outcome))
    .map((e) => e.at);
  return [...own, ...c.laterEmergencies].some(
    (t) => t.getTime() > from && t.getTime() - from <= hours(p.hours),
  );
}

/** A reported outcome that is an emergency: an A&E attendance, a 999 call or an ambulance. */
export function isEmergencyOutcome(outcome: unknown): boolean {
  return typeof outcome === 'string' && /(^|[^a-z])(a&e|ae|999|ambulance|emergency)([^a-z]|$)/i.test(outcome);
}

/** The rules (not the sample) a case meets, in the order of REVIEW_RULES. */
export function rulesMet(
  c: CaseFacts,
  now: Date,
  settings: RuleSettings,
  timeframeOf: (dispositionCode: string) => number | null,
): ReviewRule[] {
  const met: ReviewRule[] = [];
  if (settings.ambulance_downgraded.enabled && ambulanceDowngraded(c)) met.push('ambulance_downgraded');
  if (settings.callback_missed.enabled && callbackMissed(c, now, settings.callback_missed.params))
    met.push('callback_missed');
  if (settings.repeat_caller.enabled && repeatCaller(c, settings.repeat_caller.params))
    met.push('repeat_caller');
  if (settings.referral_unacknowledged.enabled) {
    const triaged = last(c.events, 'triaged');
    const code = typeof triaged?.body.dispositionCode === 'string' ? triaged.body.dispositionCode : null;
    const timeframe = code ? timeframeOf(code) : null;
    if (referralUnacknowledged(c, now, timeframe, settings.referral_unacknowledged.params))
      met.push('referral_unacknowledged');
  }
  if (
    settings.self_care_followed_by_emergency.enabled &&
    selfCareFollowed(c, settings.self_care_followed_by_emergency.params)
  )
    met.push('self_care_followed_by_emergency');
  return met;
}

/** FNV-1a, 32 bits: a stable hash of a string, the same on every machine. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The Monday (UTC) of the week an instant falls in, as YYYY-MM-DD. */
export function weekOf(at: Date): string {
  const day = (at.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - day));
  return monday.toISOString().slice(0, 10);
}

/**
 * The random sample: per provider and week, the given per cent of its cases (rounded up), chosen by a
 * hash of the seed and the case id, so the same seed picks the same cases whatever order they come in.
 */
export function sampleCases(
  cases: readonly { readonly caseId: string; readonly providerCode: string; readonly openedAt: Date }[],
  percent: number,
  seed: string,
): Set<string> {
  const groups = new Map<string, string[]>();
  for (const c of cases) {
    const key = `${c.providerCode}|${weekOf(c.openedAt)}`;
    const list = groups.get(key) ?? [];
    list.push(c.caseId);
    groups.set(key, list);
  }
  const chosen = new Set<string>();
  for (const ids of groups.values()) {
    const take = Math.ceil((ids.length * percent) / 100);
    const ranked = [...ids].sort(
      (a, b) => fnv1a(`${seed}|${a}`) - fnv1a(`${seed}|${b}`) || a.localeCompare(b),
    );
    for (const id of ranked.slice(0, take)) chosen.add(id);
  }
  return chosen;
}
