import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { contentPath } from '../content/files';
import { APPROVALS_FILE, triageContent, validateTriageFiles } from '../content/triage';
import { invalid } from '../domain/errors';
import { type EvaluationReport, LEVELS } from '../domain/triage/evaluation';
import {
  DONT_KNOW,
  type Evidence,
  evaluateEvidence,
  evidenceSummary,
  type Unreported,
} from '../domain/triage/index';
import { type TriageEvaluation, triageEvaluation } from '../services/triage-eval';

/** `open111 validate-pathways`: checks all triage content and lists every problem; exit 2 when any. */
export function validatePathwaysCommand(opts: { recordApprovals?: boolean }): number {
  const started = performance.now();
  const report = validateTriageFiles();
  const ms = performance.now() - started;
  if (report.problems.length > 0) {
    console.error(
      `✖ ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in the triage content:`,
    );
    for (const p of report.problems)
      console.error(`  ${p.pointer}: ${p.message}${p.rule ? `  [${p.rule}]` : ''}`);
    return 2;
  }
  console.log(
    `✓ triage content ${report.version}: ${report.pathwayCount} pathways (module 0 included), ${report.questionCount} questions, valid (${ms.toFixed(0)} ms)`,
  );
  if (opts.recordApprovals) {
    const approved: Record<string, string> = { ...Object.fromEntries(report.raw.approvals) };
    for (const pw of report.content?.pathways.values() ?? [])
      if (pw.status === 'approved') approved[`${pw.id}@${pw.version}`] ??= pw.hash;
    const header =
      '# Approved pathway versions and the sha256 of each file as approved. An approved version may not change:\n' +
      '# `open111 validate-pathways` rejects an edit; save a change as a new version. Written by\n' +
      '# `open111 validate-pathways --record-approvals`; entries are only ever added.\n';
    const sorted = Object.fromEntries(Object.entries(approved).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(contentPath(APPROVALS_FILE), header + stringify({ approved: sorted }));
    console.log(
      `recorded ${Object.keys(sorted).length} approved pathway versions in content/${APPROVALS_FILE}`,
    );
  }
  return 0;
}

/** `open111 triage --evidence case.json`: the disposition, the path and what was assumed. */
export function triageEvidenceCommand(file: string, opts: { json?: boolean }): void {
  let evidence: Evidence;
  try {
    evidence = JSON.parse(readFileSync(file, 'utf8')) as Evidence;
  } catch (err) {
    throw invalid(`${file} is not readable JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!evidence || typeof evidence !== 'object') throw invalid(`${file} must hold one JSON object.`);
  const content = triageContent();
  const r = evaluateEvidence(content, evidence);
  if (opts.json) {
    console.log(JSON.stringify(evidenceSummary(r), null, 2));
    return;
  }
  const tf = r.disposition.timeframeMinutes === null ? null : r.disposition.timeframe;
  console.log(
    `pathway      ${r.pathway.title} (${r.pathway.id}@${r.pathway.version}, ${r.pathway.symptomGroup})`,
  );
  console.log(`disposition  ${r.disposition.code}  ${r.disposition.title}${tf === null ? '' : `  [${tf}]`}`);
  if (r.discriminators.length) console.log(`discriminators ${r.discriminators.join(', ')}`);
  console.log('path');
  for (const s of r.path)
    console.log(
      `  ${s.assumed ? '~' : ' '} ${s.pathwayId}/${s.questionId}  ${s.question}  → ${s.value}${
        s.value === DONT_KNOW ? ` (taken as ${s.takenAs ?? 'the pathway’s route'})` : ''
      }${s.assumed ? `  (assumed: ${s.decidedBy})` : ''}`,
    );
  console.log(
    r.assumed.length
      ? `assumed (${r.assumed.length}, unreported: ${r.unreported}): ${r.assumed.map((a) => `${a.finding}=${a.value}`).join(', ')}`
      : 'assumed: nothing',
  );
  console.log('DEMONSTRATION CONTENT — NOT FOR CLINICAL USE');
}

/** The evaluation as a table a person reads: one column per `unreported` mode. */
export function formatEvaluation(e: TriageEvaluation): string[] {
  const lines: string[] = [`triage evaluation: ${e.file} on content ${e.contentVersion}`];
  const row = (label: string, cell: (r: EvaluationReport) => string) =>
    lines.push(`  ${label.padEnd(34)}${e.reports.map((r) => cell(r).padStart(18)).join('')}`);
  row('unreported findings taken as', (r) => r.unreported);
  row('cases', (r) => String(r.cases));
  row('right level', (r) => `${r.right} (${r.rightPct}%)`);
  for (const l of LEVELS) row(`  of ${l}`, (r) => `${r.byLevel[l].right}/${r.byLevel[l].cases}`);
  row('emergencies under-triaged', (r) => `${r.emergenciesUnderTriaged.length}/${r.emergencyCases}`);
  row('any under-triage', (r) => String(r.underTriaged.length));
  row('over-triage rate', (r) => `${r.overTriaged.length} (${r.overTriagePct}%)`);
  row('self-care kept at self-care', (r) => `${r.selfCareKept}/${r.selfCareCases} (${r.selfCareKeptPct}%)`);
  row('search chose another pathway', (r) => String(r.searchMismatches.length));
  for (const r of e.reports) {
    if (r.emergenciesUnderTriaged.length)
      lines.push(`  [${r.unreported}] emergencies under-triaged: ${r.emergenciesUnderTriaged.join(', ')}`);
    const wrong = r.outcomes.filter((o) => !o.right);
    if (wrong.length)
      lines.push(
        `  [${r.unreported}] wrong level: ${wrong
          .map((o) => `${o.id} (${o.expected} → ${o.level ?? 'none'}${o.dx ? ` ${o.dx}` : ''})`)
          .join(', ')}`,
      );
    if (r.searchMismatches.length)
      lines.push(
        `  [${r.unreported}] search: ${r.searchMismatches.map((m) => `${m.id} (${m.expected} → ${m.chosen ?? 'none'})`).join(', ')}`,
      );
  }
  lines.push('DEMONSTRATION CONTENT — NOT FOR CLINICAL USE');
  return lines;
}

/** `open111 triage eval [FILE]`: every case through evidence mode; prints the table (or JSON). */
export function triageEvalCommand(
  file: string | undefined,
  opts: { unreported?: string; json?: boolean },
): void {
  const modes = opts.unreported ? [opts.unreported as Unreported] : undefined;
  const e = triageEvaluation({ ...(file ? { file } : {}), ...(modes ? { modes } : {}) });
  if (opts.json) console.log(JSON.stringify(e, null, 2));
  else for (const line of formatEvaluation(e)) console.log(line);
}

/** Adds the triage commands to the `open111` program. */
export function registerTriageCommands(program: Command): void {
  program
    .command('validate-pathways')
    .description('validate the triage content: findings, codes, module 0 and every pathway')
    .option('--record-approvals', 'record approved pathway versions so later edits are refused')
    .action((opts: { recordApprovals?: boolean }) => {
      const code = validatePathwaysCommand(opts);
      if (code !== 0) process.exitCode = code;
    });
  const triage = program
    .command('triage')
    .description('run triage in evidence mode: open111 triage --evidence case.json; open111 triage eval')
    .option(
      '--evidence <file>',
      'a JSON file: {age, sex, complaint | symptomGroup | pathwayId, present, absent, values, unknown, unreported}',
    )
    .option('--json', 'print the result as JSON')
    .action((opts: { evidence?: string; json?: boolean }) => {
      if (!opts.evidence) throw invalid('Give --evidence FILE, or run `open111 triage eval`.');
      triageEvidenceCommand(opts.evidence, opts);
    });
  triage
    .command('eval [file]')
    .description('run the triage cases (the development set by default) through evidence mode and score them')
    .option(
      '--unreported <mode>',
      'what an unmentioned finding is taken as: absent or unknown (default: both)',
    )
    .option('--json', 'print the evaluation as JSON')
    .action((file: string | undefined, opts: { unreported?: string; json?: boolean }) =>
      triageEvalCommand(file, opts),
    );
}
