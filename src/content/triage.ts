import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  buildTriageContent,
  type RawTriageContent,
  type TriageContent,
  type ValidationReport,
  validateTriageContent,
} from '../domain/triage/index';
import { readDispositionContent } from './dispositions';
import { contentPath } from './files';

export const APPROVALS_FILE = 'pathway-approvals.yaml';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Reads findings, codes, every pathway file and the approvals record from content/, unvalidated. */
export function readRawTriageContent(): { raw: RawTriageContent; version: string } {
  const read = (rel: string) => readFileSync(contentPath(rel), 'utf8');
  const findingsText = read('findings.yaml');
  const codesText = read('triage-codes.yaml');
  const dir = contentPath('pathways');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const digest = createHash('sha256').update(findingsText).update(codesText);
  const pathways = files.map((f) => {
    const text = readFileSync(`${dir}/${f}`, 'utf8');
    digest.update(f).update(text);
    return { file: `pathways/${f}`, hash: sha256(text), doc: parse(text) as unknown };
  });
  const approvalsPath = contentPath(APPROVALS_FILE);
  const approvalsDoc = existsSync(approvalsPath)
    ? (parse(readFileSync(approvalsPath, 'utf8')) as unknown)
    : {};
  const approvals = new Map<string, string>();
  const list = (approvalsDoc as { approved?: unknown })?.approved;
  if (list && typeof list === 'object')
    for (const [k, v] of Object.entries(list)) if (typeof v === 'string') approvals.set(k, v);
  const dispositions = readDispositionContent();
  const version = `triage-${digest.update(dispositions.version).digest('hex').slice(0, 12)}`;
  return {
    raw: {
      findings: parse(findingsText) as unknown,
      codes: parse(codesText) as unknown,
      pathways,
      approvals,
      dispositions,
    },
    version,
  };
}

/** Validates all triage content (as `open111 validate-pathways` and CI do); every problem is listed. */
export function validateTriageFiles(): ValidationReport & { version: string; raw: RawTriageContent } {
  const { raw, version } = readRawTriageContent();
  return { ...validateTriageContent(raw, version), version, raw };
}

let cached: TriageContent | undefined;

/** The validated triage content; read once per process. Throws `invalid` naming every problem. */
export function triageContent(): TriageContent {
  if (!cached) {
    const { raw, version } = readRawTriageContent();
    cached = buildTriageContent(raw, version);
  }
  return cached;
}
