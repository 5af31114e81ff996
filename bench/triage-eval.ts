import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { formatEvaluation } from '../src/cli/triage';
import type { EvaluationReport } from '../src/domain/triage/evaluation';
import { triageEvaluation } from '../src/services/triage-eval';
import type { BenchMetric } from './lib';

/**
 * `npm run bench -- triage-eval`: the triage evaluation on the development set, in both `unreported`
 * modes, written to bench/results/triage-eval.json for the README. Not a timing: the figures are how
 * often triage reaches the right level of care. Targets are issue 9's for the development set.
 */
const e = triageEvaluation();
for (const line of formatEvaluation(e)) console.log(line);
const absent = e.reports.find((r) => r.unreported === 'absent') as EvaluationReport;
const unknown = e.reports.find((r) => r.unreported === 'unknown') as EvaluationReport;
const metrics: BenchMetric[] = [
  { name: 'cases', value: absent.cases, unit: 'cases' },
  {
    name: 'right level (unreported: absent)',
    value: absent.rightPct,
    unit: '%',
    target: '≥ 90 %',
    met: absent.rightPct >= 90,
  },
  {
    name: 'emergencies under-triaged (absent)',
    value: absent.emergenciesUnderTriaged.length,
    unit: `of ${absent.emergencyCases}`,
    target: '0',
    met: absent.emergenciesUnderTriaged.length === 0,
  },
  { name: 'over-triage rate (absent)', value: absent.overTriagePct, unit: '%' },
  {
    name: 'self-care kept at self-care (absent)',
    value: absent.selfCareKeptPct,
    unit: '%',
    target: '≥ 80 %',
    met: absent.selfCareKeptPct >= 80,
  },
  { name: 'right level (unreported: unknown)', value: unknown.rightPct, unit: '%' },
  {
    name: 'emergencies under-triaged (unknown)',
    value: unknown.emergenciesUnderTriaged.length,
    unit: `of ${unknown.emergencyCases}`,
    target: '0',
    met: unknown.emergenciesUnderTriaged.length === 0,
  },
];
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/triage-eval.json', import.meta.url),
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      node: process.version,
      file: e.file,
      contentVersion: e.contentVersion,
      metrics,
      reports: e.reports,
    },
    null,
    2,
  )}\n`,
);
console.log('wrote bench/results/triage-eval.json');
