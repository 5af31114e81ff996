import { type MonthlyCounts, monthlyCounts } from '../domain/calls/index';
import { simulateFlow } from './flow';
import { checkScenario, compileScenario, type Scenario } from './scenario';

/**
 * The demo's monthly history, simulated through the whole flow (src/sim/flow.ts) so the pilot
 * evaluation has months before and after each of the four first pilots went live, and areas not yet
 * live to compare them with.
 *
 * DEMONSTRATION FIGURES, NOT FINDINGS. Before an area went live its calls went to NHS Direct's 0845 4647
 * service, modelled here as a nurse-led service (half of calls passed to a nurse) with longer calls and
 * a rota planned for 85% of demand; after go-live, a 111 service with a call adviser's triage first and a
 * rota planned for the whole demand. Both outcome mixes, the handling times, the rota shortfall and the
 * seasonal demand factors (a hard December, as December 2010 was) are this file's own assumptions.
 */

export type HistoryService = 'nhs111' | 'nhs_direct_0845';

export interface HistoryArea {
  readonly areaCode: string;
  readonly population: number;
  /** YYYY-MM-DD the area went live on 111, or null when not within the history. */
  readonly goLiveDate: string | null;
  /** The 111 provider that answers its calls after go-live. */
  readonly providerCode: string;
}

export interface HistoryRow {
  readonly month: string;
  readonly service: HistoryService;
  readonly providerCode: string;
  readonly areaCode: string;
  readonly counts: MonthlyCounts;
}

/** The months the demo history covers: six before the first pilot (August 2010) to six after the last. */
export const HISTORY_FIRST_MONTH = '2010-02';
export const HISTORY_LAST_MONTH = '2011-07';

/** NHS Direct's provider code in the demo (not a real ODS code). */
export const NHS_DIRECT = 'NHSD';

// Demand relative to the model's average month (demo assumption; Easter in April, the cold December).
const SEASON = [1.08, 0.98, 0.97, 1.02, 0.97, 0.93, 0.93, 0.95, 0.95, 1.0, 1.03, 1.25] as const;

interface ServiceProfile extends Pick<Scenario, 'handling' | 'patience' | 'clinical'> {
  readonly callsPerPersonYear: number;
  /** The rota is the Erlang C plan for this multiple of demand. */
  readonly plannedDemand: number;
}

const SERVICE: Record<HistoryService, ServiceProfile> = {
  nhs_direct_0845: {
    callsPerPersonYear: 0.22,
    plannedDemand: 0.85,
    handling: {
      adviser: { kind: 'lognormal', mean: 540, sd: 270 },
      clinician: { kind: 'lognormal', mean: 900, sd: 450 },
      validation: { kind: 'lognormal', mean: 420, sd: 200 },
    },
    patience: { kind: 'exponential', mean: 300 },
    clinical: {
      clinicianShare: 0.5,
      outcomeMix: { ambulance: 6, emergency_department: 11, primary_care: 42, other: 13, self_care: 28 },
      ambulanceValidatedShare: 0.3,
      validateEmergencyDepartment: false,
      assessmentDueSeconds: 600,
      validationDueSeconds: 1800,
    },
  },
  nhs111: {
    callsPerPersonYear: 0.22,
    plannedDemand: 1,
    handling: {
      adviser: { kind: 'lognormal', mean: 480, sd: 240 },
      clinician: { kind: 'lognormal', mean: 720, sd: 360 },
      validation: { kind: 'lognormal', mean: 420, sd: 200 },
    },
    patience: { kind: 'exponential', mean: 300 },
    clinical: {
      clinicianShare: 0.22,
      outcomeMix: { ambulance: 9, emergency_department: 8, primary_care: 57, other: 6, self_care: 20 },
      ambulanceValidatedShare: 0.5,
      validateEmergencyDepartment: true,
      assessmentDueSeconds: 600,
      validationDueSeconds: 1800,
    },
  },
};

/** Every month from first to last (YYYY-MM), both included. */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > last) return out;
    out.push(month);
    m++;
    if (m === 13) {
      m = 1;
      y++;
    }
  }
}

const daysIn = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
};

// A small string hash, so each area-month-service has its own reproducible seed.
const seedOf = (text: string) => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};

function simulateDays(
  area: HistoryArea,
  service: HistoryService,
  start: string,
  days: number,
): MonthlyCounts {
  const p = SERVICE[service];
  const month = Number(start.slice(5, 7));
  const scenario = checkScenario({
    name: `${area.areaCode} ${start}`,
    start,
    days,
    seed: seedOf(`${area.areaCode}/${start}/${service}`),
    demand: {
      population: area.population,
      callsPerPersonYear: p.callsPerPersonYear,
      uplift: SEASON[month - 1] ?? 1,
    },
    handling: p.handling,
    patience: p.patience,
    clinical: p.clinical,
    rota: { plan: 'erlang', plannedDemand: p.plannedDemand },
  });
  const result = simulateFlow(compileScenario(scenario).model);
  return monthlyCounts(result.calls, result.outcomes);
}

/** One area's history: NHS Direct 0845 before go-live, 111 from go-live (the go-live month split by day). */
export function areaHistory(area: HistoryArea, months: readonly string[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  const live = area.goLiveDate;
  for (const month of months) {
    const days = daysIn(month);
    const goLiveDay = live && live.slice(0, 7) === month ? Number(live.slice(8, 10)) : null;
    const beforeDays = live === null || live.slice(0, 7) > month ? days : goLiveDay ? goLiveDay - 1 : 0;
    if (beforeDays > 0)
      rows.push({
        month,
        service: 'nhs_direct_0845',
        providerCode: NHS_DIRECT,
        areaCode: area.areaCode,
        counts: simulateDays(area, 'nhs_direct_0845', `${month}-01`, beforeDays),
      });
    if (beforeDays < days)
      rows.push({
        month,
        service: 'nhs111',
        providerCode: area.providerCode,
        areaCode: area.areaCode,
        counts: simulateDays(
          area,
          'nhs111',
          `${month}-${String(beforeDays + 1).padStart(2, '0')}`,
          days - beforeDays,
        ),
      });
  }
  return rows;
}
