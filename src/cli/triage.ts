import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { contentPath } from '../content/files';
import { APPROVALS_FILE, triageContent, validateTriageFiles } from '../content/triage';
import { invalid } from '../domain/errors';
import { DONT_KNOW, type Evidence, evaluateEvidence, evidenceSummary } from '../domain/triage/index';

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
  const tf = r.disposition.timeframeMinutes;
  console.log(
    `pathway      ${r.pathway.title} (${r.pathway.id}@${r.pathway.version}, ${r.pathway.symptomGroup})`,
  );
  console.log(
    `disposition  ${r.disposition.code}  ${r.disposition.title}${tf === null ? '' : `  [within ${tf} min]`}`,
  );
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
  program
    .command('triage')
    .description('run triage in evidence mode: open111 triage --evidence case.json')
    .requiredOption(
      '--evidence <file>',
      'a JSON file: {age, sex, complaint | symptomGroup | pathwayId, present, absent, values}',
    )
    .option('--json', 'print the result as JSON')
    .action((opts: { evidence: string; json?: boolean }) => triageEvidenceCommand(opts.evidence, opts));
}
