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

  it('writes nothing of a write that failed, keeps its counts and says so', async () => {
    const errors: string[] = [];
    const log = new GapLog(use(), (message) => errors.push(message), { flushMs: 60_000 });
    try {
      // PostgreSQL text cannot hold a NUL byte: the one statement is refused whole.
      log.add([gap('G4', '5GC'), gap('bad\u0000id', '5GC')]);
      await expect(log.flush()).rejects.toThrow();
      expect(errors).toEqual(['gap log not written; kept for the next try']);
      expect(await counted()).not.toContainEqual(['G4', '5GC', 1]);
      await expect(log.flush()).rejects.toThrow(); // still kept: tried again
      expect(errors).toHaveLength(2);
    } finally {
      await log.close(); // tries once more and fails quietly
    }
  });
});
