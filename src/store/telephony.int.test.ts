import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { applyCallEvent, momentOnCall, offeredCall } from '../domain/calls/index';
import { answerNextStatement, answerOldestQueued } from './telephony';

const adviser = {
  userId: 7,
  username: 'adviser',
  displayName: 'Adviser',
  role: 'health_adviser' as const,
  organisationCode: 'RX6',
};
const entry = {
  actor: adviser,
  action: 'update' as const,
  resourceType: 'call',
  detail: { via: 'answer-next' },
};
/** A press by adviser 7; each test names the queue and the instant. */
const press = { answeredBy: 7, entry };

describeEachEngine('the call queue ("answer next" in one statement)', (use) => {
  it('reads the queue’s own index even in a plan made once for every provider (no scan of all calls)', async () => {
    const db = use().db;
    // A year of calls taken, all ended, and one waiting: a press must not walk the ended ones.
    await sql`insert into call (id, provider_code, status, offered_at, ended_at)
      select 'ENDED-' || n, case when n % 2 = 0 then 'RX6' else 'NHSD' end, 'ended',
             timestamptz '2012-01-01' + n * interval '1 minute', timestamptz '2012-01-01' + n * interval '1 minute'
        from generate_series(1, 20000) n`.execute(db);
    await sql`insert into call (id, provider_code, status, offered_at)
      values ('WAITING-1', 'RX6', 'queued', timestamptz '2012-06-06 10:00')`.execute(db);
    await sql`analyze call`.execute(db);

    const statement = answerNextStatement(db, {
      ...press,
      providerCode: 'RX6',
      now: new Date('2012-06-06T10:01:00Z'),
    });
    const plan = await db.connection().execute(async (c) => {
      // The plan a named statement settles on after its first runs: one for whatever values are bound.
      await sql`set plan_cache_mode = force_generic_plan`.execute(c);
      await sql.raw(`prepare answer_next as ${statement.sql}`).execute(c);
      const values = sql.join(
        statement.parameters.map((v) => sql.lit(v instanceof Date ? v.toISOString() : v)),
      );
      const rows = await sql<{ 'QUERY PLAN': string }>`explain execute answer_next(${values})`.execute(c);
      await sql`deallocate answer_next`.execute(c);
      await sql`reset plan_cache_mode`.execute(c);
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('call_queue');
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it('answers the longest-waiting call as applyCallEvent would, with its event and audit row; an empty queue writes nothing', async () => {
    const db = use().db;
    const offeredAt = new Date('2012-06-06T10:00:00Z');
    await sql`insert into call (id, provider_code, area_code, status, offered_at) values
      ('Q-NEW', 'R1F', '5GC', 'queued', ${new Date(offeredAt.getTime() + 30_000)}),
      ('Q-OLD', 'R1F', '5GC', 'queued', ${offeredAt}),
      ('Q-AREA', 'R1F', '5P1', 'queued', ${new Date(offeredAt.getTime() - 60_000)})`.execute(db);
    const auditRows = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::integer as n from audit_log where resource_type = 'call'`.execute(db)
      ).rows[0]?.n;
    const before = await auditRows();

    // Nobody waits in a scope of areas with no queued call, nor for another provider.
    expect(
      await answerOldestQueued(db, {
        ...press,
        providerCode: 'R1F',
        areaCodes: new Set(['5QQ']),
        now: offeredAt,
      }),
    ).toBeUndefined();
    expect(await answerOldestQueued(db, { ...press, providerCode: 'NHSD', now: offeredAt })).toBeUndefined();
    expect(
      await answerOldestQueued(db, { ...press, providerCode: 'R1F', areaCodes: new Set(), now: offeredAt }),
    ).toBeUndefined();
    expect(await auditRows()).toBe(before);

    // The switch's clock ran ahead: "now" is before the offer, so the call is answered at its offer.
    const now = new Date(offeredAt.getTime() - 2_000);
    const answered = await answerOldestQueued(db, {
      ...press,
      providerCode: 'R1F',
      areaCodes: new Set(['5GC']),
      now,
    });
    const expected = applyCallEvent(offeredCall('Q-OLD', offeredAt), {
      callId: 'Q-OLD',
      kind: 'answered',
      at: momentOnCall(offeredCall('Q-OLD', offeredAt), now),
    });
    expect(answered).toMatchObject(expected);
    const events = await sql<{ kind: string; at: Date; recorded_by: number }>`
      select kind, at, recorded_by from call_event where call_id = 'Q-OLD'`.execute(db);
    expect(events.rows).toEqual([{ kind: 'answered', at: offeredAt, recorded_by: 7 }]);
    const trail = await sql<{ resource_id: string; username: string; detail: unknown }>`
      select resource_id, username, detail from audit_log where resource_type = 'call' order by id desc limit 1`.execute(
      db,
    );
    expect(trail.rows).toEqual([
      { resource_id: 'Q-OLD', username: 'adviser', detail: { via: 'answer-next' } },
    ]);

    // The next press, with the whole queue in scope, takes the oldest left (another area's).
    expect((await answerOldestQueued(db, { ...press, providerCode: 'R1F', now: offeredAt }))?.id).toBe(
      'Q-AREA',
    );
    expect((await answerOldestQueued(db, { ...press, providerCode: 'R1F', now: offeredAt }))?.id).toBe(
      'Q-NEW',
    );
    expect(await answerOldestQueued(db, { ...press, providerCode: 'R1F', now: offeredAt })).toBeUndefined();
  });
});
