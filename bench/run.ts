import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { type BenchResult, formatNumber } from './lib';

/**
 * `npm run bench`: runs every benchmark in bench/ (each writes bench/results/<name>.json), then
 * rewrites the README's results table from those files, so the README shows the latest figures.
 */
// `npm run bench -- triage dos` runs only those; `npm run bench -- none` just rebuilds the README table.
const only = process.argv.slice(2);
const scripts = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts', 'servers.ts'].includes(f))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));

let failed = false;
for (const script of scripts) {
  console.log(`\n▶ bench/${script}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${script}`], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}

// Every bench writes its own detail; the README shows its `metrics` (and when and where it ran).
type Written = Partial<BenchResult> & { name: string; metrics?: BenchResult['metrics']; cpus?: number };
const results: BenchResult[] = readdirSync('bench/results')
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    name: f.replace(/\.json$/, ''),
    ...(JSON.parse(readFileSync(`bench/results/${f}`, 'utf8')) as Partial<Written>),
  }))
  .filter((r) => Array.isArray(r.metrics))
  .map((r) => ({
    name: r.name,
    at: r.at ?? new Date().toISOString(),
    machine: r.machine ?? `${r.cpus ?? cpus().length} cores`,
    node: r.node ?? process.version,
    metrics: r.metrics ?? [],
  }))
  .sort((a, b) => a.name.localeCompare(b.name));

const rows = results.flatMap((r) =>
  r.metrics.map(
    (m) =>
      `| ${r.name} | ${m.name} | ${formatNumber(m.value)} ${m.unit} | ${m.target ? `${m.target} ${m.met ? '✔' : '✘'}` : ''} | ${r.at.slice(0, 10)} |`,
  ),
);
const machines = [...new Set(results.map((r) => `${r.machine}, Node ${r.node}`))].join('; ');
const table = [
  '<!-- bench:start -->',
  `Measured on ${machines}.`,
  '',
  '| benchmark | measure | result | target | run |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
  '<!-- bench:end -->',
].join('\n');
const readme = readFileSync('README.md', 'utf8');
const updated = readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, table);
if (updated !== readme) writeFileSync('README.md', updated);
console.log(
  `\nREADME benchmark table ${updated !== readme ? 'updated' : 'unchanged'} (${rows.length} rows).`,
);
process.exit(failed ? 1 : 0);
