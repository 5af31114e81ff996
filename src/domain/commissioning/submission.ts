import { isConfirmed, missingForConfirmation } from './rules';
import type { IsoDate, Provider, RolloutArea, RolloutCalendar, RolloutPlan } from './types';

/**
 * The SHA's submission to the Department of Health: for every area of the SHA, its go-live date, its
 * operating model and providers, and whether its CCG has approved it; the geographic rollout that
 * follows (population live by each go-live date); and what still stops it being complete. One
 * document, reviewed and then sent, before the submission deadline.
 */

export interface SubmissionArea {
  readonly code: string;
  readonly name: string;
  readonly population: number;
  readonly status: string;
  readonly operatingModel: string | null;
  readonly providers: readonly { readonly code: string; readonly name: string }[];
  readonly procurementDate: IsoDate | null;
  readonly goLiveDate: IsoDate | null;
  readonly stage: string | null;
  readonly ccgApproval: { readonly ccgCode: string; readonly at: string } | null;
  readonly confirmed: boolean;
}

export interface RolloutStep {
  readonly goLiveDate: IsoDate;
  readonly areas: readonly string[];
  readonly population: number;
  /** Share of the SHA's population live by this date, in per cent. */
  readonly cumulativePercent: number;
}

export type SubmissionStatus = 'not_sent' | 'sent' | 'sent_late';

export interface ShaSubmission {
  readonly regionCode: string;
  readonly regionName: string;
  readonly deadline: IsoDate;
  readonly areas: readonly SubmissionArea[];
  readonly rollout: readonly RolloutStep[];
  /** What still keeps the submission from being complete, in sentences (empty: complete). */
  readonly outstanding: readonly string[];
  readonly status: SubmissionStatus;
  readonly sentAt: string | null;
  readonly sentBy: string | null;
}

/** Builds the document from the SHA's areas and their plans as they stand. */
export function buildSubmission(input: {
  readonly regionCode: string;
  readonly regionName: string;
  readonly areas: readonly RolloutArea[];
  readonly plans: ReadonlyMap<string, RolloutPlan>;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly calendar: RolloutCalendar;
  readonly sent: { readonly at: string; readonly by: string } | null;
}): ShaSubmission {
  const mine = input.areas
    .filter((a) => a.regionCode === input.regionCode)
    .sort((a, b) => a.name.localeCompare(b.name));
  const areas = mine.map((a): SubmissionArea => {
    const p = input.plans.get(a.code);
    return {
      code: a.code,
      name: a.name,
      population: a.population,
      status: p?.status ?? 'no_plan',
      operatingModel: p?.operatingModel ?? null,
      providers: (p?.providerCodes ?? []).map((code) => ({
        code,
        name: input.providers.get(code)?.name ?? code,
      })),
      procurementDate: p?.procurementDate ?? null,
      goLiveDate: p?.goLiveDate ?? null,
      stage: p?.stage ?? null,
      ccgApproval: p?.ccgApproval ? { ccgCode: p.ccgApproval.ccgCode, at: p.ccgApproval.at } : null,
      confirmed: isConfirmed(p),
    };
  });
  const total = areas.reduce((n, a) => n + a.population, 0);
  const byDate = new Map<string, SubmissionArea[]>();
  for (const a of areas)
    if (a.goLiveDate && a.status !== 'withdrawn')
      byDate.set(a.goLiveDate, [...(byDate.get(a.goLiveDate) ?? []), a]);
  let running = 0;
  const rollout = [...byDate.entries()]
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([goLiveDate, as]): RolloutStep => {
      const population = as.reduce((n, a) => n + a.population, 0);
      running += population;
      return {
        goLiveDate,
        areas: as.map((a) => a.code),
        population,
        cumulativePercent: total === 0 ? 0 : (100 * running) / total,
      };
    });
  const outstanding = mine.flatMap((a) => {
    const p = input.plans.get(a.code);
    if (isConfirmed(p)) return [];
    if (!p)
      return [
        `${a.name} (${a.code}) has no plan: after the deadline it is opted in to the default provider.`,
      ];
    return [`${a.name} (${a.code}) is not confirmed yet: ${missingForConfirmation(p).join(', ')} missing.`];
  });
  const status: SubmissionStatus = !input.sent
    ? 'not_sent'
    : input.sent.at.slice(0, 10) <= input.calendar.submissionDeadline
      ? 'sent'
      : 'sent_late';
  return {
    regionCode: input.regionCode,
    regionName: input.regionName,
    deadline: input.calendar.submissionDeadline,
    areas,
    rollout,
    outstanding,
    status,
    sentAt: input.sent?.at ?? null,
    sentBy: input.sent?.by ?? null,
  };
}
