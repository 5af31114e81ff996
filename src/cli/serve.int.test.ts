import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../test/engines';
import { freePort } from '../../test/postgres-server';

const dataDir = mkdtempSync(join(tmpdir(), 'open111-serve-'));

async function start(
  port: number,
  args: readonly string[] = ['--demo'],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, ['bin/open111.mjs', 'serve', ...args], {
    env: {
      ...process.env,
      PORT: String(port),
      OPEN111_DATA_DIR: dataDir,
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  for (let i = 0; i < 360; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, output: () => output };
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server did not become healthy: ${output}`);
}

/** The pids of a process's children (the workers of `serve --workers`). */
function childrenOf(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map(Number);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 240 && !check(); i++) await new Promise((r) => setTimeout(r, 500));
  if (!check()) throw new Error(`gave up waiting: ${what}`);
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('open111 serve', { timeout: 240_000 }, () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on an empty data dir, prints the URL and demo log-ins, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = await start(port);
    expect(output()).toContain(`http://127.0.0.1:${port}`);
    expect(output()).toMatch(/demo log-ins \(password "demo"\): adviser/);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'adviser', password: 'demo' }),
    });
    expect(login.status).toBe(200);
    const done = exited(child);
    child.kill('SIGTERM');
    expect(await done).toBe(0);
  });

  it('reuses the data on a second start: a session from the first still works', async () => {
    const port = await freePort();
    const first = await start(port);
    const { token } = (await (
      await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'demo' }),
      })
    ).json()) as { token: string };
    let done = exited(first.child);
    first.child.kill('SIGTERM');
    await done;
    const second = await start(port);
    const me = await fetch(`http://127.0.0.1:${port}/api/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    done = exited(second.child);
    second.child.kill('SIGTERM');
    expect(await done).toBe(0);
  });

  it('served without --demo, refuses the demo log-ins and says why on start', async () => {
    const port = await freePort();
    const { child, output } = await start(port, []);
    expect(output()).toMatch(
      /demo log-ins refused: .*demo accounts \(adviser, .*\).*open111 serve --demo.*open111 users disable/,
    );
    expect(output()).not.toMatch(/demo log-ins \(password/);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'adviser', password: 'demo' }),
    });
    expect(login.status).toBe(401);
    expect(((await login.json()) as { detail: string }).detail).toMatch(/--demo/);
    const done = exited(child);
    child.kill('SIGTERM');
    expect(await done).toBe(0);
  });

  it('runs several workers on one port with PostgreSQL, starts a killed one again, and stops them all', async () => {
    const database = await freshPostgresDatabase();
    let pid = 0;
    try {
      const port = await freePort();
      const { child, output } = await start(port, ['--demo', '--workers', '2'], {
        DATABASE_URL: database.url,
      });
      pid = child.pid as number;
      const serving = () => output().match(/worker \d is serving/g)?.length ?? 0;
      await until(() => serving() === 2, 'two workers serving');
      expect(childrenOf(pid)).toHaveLength(2);
      expect(output()).toContain('2 workers on PostgreSQL');
      const [first] = childrenOf(pid);
      process.kill(first as number, 'SIGKILL');
      await until(() => serving() === 3, 'the killed worker serving again');
      expect(childrenOf(pid)).toHaveLength(2);
      expect(childrenOf(pid)).not.toContain(first);
      expect(output()).toMatch(/worker \d stopped \(SIGKILL\); starting it again/);
      const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'adviser', password: 'demo' }),
      });
      expect(login.status).toBe(200);
      const done = exited(child);
      child.kill('SIGTERM');
      expect(await done).toBe(0);
      expect(childrenOf(pid)).toEqual([]);
    } finally {
      // A failed run must not leave servers behind on the machine.
      for (const p of pid > 0 ? [...childrenOf(pid), pid] : []) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await database.drop();
    }
  });

  it('refuses several workers on embedded PGlite, saying why', async () => {
    const run = spawnSync(process.execPath, ['bin/open111.mjs', 'serve', '--workers', '2'], {
      env: { ...process.env, OPEN111_DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--workers needs PostgreSQL/);
  });
});
