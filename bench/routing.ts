// Routing benchmark: builds the routing table for England from the demo scenario (after the deadline),
// then times routing calls, rebuilding after a plan change, and the coverage series for the chart.
// Prints the figures and writes bench/results/routing.json. Run: node --import tsx bench/routing.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readGeographyContent } from '../src/content/geography';
import { planFromScenario, readRolloutContent } from '../src/content/rollout';
import {
  applyDeadline,
  approvePlan,
  buildRoutingTable,
  coverageSeries,
  providerCatalogue,
  type RolloutPlan,
  rolloutAreas,
  route,
  submitPlan,
  withPlan,
} from '../src/domain/commissioning/index';
import type { BenchMetric } from './lib';

const geo = readGeographyContent();
const content = readRolloutContent();
const providers = providerCatalogue(content.providers, geo);
const areas = rolloutAreas(geo, content.calendar, {
  byRegion: content.outOfHoursByRegion,
  byArea: content.outOfHoursByArea,
});
const plans = new Map<string, RolloutPlan>();
const at = new Date('2011-09-01T09:00:00Z');
for (const s of content.plans) {
  let plan = planFromScenario(s, providers);
  if (s.submitted) plan = submitPlan(plan, 'sha', at);
  if (s.approved) plan = approvePlan(plan, 'ccg', 'X', at);
  plans.set(s.area, plan);
}
for (const c of applyDeadline(areas, plans, content.calendar, '2011-09-23')) plans.set(c.areaCode, c.plan);

const time = (n: number, work: (i: number) => void): number => {
  const start = performance.now();
  for (let i = 0; i < n; i++) work(i);
  return performance.now() - start;
};

const buildRuns = 200;
const buildMs =
  time(buildRuns, () => buildRoutingTable(areas, plans, content.calendar, providers)) / buildRuns;
const table = buildRoutingTable(areas, plans, content.calendar, providers);

const codes = areas.map((a) => a.code);
const t0 = Date.parse('2010-01-01T00:00:00Z');
const span = Date.parse('2014-06-01T00:00:00Z') - t0;
const calls = 1_000_000;
const instants = Array.from({ length: 4096 }, (_, i) => new Date(t0 + ((i * 7919) % 4096) * (span / 4096)));
let live = 0;
const routeMs = time(calls, (i) => {
  if (route(table, codes[i % codes.length] ?? '5GC', instants[i % instants.length] ?? new Date(t0)).live)
    live++;
});

const changeRuns = 10_000;
const lutonPlan = plans.get('5GC');
const changeMs = time(changeRuns, () => withPlan(table, '5GC', lutonPlan, providers)) / changeRuns;
const seriesStart = performance.now();
const series = coverageSeries(table, plans, '2010-08-01', content.calendar.nationalCoverageDate);
const seriesMs = performance.now() - seriesStart;

const results = {
  name: 'routing',
  node: process.version,
  areas: areas.length,
  plans: plans.size,
  buildTableMs: Number(buildMs.toFixed(3)),
  routeCalls: calls,
  routeTotalMs: Number(routeMs.toFixed(1)),
  routeNsPerCall: Number(((routeMs * 1e6) / calls).toFixed(0)),
  routeCallsPerSecond: Math.round(calls / (routeMs / 1000)),
  liveShare: Number((live / calls).toFixed(3)),
  rebuildOneAreaMs: Number(changeMs.toFixed(4)),
  coverageSeriesMonths: series.length,
  coverageSeriesMs: Number(seriesMs.toFixed(1)),
  // The headline figures, in the shape bench/run.ts puts into the README.
  metrics: [
    { name: 'route one call', value: (routeMs * 1e3) / calls, unit: 'µs' },
    { name: 'build the routing table (151 areas)', value: buildMs, unit: 'ms' },
    { name: 'rebuild one area after a plan change', value: changeMs, unit: 'ms' },
  ] satisfies BenchMetric[],
};
console.log(results);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/routing.json', `${JSON.stringify(results, null, 2)}\n`);
