import { readRolloutContent } from '../content/rollout';
import { areaHistory, HISTORY_FIRST_MONTH, HISTORY_LAST_MONTH, monthsBetween } from '../sim/demo-history';
import { type Db, inTransaction } from '../store/db';
import { type StoredReturnRow, saveReturnRows } from '../store/reporting';

/** The four first pilots' areas (County Durham and Darlington were one pilot). */
export const FIRST_PILOT_AREAS = ['5ND', '5J9', '5EM', '5N9', '5GC'] as const;

/**
 * Areas not live on 111 until 2013, to compare the pilots with: two in the East of England (the demo
 * commissioner's SHA, beside Luton) and one in each of the other pilots' regions and two more.
 */
export const COMPARISON_AREAS = ['5P2', '5PN', '5D7', '5N7', '5N4', '5MV'] as const;

/**
 * The demo's monthly return history (src/sim/demo-history.ts): February 2010 to July 2011 for the first
 * pilots and the comparison areas, simulated through the whole flow and kept as `simulated_history`.
 * Loaded once under its own `seeded.reporting` key.
 */
export async function seedReportingDemo(db: Db): Promise<boolean> {
  const done = await db
    .selectFrom('setting')
    .select('key')
    .where('key', '=', 'seeded.reporting')
    .executeTakeFirst();
  if (done) return false;
  const codes = [...FIRST_PILOT_AREAS, ...COMPARISON_AREAS];
  const areas = await db
    .selectFrom('area')
    .select(['code', 'population_2011'])
    .where('code', 'in', codes)
    .execute();
  const rows = await demoHistory(areas);
  await inTransaction(db, async (tx) => {
    await saveReturnRows(tx, rows);
    await tx
      .insertInto('setting')
      .values({ key: 'seeded.reporting', value: new Date().toISOString() })
      .execute();
  });
  return true;
}

// Simulated once per process: the tests seed two databases with the same history.
let history: Promise<StoredReturnRow[]> | undefined;

function demoHistory(
  areas: readonly { code: string; population_2011: number }[],
): Promise<StoredReturnRow[]> {
  history ??= Promise.resolve().then(() => simulateHistory(areas));
  return history;
}

function simulateHistory(areas: readonly { code: string; population_2011: number }[]): StoredReturnRow[] {
  const plans = new Map(readRolloutContent().plans.map((p) => [p.area, p]));
  const months = monthsBetween(HISTORY_FIRST_MONTH, HISTORY_LAST_MONTH);
  return [...areas]
    .sort((a, b) => a.code.localeCompare(b.code))
    .flatMap((a) => {
      const plan = plans.get(a.code);
      const pilot = (FIRST_PILOT_AREAS as readonly string[]).includes(a.code);
      return areaHistory(
        {
          areaCode: a.code,
          population: a.population_2011,
          goLiveDate: pilot ? (plan?.goLiveDate ?? null) : null,
          providerCode: plan?.providers[0] ?? 'NHSD',
        },
        months,
      ).map((r) => ({ ...r, source: 'simulated_history' as const }));
    });
}
