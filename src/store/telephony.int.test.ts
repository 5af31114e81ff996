import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { anyQueued, queueProbe } from './telephony';

describeEachEngine('the call queue probe ("answer next" finding the queue empty)', (use) => {
  it('reads the queue’s own index even in a plan made once for every provider (no scan of all calls)', async () => {
    const db = use().db;
    // A year of calls taken, all ended, and one waiting: the probe must not walk the ended ones.
    await sql`insert into call (id, provider_code, status, offered_at, ended_at)
      select 'ENDED-' || n, case when n % 2 = 0 then 'RX6' else 'NHSD' end, 'ended',
             timestamptz '2012-01-01' + n * interval '1 minute', timestamptz '2012-01-01' + n * interval '1 minute'
        from generate_series(1, 20000) n`.execute(db);
    await sql`insert into call (id, provider_code, status, offered_at)
      values ('WAITING-1', 'RX6', 'queued', timestamptz '2012-06-06 10:00')`.execute(db);
    await sql`analyze call`.execute(db);
    expect(await anyQueued(db, 'RX6')).toBe(true);
    expect(await anyQueued(db, 'NHSD')).toBe(false);

    const probe = queueProbe(db, 'RX6').compile();
    const plan = await db.connection().execute(async (c) => {
      // The plan a named statement settles on after its first runs: one for whatever values are bound.
      await sql`set plan_cache_mode = force_generic_plan`.execute(c);
      await sql.raw(`prepare queue_probe as ${probe.sql}`).execute(c);
      const values = sql.join(probe.parameters.map((v) => sql.lit(v)));
      const rows = await sql<{ 'QUERY PLAN': string }>`explain execute queue_probe(${values})`.execute(c);
      await sql`deallocate queue_probe`.execute(c);
      await sql`reset plan_cache_mode`.execute(c);
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('call_queue');
    expect(plan).not.toMatch(/Seq Scan/);
  });
});
