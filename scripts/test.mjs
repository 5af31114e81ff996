#!/usr/bin/env node
// The whole suite, as `npm test` runs it: typecheck, lint, build the console, then every test
// (unit, PGlite, a real PostgreSQL server, and the console in headless Chromium). Nothing is skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.OPEN111_CHROMIUM ?? '/usr/bin/chromium';

function run(title, command, args, env = {}) {
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    process.stderr.write(`\n✖ ${title} failed\n`);
    process.exit(result.status ?? 1);
  }
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    process.stderr.write(
      `The browser tests need Debian's Chromium at ${CHROMIUM}. Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium\n(or set OPEN111_CHROMIUM to a Chromium binary)\n`,
    );
    process.exit(1);
  }
  process.stdout.write('▶ installing Debian chromium for the browser tests (once)\n');
  execFileSync(
    'sh',
    ['-c', 'apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null'],
    {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  );
}

ensureChromium();
const bin = (name) => `node_modules/.bin/${name}`;
run('typecheck (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
run('lint and format (biome check)', bin('biome'), ['check', '.']);
run('build the console (vite build)', bin('vite'), [
  'build',
  '--config',
  'web/vite.config.ts',
  '--logLevel',
  'warn',
]);
run('tests: unit, PGlite, PostgreSQL, Chromium (vitest)', bin('vitest'), ['run', ...process.argv.slice(2)], {
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
});
