import { waitSeconds } from './lifecycle';
import type { Call } from './types';

/**
 * The national call-handling measures, each defined once, here, over recorded calls.
 * Definitions follow the NHS 111 Minimum Data Set / IUC ADC items named beside each.
 */
export interface CallKpis {
  /** A01: calls received (offered to the service). */
  readonly offered: number;
  /** A03: calls answered. */
  readonly answered: number;
  /** B02: calls abandoned (the caller hung up before answer). */
  readonly abandoned: number;
  /** B01: calls answered within 60 seconds. */
  readonly answeredWithin60s: number;
  /** "≥ 95% of answered calls answered within 60 seconds" — B01 / A03. */
  readonly answeredWithin60sPercent: number | null;
  /** Abandonment split, as the data set splits it. */
  readonly abandonedWithin30s: number;
  readonly abandonedAfter30sWithin60s: number;
  readonly abandonedAfter60s: number;
  /** "< 5% of offered calls abandoned after waiting more than 30 seconds". */
  readonly abandonedAfter30sPercent: number | null;
  /** Warm transfers to a clinician, as a share of answered calls. */
  readonly transferred: number;
  readonly transferredPercent: number | null;
  readonly meanWaitSeconds: number | null;
  /** Mean call episode length: answer to end, for calls that ended. */
  readonly meanEpisodeSeconds: number | null;
}

export const TARGETS = {
  answeredWithin60sPercent: 95,
  abandonedAfter30sPercent: 5,
} as const;

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : (100 * part) / whole);

/**
 * The KPIs counted one call at a time, so recorded calls and a simulation of millions of calls are
 * measured by the same code without holding the calls: each call is told to the tally as numbers.
 */
export class KpiTally {
  offered = 0;
  answered = 0;
  abandoned = 0;
  answeredWithin60s = 0;
  abandonedWithin30s = 0;
  abandonedAfter30sWithin60s = 0;
  abandonedAfter60s = 0;
  transferred = 0;
  waitSum = 0;
  waitCount = 0;
  episodeSum = 0;
  episodeCount = 0;

  /** A call still waiting (offered, neither answered nor abandoned yet). */
  waiting(): void {
    this.offered++;
  }

  /** An answered call: its wait, whether it was warm-transferred, and its episode (answer to end) if ended. */
  answeredCall(waitSeconds: number, transferred: boolean, episodeSeconds: number | null): void {
    this.offered++;
    this.answered++;
    this.waitSum += waitSeconds;
    this.waitCount++;
    if (waitSeconds <= 60) this.answeredWithin60s++;
    if (transferred) this.transferred++;
    if (episodeSeconds !== null) {
      this.episodeSum += episodeSeconds;
      this.episodeCount++;
    }
  }

  /** A caller who hung up after waiting this long. */
  abandonedCall(waitSeconds: number): void {
    this.offered++;
    this.abandoned++;
    this.waitSum += waitSeconds;
    this.waitCount++;
    if (waitSeconds <= 30) this.abandonedWithin30s++;
    else if (waitSeconds <= 60) this.abandonedAfter30sWithin60s++;
    else this.abandonedAfter60s++;
  }

  /** Adds another tally (an hour's into a day's, say). */
  add(o: KpiTally): void {
    this.offered += o.offered;
    this.answered += o.answered;
    this.abandoned += o.abandoned;
    this.answeredWithin60s += o.answeredWithin60s;
    this.abandonedWithin30s += o.abandonedWithin30s;
    this.abandonedAfter30sWithin60s += o.abandonedAfter30sWithin60s;
    this.abandonedAfter60s += o.abandonedAfter60s;
    this.transferred += o.transferred;
    this.waitSum += o.waitSum;
    this.waitCount += o.waitCount;
    this.episodeSum += o.episodeSum;
    this.episodeCount += o.episodeCount;
  }

  kpis(): CallKpis {
    return {
      offered: this.offered,
      answered: this.answered,
      abandoned: this.abandoned,
      answeredWithin60s: this.answeredWithin60s,
      answeredWithin60sPercent: percent(this.answeredWithin60s, this.answered),
      abandonedWithin30s: this.abandonedWithin30s,
      abandonedAfter30sWithin60s: this.abandonedAfter30sWithin60s,
      abandonedAfter60s: this.abandonedAfter60s,
      abandonedAfter30sPercent: percent(
        this.abandonedAfter30sWithin60s + this.abandonedAfter60s,
        this.offered,
      ),
      transferred: this.transferred,
      transferredPercent: percent(this.transferred, this.answered),
      meanWaitSeconds: this.waitCount === 0 ? null : this.waitSum / this.waitCount,
      meanEpisodeSeconds: this.episodeCount === 0 ? null : this.episodeSum / this.episodeCount,
    };
  }
}

/** Tells one recorded call to a tally. */
export function tallyCall(tally: KpiTally, c: Call): void {
  const wait = waitSeconds(c);
  if (c.answeredAt && wait !== null) {
    const episode = c.endedAt ? (c.endedAt.getTime() - c.answeredAt.getTime()) / 1000 : null;
    tally.answeredCall(wait, c.transferredAt !== null, episode);
  } else if (c.abandonedAt && wait !== null) tally.abandonedCall(wait);
  else tally.waiting();
}

export function callKpis(calls: readonly Call[]): CallKpis {
  const tally = new KpiTally();
  for (const c of calls) tallyCall(tally, c);
  return tally.kpis();
}

/**
 * The national monthly return: one row per month × provider × commissioning area, in the shape of the
 * IUC Aggregate Data Collection. Every column is a count, so rows add up (a region's return is the sum
 * of its areas'); the shares a commissioner reads are worked out from the counts, never stored.
 */
export interface MonthlyCounts {
  readonly callsReceived: number;
  readonly callsAnswered: number;
  readonly answeredWithin60s: number;
  readonly abandoned: number;
  readonly abandonedAfter30s: number;
  readonly triaged: number;
  readonly passedToClinician: number;
  readonly warmTransfers: number;
  readonly callBacks: number;
  readonly callBacksMade: number;
  readonly callBacksWithin10Min: number;
  readonly callBacksByDue: number;
  readonly dispositionAmbulance: number;
  readonly dispositionEmergencyDepartment: number;
  readonly dispositionPrimaryCare: number;
  readonly dispositionOther: number;
  readonly dispositionSelfCare: number;
}

export type MonthlyCountKey = keyof MonthlyCounts;

export interface ReturnColumn {
  readonly key: MonthlyCountKey;
  /** The CSV heading. */
  readonly heading: string;
  /** What is counted, in our words after the meaning of the IUC ADC item. */
  readonly definition: string;
}

/**
 * Each column of the monthly return, defined once. The definitions say what the IUC Aggregate Data
 * Collection means by each measure, written in our own words (the ADC's item codes are not used: the
 * return is in its shape, not a submission to it).
 */
export const MONTHLY_RETURN_COLUMNS: readonly ReturnColumn[] = [
  {
    key: 'callsReceived',
    heading: 'calls_received',
    definition:
      'Calls that reached the service and were offered to a call handler, whether or not anyone answered them.',
  },
  {
    key: 'callsAnswered',
    heading: 'calls_answered',
    definition: 'Calls received that a call handler picked up.',
  },
  {
    key: 'answeredWithin60s',
    heading: 'answered_within_60s',
    definition:
      'Calls answered no more than 60 seconds after they were offered (the standard is 95% of answered calls).',
  },
  {
    key: 'abandoned',
    heading: 'calls_abandoned',
    definition: 'Calls received where the caller hung up before a call handler answered.',
  },
  {
    key: 'abandonedAfter30s',
    heading: 'abandoned_after_30s',
    definition:
      'Abandoned calls whose caller had waited more than 30 seconds (the standard is under 5% of calls received).',
  },
  {
    key: 'triaged',
    heading: 'calls_triaged',
    definition:
      'Answered calls assessed through to a disposition (an outcome saying where the caller should go).',
  },
  {
    key: 'passedToClinician',
    heading: 'passed_to_clinician',
    definition:
      'Triaged calls the call handler passed to a clinician for assessment, there and then or by call-back.',
  },
  {
    key: 'warmTransfers',
    heading: 'warm_transfers',
    definition:
      'Calls put straight through to a clinician who was free (assessment or validation), without a call-back.',
  },
  {
    key: 'callBacks',
    heading: 'call_backs_offered',
    definition: 'Calls where no clinician was free, so the caller was promised a call-back.',
  },
  {
    key: 'callBacksMade',
    heading: 'call_backs_made',
    definition: 'Call-backs a clinician actually made in the month.',
  },
  {
    key: 'callBacksWithin10Min',
    heading: 'call_backs_within_10min',
    definition:
      'Call-backs made within 10 minutes of the call (the national standard for a clinical call-back).',
  },
  {
    key: 'callBacksByDue',
    heading: 'call_backs_by_due_time',
    definition: 'Call-backs made no later than the time they were due by the caller’s priority.',
  },
  {
    key: 'dispositionAmbulance',
    heading: 'disposition_ambulance',
    definition: 'Triaged calls whose outcome was an ambulance dispatched to the caller.',
  },
  {
    key: 'dispositionEmergencyDepartment',
    heading: 'disposition_ae',
    definition: 'Triaged calls whose outcome was to go to an emergency department (A&E).',
  },
  {
    key: 'dispositionPrimaryCare',
    heading: 'disposition_primary_care',
    definition:
      'Triaged calls sent to primary and community care: a GP or out-of-hours GP, dental, pharmacy or community services.',
  },
  {
    key: 'dispositionOther',
    heading: 'disposition_other',
    definition:
      'Triaged calls with any other outcome: an urgent treatment or walk-in centre, or a clinician’s advice that ended the call.',
  },
  {
    key: 'dispositionSelfCare',
    heading: 'disposition_self_care',
    definition: 'Triaged calls closed with advice to look after themselves at home.',
  },
];

/** The shares the return prints beside the counts: part ÷ whole, each against its national target if any. */
export const MONTHLY_RETURN_SHARES = [
  {
    heading: 'answered_within_60s_pct',
    part: 'answeredWithin60s',
    whole: 'callsAnswered',
    definition: 'Answered within 60 s as a share of calls answered.',
    target: { value: TARGETS.answeredWithin60sPercent, atLeast: true },
  },
  {
    heading: 'abandoned_after_30s_pct',
    part: 'abandonedAfter30s',
    whole: 'callsReceived',
    definition: 'Abandoned after 30 s as a share of calls received.',
    target: { value: TARGETS.abandonedAfter30sPercent, atLeast: false },
  },
  {
    heading: 'passed_to_clinician_pct',
    part: 'passedToClinician',
    whole: 'triaged',
    definition: 'Passed to a clinician as a share of calls triaged.',
    target: null,
  },
  {
    heading: 'call_backs_within_10min_pct',
    part: 'callBacksWithin10Min',
    whole: 'callBacksMade',
    definition: 'Call-backs within 10 minutes as a share of call-backs made.',
    target: null,
  },
  {
    heading: 'ambulance_pct',
    part: 'dispositionAmbulance',
    whole: 'triaged',
    definition: 'Ambulance dispositions as a share of calls triaged.',
    target: null,
  },
  {
    heading: 'ae_pct',
    part: 'dispositionEmergencyDepartment',
    whole: 'triaged',
    definition: 'A&E dispositions as a share of calls triaged.',
    target: null,
  },
  {
    heading: 'primary_care_pct',
    part: 'dispositionPrimaryCare',
    whole: 'triaged',
    definition: 'Primary and community care dispositions as a share of calls triaged.',
    target: null,
  },
  {
    heading: 'other_pct',
    part: 'dispositionOther',
    whole: 'triaged',
    definition: 'Other dispositions as a share of calls triaged.',
    target: null,
  },
  {
    heading: 'self_care_pct',
    part: 'dispositionSelfCare',
    whole: 'triaged',
    definition: 'Self-care dispositions as a share of calls triaged.',
    target: null,
  },
] as const satisfies readonly {
  heading: string;
  part: MonthlyCountKey;
  whole: MonthlyCountKey;
  definition: string;
  target: { value: number; atLeast: boolean } | null;
}[];

export type MonthlyShare = (typeof MONTHLY_RETURN_SHARES)[number];

export const ZERO_COUNTS: MonthlyCounts = Object.freeze({
  callsReceived: 0,
  callsAnswered: 0,
  answeredWithin60s: 0,
  abandoned: 0,
  abandonedAfter30s: 0,
  triaged: 0,
  passedToClinician: 0,
  warmTransfers: 0,
  callBacks: 0,
  callBacksMade: 0,
  callBacksWithin10Min: 0,
  callBacksByDue: 0,
  dispositionAmbulance: 0,
  dispositionEmergencyDepartment: 0,
  dispositionPrimaryCare: 0,
  dispositionOther: 0,
  dispositionSelfCare: 0,
});

/** Two rows' counts added (areas into a region, providers into an area, months into a period). */
export function addCounts(a: MonthlyCounts, b: MonthlyCounts): MonthlyCounts {
  const out: Record<MonthlyCountKey, number> = { ...a };
  for (const c of MONTHLY_RETURN_COLUMNS) out[c.key] = a[c.key] + b[c.key];
  return out;
}

export const shareOf = (counts: MonthlyCounts, s: MonthlyShare): number | null =>
  percent(counts[s.part], counts[s.whole]);

/**
 * A month's counts from the KPIs of its calls and their outcomes (recorded calls or a simulation):
 * counts the KPIs carry only as shares are worked back from them (rounded to whole calls).
 */
export function monthlyCounts(calls: CallKpis, outcomes: OutcomeKpisLike): MonthlyCounts {
  const back = (pct: number | null, whole: number) => (pct === null ? 0 : Math.round((pct * whole) / 100));
  return {
    callsReceived: calls.offered,
    callsAnswered: calls.answered,
    answeredWithin60s: calls.answeredWithin60s,
    abandoned: calls.abandoned,
    abandonedAfter30s: calls.abandonedAfter30sWithin60s + calls.abandonedAfter60s,
    triaged: outcomes.triaged,
    passedToClinician: outcomes.passedToClinician,
    warmTransfers: outcomes.warmTransfers,
    callBacks: outcomes.callBacks,
    callBacksMade: outcomes.callBacksMade,
    callBacksWithin10Min: back(outcomes.callBacksWithin10MinPercent, outcomes.callBacksMade),
    callBacksByDue: back(outcomes.callBacksByDuePercent, outcomes.callBacksMade),
    dispositionAmbulance: outcomes.outcomes.ambulance,
    dispositionEmergencyDepartment: outcomes.outcomes.emergency_department,
    dispositionPrimaryCare: outcomes.outcomes.primary_care,
    dispositionOther: outcomes.outcomes.other,
    dispositionSelfCare: outcomes.outcomes.self_care,
  };
}

/** The parts of OutcomeKpis a month's counts need (kept structural so kpis.ts and outcomes.ts stay apart). */
export interface OutcomeKpisLike {
  readonly triaged: number;
  readonly passedToClinician: number;
  readonly warmTransfers: number;
  readonly callBacks: number;
  readonly callBacksMade: number;
  readonly callBacksWithin10MinPercent: number | null;
  readonly callBacksByDuePercent: number | null;
  readonly outcomes: {
    readonly ambulance: number;
    readonly emergency_department: number;
    readonly primary_care: number;
    readonly other: number;
    readonly self_care: number;
  };
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text =
    typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(1)) : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (fields: readonly (string | number | null)[]): string =>
  fields.map(csvField).join(',');
