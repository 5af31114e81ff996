/**
 * The simulator against SimPy, side by side in one run, and a year of national demand.
 *
 *   1. The M/M/c + exponential-patience queue (λ = 0.05/s, 28 agents, mean handling 480 s, mean
 *      patience 300 s): open111's simulator vs bench/simpy_mmc.py. Target ≥ 100× SimPy.
 *   2. The whole flow (advisers, clinicians, call-backs, validation) vs bench/simpy_flow.py with the
 *      same parameters and constant staffing. Target ≥ 20× SimPy.
 *      Both with service level and abandonment within 1 point of SimPy's (and, for 1, of Erlang A).
 *   3. content/scenarios/national-year.yaml (≈ 22 million calls) through the whole flow: target
 *      < 60 s, with heap memory that does not grow with the calls simulated.
 *
 * Speeds are calls per CPU-second of the process (process.cpuUsage / Python's process_time), because
 * this machine is shared: wall-clock time measures the other work on it as much as ours. Wall-clock
 * figures are written too. SimPy is Debian's python3-simpy (SimPy 2, classic API) at /usr/bin/python3;
 * without it, parts 1 and 2 are skipped and say so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { erlangA } from '../src/sim/erlang';
import { type FlowModel, type FlowResult, FlowSimulation, simulateFlow } from '../src/sim/flow';
import { compileScenario, parseScenario } from '../src/sim/scenario';
import { compileDistribution } from '../src/sim/variates';
import { type BenchMetric, writeBenchResult } from './lib';

// The heap is sampled after a full collection; without --expose-gc, run again with it.
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const PYTHON = '/usr/bin/python3';
const SIMPY_CALLS = Number(process.env.SIM_BENCH_SIMPY_CALLS ?? 100_000);
const OURS_CALLS = Number(process.env.SIM_BENCH_CALLS ?? 4_000_000);
const LAMBDA = 0.05;

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Runs a model, timed in CPU and wall seconds. */
function timed(model: FlowModel): { result: FlowResult; cpu: number; wall: number } {
  const c0 = cpuSeconds();
  const w0 = performance.now();
  const result = simulateFlow(model);
  return { result, cpu: cpuSeconds() - c0, wall: (performance.now() - w0) / 1000 };
}

interface SimpyAnswer {
  offered: number;
  answered: number;
  within60: number;
  abandoned: number;
  abandonedAfter30: number;
  callBacksMade?: number;
  callBacksWithin10Min?: number;
  warmTransfers?: number;
  callBacks?: number;
  seconds: number;
}

function runSimpy(script: string, args: string[]): { answer: SimpyAnswer; cpu: number } | string {
  const check = spawnSync(PYTHON, ['-c', 'import SimPy.Simulation'], { encoding: 'utf8' });
  if (check.status !== 0)
    return `SimPy is not installed (${PYTHON} cannot import SimPy.Simulation; apt-get install python3-simpy)`;
  const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `${script} failed: ${r.stderr.slice(0, 400)}`;
  const answer = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as SimpyAnswer;
  // The Python script reports process_time around the simulation only (not interpreter start-up).
  return { answer, cpu: answer.seconds };
}

const hoursFor = (calls: number) => Math.ceil(calls / (LAMBDA * 3600));
const constant = (hours: number, v: number) => new Float64Array(hours).fill(v);

function mmcModel(calls: number, seed: number): FlowModel {
  const hours = hoursFor(calls);
  return {
    callsByHour: constant(hours, LAMBDA * 3600),
    advisersByHour: new Int32Array(hours).fill(28),
    cliniciansByHour: new Int32Array(hours),
    adviserHandling: compileDistribution({ kind: 'exponential', mean: 480 }),
    clinicianHandling: compileDistribution({ kind: 'exponential', mean: 1 }),
    validationHandling: compileDistribution({ kind: 'exponential', mean: 1 }),
    patience: compileDistribution({ kind: 'exponential', mean: 300 }),
    clinical: false,
    clinicianShare: 0,
    outcomeMix: [0, 0, 0, 0, 1],
    ambulanceValidatedShare: 0,
    validateEmergencyDepartment: false,
    assessmentDueSeconds: 600,
    validationDueSeconds: 1800,
    seed,
    hourly: false,
  };
}

// The whole-flow comparison's parameters, shared with bench/simpy_flow.py.
const FLOW = {
  lambda: LAMBDA,
  advisers: 28,
  clinicians: 12,
  patience: 300,
  adviserMean: 480,
  adviserSd: 240,
  clinicianMean: 720,
  clinicianSd: 360,
  validationMean: 420,
  validationSd: 200,
  clinicianShare: 0.2,
  ambulanceValidatedShare: 0.5,
  mix: [11, 9, 61, 4, 16],
  assessmentDue: 600,
  validationDue: 1800,
};

function flowModel(calls: number, seed: number): FlowModel {
  const hours = hoursFor(calls);
  return {
    callsByHour: constant(hours, LAMBDA * 3600),
    advisersByHour: new Int32Array(hours).fill(FLOW.advisers),
    cliniciansByHour: new Int32Array(hours).fill(FLOW.clinicians),
    adviserHandling: compileDistribution({ kind: 'lognormal', mean: FLOW.adviserMean, sd: FLOW.adviserSd }),
    clinicianHandling: compileDistribution({
      kind: 'lognormal',
      mean: FLOW.clinicianMean,
      sd: FLOW.clinicianSd,
    }),
    validationHandling: compileDistribution({
      kind: 'lognormal',
      mean: FLOW.validationMean,
      sd: FLOW.validationSd,
    }),
    patience: compileDistribution({ kind: 'exponential', mean: FLOW.patience }),
    clinical: true,
    clinicianShare: FLOW.clinicianShare,
    outcomeMix: FLOW.mix,
    ambulanceValidatedShare: FLOW.ambulanceValidatedShare,
    validateEmergencyDepartment: true,
    assessmentDueSeconds: FLOW.assessmentDue,
    validationDueSeconds: FLOW.validationDue,
    seed,
    hourly: false,
  };
}

const simpyFlowParams = () => {
  const total = FLOW.mix.reduce((a, b) => a + b, 0);
  let run = 0;
  const cumulativeMix = FLOW.mix.map((m) => {
    run += m / total;
    return run;
  });
  return JSON.stringify({ ...FLOW, cumulativeMix });
};

const pct = (part: number, whole: number) => (100 * part) / whole;
const metrics: BenchMetric[] = [];
const notes: string[] = [
  'Speeds are calls per CPU-second of each process (the machine is shared by other work); wall-clock figures are in the detail.',
];
const detail: Record<string, unknown> = {};

/** Simulates a few times and keeps the fastest: the least disturbed by the machine's other work. */
function fastest(make: (seed: number) => FlowModel, runs = 3) {
  let best: ReturnType<typeof timed> | null = null;
  for (let i = 0; i < runs; i++) {
    const t = timed(make(100 + i));
    if (!best || t.cpu < best.cpu) best = t;
  }
  if (!best) throw new Error('no run');
  return best;
}

function compare(
  label: string,
  ours: ReturnType<typeof timed>,
  simpy: ReturnType<typeof runSimpy>,
  speedTarget: number,
) {
  const k = ours.result.calls;
  const oursRate = k.offered / ours.cpu;
  const oursSl = k.answeredWithin60sPercent ?? 0;
  const oursAb = pct(k.abandoned, k.offered);
  const oursAb30 = k.abandonedAfter30sPercent ?? 0;
  metrics.push({ name: `${label}: open111 calls per CPU-second`, value: oursRate, unit: 'calls/s' });
  detail[label] = {
    ours: {
      calls: k.offered,
      cpuSeconds: ours.cpu,
      wallSeconds: ours.wall,
      serviceLevel: oursSl,
      abandonedPercent: oursAb,
      abandonedAfter30sPercent: oursAb30,
      outcomes: ours.result.outcomes,
    },
  };
  if (typeof simpy === 'string') {
    notes.push(`${label}: SimPy comparison skipped: ${simpy}`);
    console.log(`${label}: SimPy comparison skipped: ${simpy}`);
    return;
  }
  const s = simpy.answer;
  const simpyRate = s.offered / simpy.cpu;
  const simpySl = pct(s.within60, s.answered);
  const simpyAb = pct(s.abandoned, s.offered);
  const simpyAb30 = pct(s.abandonedAfter30, s.offered);
  const ratio = oursRate / simpyRate;
  const slGap = Math.abs(oursSl - simpySl);
  const abGap = Math.max(Math.abs(oursAb - simpyAb), Math.abs(oursAb30 - simpyAb30));
  metrics.push(
    { name: `${label}: SimPy calls per CPU-second`, value: simpyRate, unit: 'calls/s' },
    {
      name: `${label}: speed-up over SimPy`,
      value: ratio,
      unit: '×',
      target: `≥ ${speedTarget}×`,
      met: ratio >= speedTarget,
    },
    {
      name: `${label}: service level gap to SimPy`,
      value: slGap,
      unit: 'points',
      target: '≤ 1',
      met: slGap <= 1,
    },
    {
      name: `${label}: abandonment gap to SimPy`,
      value: abGap,
      unit: 'points',
      target: '≤ 1',
      met: abGap <= 1,
    },
  );
  (detail[label] as Record<string, unknown>).simpy = {
    calls: s.offered,
    cpuSeconds: simpy.cpu,
    serviceLevel: simpySl,
    abandonedPercent: simpyAb,
    abandonedAfter30sPercent: simpyAb30,
    ...(s.callBacksMade
      ? {
          callBacksWithin10MinPercent: pct(s.callBacksWithin10Min ?? 0, s.callBacksMade),
          warmTransfers: s.warmTransfers,
          callBacks: s.callBacks,
        }
      : {}),
  };
}

// 1. M/M/c + M.
console.log(
  `M/M/c: SimPy ${SIMPY_CALLS.toLocaleString()} calls, open111 ${OURS_CALLS.toLocaleString()} calls (best of 3)…`,
);
const mmcSimpy = runSimpy('bench/simpy_mmc.py', [String(SIMPY_CALLS), '1']);
const mmcOurs = fastest((seed) => mmcModel(OURS_CALLS, seed));
compare('M/M/c', mmcOurs, mmcSimpy, 100);
const a = erlangA({ agents: 28, arrivalsPerSecond: LAMBDA, handleSeconds: 480, patienceSeconds: 300 });
const slVsErlang = Math.abs((mmcOurs.result.calls.answeredWithin60sPercent ?? 0) - 100 * a.serviceLevel);
metrics.push({
  name: 'M/M/c: service level gap to Erlang A',
  value: slVsErlang,
  unit: 'points',
  target: '≤ 1',
  met: slVsErlang <= 1,
});
detail.erlangA = {
  serviceLevel: 100 * a.serviceLevel,
  abandonedPercent: 100 * a.abandonedShare,
  abandonedAfter30sPercent: 100 * a.abandonedAfterShare,
};

// 2. The whole flow.
console.log('whole flow…');
const flowSimpy = runSimpy('bench/simpy_flow.py', [String(SIMPY_CALLS), '1', simpyFlowParams()]);
const flowOurs = fastest((seed) => flowModel(OURS_CALLS, seed));
compare('whole flow', flowOurs, flowSimpy, 20);

// 3. A year of national demand, a day at a time, sampling the heap as it goes.
console.log('a year of national demand…');
const { model } = compileScenario(
  parseScenario(readFileSync('content/scenarios/national-year.yaml', 'utf8')),
  {
    hourly: true,
  },
);
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const sim = new FlowSimulation(model);
const samples: { day: number; heapMiB: number }[] = [];
const c0 = cpuSeconds();
const w0 = performance.now();
let gcPause = 0;
for (let d = 0; d < 365; d++) {
  sim.runHours(24);
  if (d % 30 === 29 || d === 364) {
    const p0 = performance.now();
    samples.push({ day: d + 1, heapMiB: heap() / 2 ** 20 });
    gcPause += performance.now() - p0;
  }
}
const year = sim.finish();
const yearWall = (performance.now() - w0 - gcPause) / 1000;
const yearCpu = cpuSeconds() - c0;
const first = samples[0]?.heapMiB ?? 0;
const growth = Math.max(...samples.map((s) => s.heapMiB)) - first;
metrics.push(
  { name: 'national year: calls', value: year.calls.offered, unit: 'calls' },
  { name: 'national year: CPU time', value: yearCpu, unit: 's', target: '< 60 s', met: yearCpu < 60 },
  { name: 'national year: wall time', value: yearWall, unit: 's', target: '< 60 s', met: yearWall < 60 },
  {
    name: 'national year: heap growth after day 30',
    value: growth,
    unit: 'MiB',
    target: '≤ 5 MiB',
    met: growth <= 5,
  },
);
detail.nationalYear = {
  calls: year.calls.offered,
  cpuSeconds: yearCpu,
  wallSeconds: yearWall,
  heapSamples: samples,
  kpis: year.calls,
  outcomes: year.outcomes,
};

const result = writeBenchResult('sim', metrics, notes);
// The comparison detail, beside the README's metrics.
writeFileSync('bench/results/sim.json', `${JSON.stringify({ ...result, ...detail }, null, 2)}\n`);
