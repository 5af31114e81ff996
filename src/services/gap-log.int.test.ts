import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import type { GapSeen } from '../domain/directory/index';
import { gapReport } from '../store/directory';
import { GapLog } from './gap-log';

describeEachEngine('the Directory gap log, counted and written in aggregate', (use) => {
  const gap = (serviceId: string, areaCode: string | null, at = '2012-06-06T10:15:00Z'): GapSeen => ({
    at: new Date(at),
    areaCode,
    disposition: 'Dx80',
    serviceId,
    filter: 'age',
  });
  const counted = async () =>
    (
      await use()
        .db.selectFrom('dos_gap_count')
        .select(['service_id', 'area_code', 'count'])
        .orderBy('service_id')
        .orderBy('area_code')
        .execute()
    ).map((r) => [r.service_id, r.area_code, r.count]);

  it('writes one row a count, and adds a later write to it (an unknown area too)', async () => {
    const log = new GapLog(use(), undefined, { flushMs: 60_000 });
    try {
      log.add([gap('G1', '5GC'), gap('G1', '5GC'), gap('G2', null)]);
      expect(await counted()).toEqual([]); // nothing written by a search itself
      await log.flush();
      log.add([gap('G1', '5GC'), gap('G2', null)]);
      await log.flush();
      expect(await counted()).toEqual([
        ['G1', '5GC', 3],
        ['G2', null, 2],
      ]);
    } finally {
      await log.close();
    }
  });

  it('reports the counts of every hour the window touches, for the areas asked', async () => {
    const log = new GapLog(use(), undefined, { flushMs: 60_000 });
    log.add([gap('G3', '5ND', '2012-06-07T09:59:00Z'), gap('G3', '5ND', '2012-06-07T10:20:00Z')]);
    await log.close(); // closing writes what is left
    const report = (from: string, to: string) =>
      gapReport(use().db, { areaCodes: ['5ND'], from: new Date(from), to: new Date(to) });
    expect((await report('2012-06-07T10:30:00Z', '2012-06-07T11:00:00Z')).map((r) => r.count)).toEqual([1]);
    expect((await report('2012-06-07T09:00:00Z', '2012-06-07T11:00:00Z')).map((r) => r.count)).toEqual([2]);
    expect(await report('2012-06-07T11:00:00Z', '2012-06-07T12:00:00Z')).toEqual([]);
  });

  it('drops a write the database refused (nothing of it half-written), says so, and goes on', async () => {
    const errors: string[] = [];
    const log = new GapLog(use(), (message) => errors.push(message), { flushMs: 60_000 });
    try {
      // PostgreSQL text cannot hold a NUL byte: the one statement is refused whole.
      log.add([gap('G4', '5GC'), gap('bad\u0000id', '5GC')]);
      await expect(log.flush()).rejects.toThrow();
      expect(errors).toEqual(['gap log: the database refused 2 counts; they are dropped']);
      expect(await counted()).not.toContainEqual(['G4', '5GC', 1]);
      log.add([gap('G5', '5GC')]);
      await log.flush(); // not held up by the refused counts
      expect(await counted()).toContainEqual(['G5', '5GC', 1]);
      expect(await counted()).not.toContainEqual(['G4', '5GC', 1]);
    } finally {
      await log.close();
    }
  });

  it('keeps the counts of a write the database could not be reached for, and writes them later', async () => {
    const errors: string[] = [];
    let reachable = false;
    const real = use();
    // A store whose database is away until `reachable`: the driver's own refusal of a closed connection.
    const away = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    const flaky = {
      ...real,
      db: new Proxy(real.db, {
        get(target, key) {
          if (key === 'insertInto' && !reachable)
            return () => {
              throw away;
            };
          // Kysely keeps its state in private fields: its methods must run on the instance itself.
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    };
    const log = new GapLog(flaky, (message) => errors.push(message), { flushMs: 60_000 });
    try {
      log.add([gap('G6', '5GC')]);
      await expect(log.flush()).rejects.toThrow();
      expect(errors).toEqual(['gap log not written (no database); kept for the next try']);
      log.add([gap('G6', '5GC')]);
      reachable = true;
      await log.flush();
      expect(await counted()).toContainEqual(['G6', '5GC', 2]);
    } finally {
      await log.close();
    }
  });
});
