import { planFromScenario, type RolloutContent, readRolloutContent } from '../content/rollout';
import { hashPassword } from '../domain/auth/index';
import { approvePlan, type Provider, providerCatalogue, submitPlan } from '../domain/commissioning/index';
import { appendPlanEvent, ccgsByArea, savePlan } from '../store/commissioning';
import { type Db, inTransaction, type Tx } from '../store/db';
import { loadGeography } from '../store/geography';
import { insertUser } from '../store/users';

/** Demo log-ins for the rollout: a CCG approver (Bedfordshire CCG) and a national commissioner (DH). */
export const ROLLOUT_DEMO_USERS = [
  { username: 'ccg', displayName: 'Casey CCG Approver', role: 'commissioner', organisationCode: '06F' },
  { username: 'national', displayName: 'Nat National', role: 'commissioner', organisationCode: 'DH' },
] as const;

/**
 * Seeds the demo rollout scenario (content/rollout/plans.yaml), the providers and CCGs as
 * organisations, and the rollout log-ins. Every plan passes the same rules as an edit through the API.
 */
export async function seedRolloutDemo(
  tx: Tx,
  content: RolloutContent,
  providers: ReadonlyMap<string, Provider>,
  password: string,
): Promise<void> {
  const ccgs = await tx.selectFrom('ccg_area').select(['ccg_code', 'ccg_name']).distinct().execute();
  await tx
    .insertInto('organisation')
    .values([
      ...ccgs.map((c) => ({ code: c.ccg_code, name: c.ccg_name, kind: 'ccg' })),
      ...content.providers.map((p) => ({ code: p.code, name: p.name, kind: 'provider' })),
    ])
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  const passwordHash = await hashPassword(password);
  for (const user of ROLLOUT_DEMO_USERS) await insertUser(tx, { ...user, passwordHash, demo: true });

  const byArea = await ccgsByArea(tx);
  for (const s of content.plans) {
    let plan = planFromScenario(
      s,
      providers,
      s.note ?? (s.demo.length > 0 ? `Demo values: ${s.demo.join('; ')}.` : ''),
    );
    const at = (d: string) => new Date(`${d}T09:00:00Z`);
    await appendPlanEvent(
      tx,
      { areaCode: s.area, kind: 'created', at: at('2011-09-01'), by: 'seed', reason: 'demo scenario' },
      plan,
    );
    if (s.submitted) {
      plan = submitPlan(plan, `SHA ${s.area}`, at(s.submitted));
      await appendPlanEvent(
        tx,
        { areaCode: s.area, kind: 'submitted', at: at(s.submitted), by: 'seed', reason: 'demo scenario' },
        plan,
      );
    }
    if (s.approved) {
      const ccg = byArea.get(s.area)?.[0];
      if (!ccg) throw new Error(`content/rollout/plans.yaml: area ${s.area} has no CCG to approve its plan`);
      plan = approvePlan(plan, `CCG ${ccg}`, ccg, at(s.approved));
      await appendPlanEvent(
        tx,
        { areaCode: s.area, kind: 'approved', at: at(s.approved), by: 'seed', reason: 'demo scenario' },
        plan,
      );
    }
    if (!(await savePlan(tx, plan, null, 'seed')))
      throw new Error(`content/rollout/plans.yaml: area ${s.area} already has a plan`);
  }
}

/** Loads the demo rollout once (its own `setting` key); a second call does nothing. */
export async function seedRollout(db: Db, password: string): Promise<boolean> {
  const done = await db
    .selectFrom('setting')
    .select('key')
    .where('key', '=', 'seeded.rollout')
    .executeTakeFirst();
  if (done) return false;
  const content = readRolloutContent();
  const providers = providerCatalogue(content.providers, await loadGeography(db));
  await inTransaction(db, async (tx) => {
    await seedRolloutDemo(tx, content, providers, password);
    await tx
      .insertInto('setting')
      .values({ key: 'seeded.rollout', value: new Date().toISOString() })
      .execute();
  });
  return true;
}
