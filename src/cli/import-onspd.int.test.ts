import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { createServiceContext } from '../services/context';
import { countPostcodes, findPostcode } from '../store/geography';
import { importOnspd } from './import-onspd';

const fixture = new URL('../../test/fixtures/onspd-sample.csv', import.meta.url).pathname;

describeEachEngine('ONSPD import', (use) => {
  it('imports good rows, skips terminated ones and reports bad ones by line', async () => {
    const ticks: number[] = [];
    const report = await importOnspd(createServiceContext(use()), fixture, {
      start: () => ticks.push(0),
      update: (n) => ticks.push(n),
      stop: () => undefined,
    });
    expect(report.imported).toBe(3);
    expect(report.skipped).toBe(1);
    expect(report.bad.map((b) => b.line)).toEqual([6, 7, 8]);
    expect(report.bad[0]?.reason).toMatch(/not a postcode/);
    expect(report.bad[1]?.reason).toMatch(/not an English PCT/);
    expect(report.bad[2]?.reason).toMatch(/latitude/);
    expect(ticks.at(-1)).toBeGreaterThan(0);
    // ONS (E16…) and ODS (5GC) PCT codes both resolve to the area.
    expect(await findPostcode(use().db, 'LU1 3JU')).toEqual({
      postcode: 'LU1 3JU',
      latitude: 51.879,
      longitude: -0.418,
      areaCode: '5GC',
    });
    expect((await findPostcode(use().db, 'LU2 0AA'))?.areaCode).toBe('5GC');
    expect((await findPostcode(use().db, 'DH1 3LN'))?.areaCode).toBe('5ND');
  });

  it('is idempotent: importing again updates rather than duplicates', async () => {
    const before = await countPostcodes(use().db);
    await importOnspd(createServiceContext(use()), fixture);
    expect(await countPostcodes(use().db)).toBe(before);
  });

  it('refuses a file that is not ONSPD, keeping what was imported', async () => {
    const before = await countPostcodes(use().db);
    const other = join(tmpdir(), `not-onspd-${process.pid}.csv`);
    writeFileSync(other, 'name,age\nalice,3\n');
    await expect(importOnspd(createServiceContext(use()), other)).rejects.toThrow(
      /no column pcds, lat, long, pct/,
    );
    expect(await countPostcodes(use().db)).toBe(before);
  });
});

describe('ONSPD import of a missing file', () => {
  it('says the file does not exist', async () => {
    await expect(importOnspd(undefined as never, '/no/such/file.csv')).rejects.toThrow(/no such file/);
  });
});
