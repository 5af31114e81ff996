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
