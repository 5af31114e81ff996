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
const mean = (xs: readonly number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

export function callKpis(calls: readonly Call[]): CallKpis {
  let answered = 0;
  let abandoned = 0;
  let within60 = 0;
  let ab30 = 0;
  let ab60 = 0;
  let abLate = 0;
  let transferred = 0;
  const waits: number[] = [];
  const episodes: number[] = [];
  for (const c of calls) {
    const wait = waitSeconds(c);
    if (wait !== null) waits.push(wait);
    if (c.answeredAt) {
      answered++;
      if (wait !== null && wait <= 60) within60++;
      if (c.transferredAt) transferred++;
      if (c.endedAt) episodes.push((c.endedAt.getTime() - c.answeredAt.getTime()) / 1000);
    } else if (c.abandonedAt && wait !== null) {
      abandoned++;
      if (wait <= 30) ab30++;
      else if (wait <= 60) ab60++;
      else abLate++;
    }
  }
  return {
    offered: calls.length,
    answered,
    abandoned,
    answeredWithin60s: within60,
    answeredWithin60sPercent: percent(within60, answered),
    abandonedWithin30s: ab30,
    abandonedAfter30sWithin60s: ab60,
    abandonedAfter60s: abLate,
    abandonedAfter30sPercent: percent(ab60 + abLate, calls.length),
    transferred,
    transferredPercent: percent(transferred, answered),
    meanWaitSeconds: mean(waits),
    meanEpisodeSeconds: mean(episodes),
  };
}
