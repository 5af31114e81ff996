// Triage benchmark: the time of one engine step over every path of every pathway, and the time to read
// and validate all triage content. Prints the figures and writes bench/results/triage.json.
// Run: npm run bench:triage
import { mkdirSync, writeFileSync } from 'node:fs';
import { readRawTriageContent } from '../src/content/triage';
import {
  type GivenAnswer,
  type Pathway,
  type Question,
  type SessionInput,
  step,
  type TriageContent,
  validateTriageContent,
} from '../src/domain/triage/index';

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** One answer per outcome of a question (a value inside each numeric band). */
function valuesOf(content: TriageContent, q: Question): (string | number)[] {
  if (q.type !== 'number') return [...q.answers.keys()];
  const f = content.findings.get(q.finding);
  const min = f?.kind === 'number' ? f.min : 0;
  const max = f?.kind === 'number' ? f.max : 100;
  return q.bands.map((b) => {
    const lo = Math.max(b.from ?? min, min);
    const hi = Math.min(b.below ?? max, max);
    return (lo + hi) / 2;
  });
}

/** Every answer sequence from the start to a disposition (module 0 included), for one pathway. */
function allPaths(content: TriageContent, pw: Pathway): GivenAnswer[][] {
  const session = (answers: GivenAnswer[]): SessionInput => ({
    pathwayId: pw.id,
    pathwayVersion: pw.version,
    module0Version: content.module0.version,
    answers,
  });
  const out: GivenAnswer[][] = [];
  const walk = (answers: GivenAnswer[]) => {
    const r = step(content, session(answers));
    if (r.kind === 'disposition') {
      out.push(answers);
      return;
    }
    for (const value of valuesOf(content, r.question))
      walk([...answers, { pathwayId: r.pathwayId, questionId: r.question.id, value }]);
  };
  walk([]);
  return out;
}

// 1. Validation of all content: read + parse + validate, cold (first) and warm.
const validations: { readParseMs: number; validateMs: number }[] = [];
let content: TriageContent | undefined;
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  const { raw, version } = readRawTriageContent();
  const t1 = performance.now();
  const report = validateTriageContent(raw, version);
  const t2 = performance.now();
  if (!report.content) throw new Error(`content is not valid: ${report.problems[0]?.message}`);
  content = report.content;
  validations.push({ readParseMs: t1 - t0, validateMs: t2 - t1 });
}
if (!content) throw new Error('no content');
const c = content;
const totals = validations.map((v) => v.readParseMs + v.validateMs);
const warmTotals = totals.slice(1).sort((a, b) => a - b);
const validateOnly = validations
  .slice(1)
  .map((v) => v.validateMs)
  .sort((a, b) => a - b);

// 2. One step, timed at every point of every path of every pathway.
const pathways = [...c.current.values()];
const prefixes: SessionInput[] = [];
let pathCount = 0;
for (const pw of pathways) {
  for (const path of allPaths(c, pw)) {
    pathCount++;
    for (let n = 0; n <= path.length; n++)
      prefixes.push({
        pathwayId: pw.id,
        pathwayVersion: pw.version,
        module0Version: c.module0.version,
        answers: path.slice(0, n),
      });
  }
}
for (const p of prefixes) step(c, p); // warm up
const ROUNDS = 30;
const samples: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const p of prefixes) {
    const t0 = process.hrtime.bigint();
    step(c, p);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
samples.sort((a, b) => a - b);
const depth = Math.max(...prefixes.map((p) => p.answers.length));

const results = {
  name: 'triage',
  at: new Date().toISOString(),
  node: process.version,
  content: {
    version: c.version,
    pathways: pathways.length + 1,
    questions: [...c.pathways.values()].reduce((n, p) => n + p.questions.size, 0),
  },
  step: {
    description:
      'one engine step (module 0 then pathway, replayed from the start) at every prefix of every path of every pathway',
    paths: pathCount,
    stepsPerRound: prefixes.length,
    samples: samples.length,
    maxAnswers: depth,
    p50Ms: quantile(samples, 0.5),
    p99Ms: quantile(samples, 0.99),
    maxMs: samples.at(-1) ?? 0,
    targetP99Ms: 0.1,
  },
  validation: {
    description:
      'read, parse and validate all triage content (findings, codes, dispositions, module 0, pathways)',
    coldMs: totals[0] ?? 0,
    warmMedianMs: quantile(warmTotals, 0.5),
    validateOnlyMedianMs: quantile(validateOnly, 0.5),
    targetMs: 1000,
  },
};

console.log(
  `triage content ${results.content.version}: ${results.content.pathways} pathways, ${results.content.questions} questions`,
);
console.log(
  `step: ${results.step.samples} samples over ${pathCount} paths (${prefixes.length} steps a round, up to ${depth} answers): p50 ${results.step.p50Ms.toFixed(4)} ms, p99 ${results.step.p99Ms.toFixed(4)} ms (target ≤ 0.1 ms)`,
);
console.log(
  `validate all content: cold ${results.validation.coldMs.toFixed(0)} ms, warm median ${results.validation.warmMedianMs.toFixed(1)} ms (validation alone ${results.validation.validateOnlyMedianMs.toFixed(2)} ms; target < 1000 ms)`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/triage.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('wrote bench/results/triage.json');
