import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The real `open111` command, as a user runs it, on its own embedded database.
const dataDir = mkdtempSync(join(tmpdir(), 'open111-cli-'));
const run = (args: readonly string[], input?: string) =>
  spawnSync(process.execPath, ['bin/open111.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, OPEN111_DATA_DIR: dataDir, DATABASE_URL: '' },
    timeout: 170_000,
    ...(input === undefined ? {} : { input }),
  });
const open111 = (...args: string[]) => run(args);

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

  it('adds a member of staff with the password from standard input, then lists them', () => {
    const add = run(
      [
        'users',
        'add',
        'first.admin',
        '--role',
        'system_admin',
        '--organisation',
        'DH',
        '--name',
        'First Admin',
      ],
      'a long enough passphrase\n',
    );
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    expect(add.stdout).toMatch(/added first\.admin\s+system_admin\s+DH\s+First Admin/);
    const list = open111('users', 'list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/first\.admin\s+system_admin\s+DH\s+First Admin/);
  });

  it('refuses a short password, a taken username and an unknown organisation, in plain words', () => {
    const args = [
      'users',
      'add',
      'second',
      '--role',
      'clinician',
      '--organisation',
      'DH',
      '--name',
      'Second',
    ];
    const short = run(args, 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const taken = run(['users', 'add', 'first.admin', ...args.slice(3)], 'a long enough passphrase\n');
    expect(taken.status).toBe(2);
    expect(taken.stderr).toMatch(/"first\.admin" is taken/);
    const nowhere = run(
      ['users', 'add', 'third', '--role', 'clinician', '--organisation', 'ZZZ9', '--name', 'T'],
      'a long enough passphrase\n',
    );
    expect(nowhere.status).toBe(2);
    expect(nowhere.stderr).toMatch(/There is no organisation ZZZ9/);
  });

  it('disables a member of staff', () => {
    const r = open111('users', 'disable', 'first.admin');
    expect(r.status).toBe(0);
    expect(open111('users', 'list').stdout).toMatch(/first\.admin.*\(disabled /);
  });

  it('places an imported postcode exactly', () => {
    const r = open111('lookup', 'LU1 3JU');
    expect(r.stdout).toContain('placed by postcode');
  });
});
