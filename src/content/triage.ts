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

/** JSON with keys sorted at every level: the meaning of a YAML document, whatever its layout or comments. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Reads findings, codes, every pathway file and the approvals record from content/, unvalidated. */
export function readRawTriageContent(): { raw: RawTriageContent; version: string } {
  const read = (rel: string) => readFileSync(contentPath(rel), 'utf8');
  const findings = parse(read('findings.yaml')) as unknown;
  const codes = parse(read('triage-codes.yaml')) as unknown;
  const dir = contentPath('pathways');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  // Hashes and the content version are taken over the parsed meaning, so reformatting (Biome formats YAML)
  // or editing comments does not count as a change to an approved pathway.
  const digest = createHash('sha256').update(canonicalJson(findings)).update(canonicalJson(codes));
  const pathways = files.map((f) => {
    const doc = parse(readFileSync(`${dir}/${f}`, 'utf8')) as unknown;
    const canonical = canonicalJson(doc);
    digest.update(f).update(canonical);
    return { file: `pathways/${f}`, hash: sha256(canonical), doc };
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
      findings,
      codes,
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
