import { invalid } from '../errors';

/** Where a disposition sends the patient: the DoS searches, and the case routes, by group. */
export const DISPOSITION_GROUPS = [
  'ambulance',
  'emergency_department',
  'urgent_treatment',
  'primary_care',
  'dental',
  'prescription',
  'community',
  'clinical',
  'self_care',
] as const;
export type DispositionGroup = (typeof DISPOSITION_GROUPS)[number];

/** How the patient and the service meet: dispatched to, attends, is phoned by, contacts, or self-care. */
export const CONTACT_KINDS = ['dispatch', 'attend', 'speak', 'contact', 'self_care'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** The outcome of a triage: a skill set plus a timeframe, coded Dx. */
export interface Disposition {
  readonly code: string;
  readonly title: string;
  readonly group: DispositionGroup;
  readonly skillSet: string;
  readonly contact: ContactKind;
  /** 1 is most urgent. */
  readonly urgencyRank: number;
  /** Within how long the patient must be seen or spoken to; null for self-care. */
  readonly timeframeMinutes: number | null;
  /**
   * The timeframe in words, as the disposition defines it: the title's own "within 3 working days" or
   * "the next working day" where it says one (working days are not 1,440-minute days), otherwise
   * worked out from the minutes; "self-care" for self-care.
   */
  readonly timeframe: string;
  readonly ambulanceCategory: number | null;
  readonly careAdvice: string;
}

export interface DispositionCatalogue {
  readonly version: string;
  readonly byCode: ReadonlyMap<string, Disposition>;
}

const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (list as readonly string[]).includes(v);

const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };

/** The timeframe a title states ("within 4 hours", "within 3 working days", "the next working day"), if any. */
export function statedTimeframe(
  title: string,
): { readonly text: string; readonly minutes: number | null; readonly workingDays: number | null } | null {
  const within = /\bwithin (\d+) (working )?(minute|hour|day)s?\b/i.exec(title);
  if (within) {
    const n = Number(within[1]);
    const unit = (within[3] as string).toLowerCase();
    return within[2]
      ? { text: within[0].toLowerCase(), minutes: null, workingDays: n }
      : { text: within[0].toLowerCase(), minutes: n * (UNIT_MINUTES[unit] ?? 1), workingDays: null };
  }
  const next = /\b(the )?next working day\b/i.exec(title);
  if (next) return { text: 'the next working day', minutes: null, workingDays: 1 };
  return null;
}

/** The minutes in words, for a disposition whose title states no timeframe. */
function minutesInWords(minutes: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 120) return `within ${plural(minutes, 'minute')}`;
  if (minutes < 2880 || minutes % 1440 !== 0) return `within ${plural(Math.round(minutes / 60), 'hour')}`;
  return `within ${plural(minutes / 1440, 'day')}`;
}

/** Validates the raw dispositions file (already parsed from YAML) into a catalogue; errors name the entry. */
export function readDispositionCatalogue(raw: unknown): DispositionCatalogue {
  const doc = raw as { version?: unknown; dispositions?: unknown };
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.dispositions)) {
    throw invalid('dispositions: expected a "dispositions" list');
  }
  const byCode = new Map<string, Disposition>();
  doc.dispositions.forEach((entry: Record<string, unknown>, i: number) => {
    const where = `dispositions[${i}]${typeof entry?.code === 'string' ? ` (${entry.code})` : ''}`;
    const fail = (m: string) => invalid(`${where}: ${m}`, [{ pointer: where, message: m }]);
    if (typeof entry?.code !== 'string' || !/^Dx\d{2,4}[a-z]?$/.test(entry.code))
      throw fail('code must look like Dx02');
    if (byCode.has(entry.code)) throw fail('duplicate code');
    if (typeof entry.title !== 'string' || entry.title.length === 0) throw fail('title is required');
    if (!isOneOf(DISPOSITION_GROUPS, entry.group))
      throw fail(`group must be one of ${DISPOSITION_GROUPS.join(', ')}`);
    if (!isOneOf(CONTACT_KINDS, entry.contact))
      throw fail(`contact must be one of ${CONTACT_KINDS.join(', ')}`);
    if (typeof entry.skill_set !== 'string') throw fail('skill_set is required');
    if (!Number.isInteger(entry.urgency_rank) || (entry.urgency_rank as number) < 1)
      throw fail('urgency_rank must be a whole number ≥ 1');
    const tf = entry.timeframe_minutes;
    if (!(tf === null || (Number.isInteger(tf) && (tf as number) > 0)))
      throw fail('timeframe_minutes must be null or a positive whole number');
    if ((tf === null) !== (entry.group === 'self_care')) throw fail('only self-care has no timeframe');
    // The title and the minutes must say the same: "within 4 hours" is 240 minutes; "within 3 working
    // days" is at least 3 calendar days of minutes (it is read in working days, never as the minutes).
    const stated = statedTimeframe(entry.title);
    if (stated && tf !== null) {
      if (stated.minutes !== null && stated.minutes !== tf)
        throw fail(`the title says ${stated.text} but timeframe_minutes is ${String(tf)}`);
      if (stated.workingDays !== null && (tf as number) < stated.workingDays * 1440)
        throw fail(
          `the title says ${stated.text} but timeframe_minutes (${String(tf)}) is shorter than that many days`,
        );
    }
    const timeframe = tf === null ? 'self-care' : stated ? stated.text : minutesInWords(tf as number);
    const cat = entry.ambulance_category ?? null;
    if ((cat !== null) !== (entry.group === 'ambulance'))
      throw fail('ambulance dispositions, and only they, have an ambulance_category');
    if (typeof entry.care_advice !== 'string' || entry.care_advice.length === 0)
      throw fail('care_advice is required');
    byCode.set(entry.code, {
      code: entry.code,
      title: entry.title,
      group: entry.group,
      skillSet: entry.skill_set,
      contact: entry.contact,
      urgencyRank: entry.urgency_rank as number,
      timeframeMinutes: tf as number | null,
      timeframe,
      ambulanceCategory: cat as number | null,
      careAdvice: entry.care_advice,
    });
  });
  return { version: String(doc.version ?? 'unversioned'), byCode };
}

/** The more urgent of two dispositions (lower rank; on a tie, the shorter timeframe). */
export function moreUrgent(a: Disposition, b: Disposition): Disposition {
  if (a.urgencyRank !== b.urgencyRank) return a.urgencyRank < b.urgencyRank ? a : b;
  return (a.timeframeMinutes ?? Number.POSITIVE_INFINITY) <= (b.timeframeMinutes ?? Number.POSITIVE_INFINITY)
    ? a
    : b;
}
