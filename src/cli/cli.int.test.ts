import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The real `open111` command, as a user runs it, on its own embedded database.
const dataDir = mkdtempSync(join(tmpdir(), 'open111-cli-'));
const open111 = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/open111.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, OPEN111_DATA_DIR: dataDir, DATABASE_URL: '' },
    timeout: 170_000,
  });

// Each test starts a whole process (tsx, content checks, PGlite): slow on a loaded machine, so generous limits.
describe('the open111 command', { timeout: 180_000 }, () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('looks up a postcode on a fresh embedded database', () => {
    const r = open111('lookup', 'lu1 3ju', '--at', '2012-06-01');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('LU1 3JU');
    expect(r.stdout).toMatch(/area \(PCT\)\s+5GC\s+Luton/);
    expect(r.stdout).toMatch(/ambulance trust\s+RYC/);
  });

  it('says what is wrong with a malformed postcode, and exits non-zero', () => {
    const r = open111('lookup', 'L;1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a UK postcode/);
  });

  it('refuses a bad --at date', () => {
    const r = open111('lookup', 'LU1', '--at', 'soon');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--at must be a date/);
  });

  it('seeds once: a second seed does nothing', () => {
    expect(open111('seed', '--demo').status).toBe(0);
    const again = open111('seed', '--demo');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already seeded');
  });

  it('imports an ONSPD file with a report, and says so when the file is missing', () => {
    const ok = open111('import', 'onspd', 'test/fixtures/onspd-sample.csv');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/imported 3 postcodes; skipped 1 terminated; 3 bad rows/);
    const missing = open111('import', 'onspd', '/no/such.csv');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/no such file/);
  });

  it('places an imported postcode exactly', () => {
    const r = open111('lookup', 'LU1 3JU');
    expect(r.stdout).toContain('placed by postcode');
  });
});
