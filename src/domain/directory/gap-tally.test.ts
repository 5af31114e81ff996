import { describe, expect, it } from 'vitest';
import { type GapSeen, GapTally } from './gap-tally';

const gap = (at: string, serviceId = 'S1', areaCode: string | null = '5GC'): GapSeen => ({
  at: new Date(at),
  areaCode,
  disposition: 'Dx80',
  serviceId,
  filter: 'age',
});

describe('the gap tally', () => {
  it('counts a gap once an hour for the same area, disposition, service and filter', () => {
    const t = new GapTally();
    t.add([gap('2012-06-06T10:05:00Z'), gap('2012-06-06T10:59:59Z'), gap('2012-06-06T11:00:00Z')]);
    t.add([gap('2012-06-06T10:30:00Z', 'S2'), gap('2012-06-06T10:30:00Z', 'S1', null)]);
    const counts = t.take().map((c) => [c.hour.toISOString(), c.serviceId, c.areaCode, c.count]);
    expect(counts).toEqual([
      ['2012-06-06T10:00:00.000Z', 'S1', '5GC', 2],
      ['2012-06-06T11:00:00.000Z', 'S1', '5GC', 1],
      ['2012-06-06T10:00:00.000Z', 'S2', '5GC', 1],
      ['2012-06-06T10:00:00.000Z', 'S1', null, 1],
    ]);
    expect(t.size).toBe(0);
  });

  it('adds counts put back after a failed write to those counted meanwhile', () => {
    const t = new GapTally();
    t.add([gap('2012-06-06T10:05:00Z')]);
    const unwritten = t.take();
    t.add([gap('2012-06-06T10:06:00Z')]);
    t.restore(unwritten);
    expect(t.take().map((c) => c.count)).toEqual([2]);
  });

  it('keeps at most its bound of counts, and says how many gaps it did not keep', () => {
    const t = new GapTally(2);
    t.add([gap('2012-06-06T10:00:00Z', 'S1'), gap('2012-06-06T10:00:00Z', 'S2')]);
    t.add([gap('2012-06-06T10:00:00Z', 'S3'), gap('2012-06-06T10:00:00Z', 'S3')]);
    t.add([gap('2012-06-06T10:00:00Z', 'S1')]); // a count already held still counts
    expect(t.size).toBe(2);
    expect(t.dropped).toBe(2);
    expect(t.take().map((c) => c.count)).toEqual([2, 1]);
  });
});
