import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { contentPath } from '../content/files';
import { triageContent } from '../content/triage';
import { invalid } from '../domain/errors';
import {
  type EvaluationReport,
  evaluateCases,
  readTriageCases,
  type TriageCase,
} from '../domain/triage/evaluation';
import { UNREPORTED, type Unreported } from '../domain/triage/index';

/** The development set the team wrote from public guidance (not any published vignette collection). */
export const DEVELOPMENT_CASES = 'triage-cases/development.yaml';

/** Reads a cases file: the development set unless another file is named. */
export function readCasesFile(file?: string): TriageCase[] {
  const path = file ?? contentPath(DEVELOPMENT_CASES);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(`${path} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return readTriageCases(parse(text));
}

export interface TriageEvaluation {
  readonly file: string;
  readonly contentVersion: string;
  readonly reports: readonly EvaluationReport[];
}

/**
 * The triage evaluation, in each `unreported` mode asked for (both by default). It reads shared content
 * only and touches no patient record, so it needs no database or caller: the CLI and the bench run it
 * on the machine itself.
 */
export function triageEvaluation(
  input: { readonly file?: string; readonly modes?: readonly Unreported[] } = {},
): TriageEvaluation {
  const content = triageContent();
  const cases = readCasesFile(input.file);
  const modes = input.modes ?? ['absent', 'unknown'];
  for (const m of modes)
    if (!UNREPORTED.includes(m)) throw invalid(`--unreported must be one of ${UNREPORTED.join(', ')}.`);
  return {
    file: input.file ?? `content/${DEVELOPMENT_CASES}`,
    contentVersion: content.version,
    reports: modes.map((m) => evaluateCases(content, cases, m)),
  };
}
