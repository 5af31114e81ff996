import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse, parseDocument } from 'yaml';
import { invalid } from '../domain/errors';
import {
  buildTriageContent,
  type Pathway,
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

/** The vocabulary pathways are written in (findings and codes), as read from content/. */
function readVocabulary(): { findings: unknown; codes: unknown } {
  const read = (rel: string) => readFileSync(contentPath(rel), 'utf8');
  return { findings: parse(read('findings.yaml')) as unknown, codes: parse(read('triage-codes.yaml')) };
}

/** Every pathway file shipped in content/pathways, by file name (module 0 included), with its text. */
export function shippedPathwayFiles(): { file: string; yaml: string }[] {
  const dir = contentPath('pathways');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, yaml: readFileSync(`${dir}/${file}`, 'utf8') }));
}

/**
 * The content version sessions record: a digest of the vocabulary and of each pathway in force, by file
 * name. Hashes and the content version are taken over the parsed meaning, so reformatting (Biome formats
 * YAML) or editing comments does not count as a change to an approved pathway.
 */
function digestContent(
  vocabulary: { findings: unknown; codes: unknown },
  files: readonly { file: string; doc: unknown }[],
  dispositionsVersion: string,
): { version: string; pathways: { file: string; hash: string; doc: unknown }[] } {
  const digest = createHash('sha256')
    .update(canonicalJson(vocabulary.findings))
    .update(canonicalJson(vocabulary.codes));
  const pathways = [...files]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map(({ file, doc }) => {
      const canonical = canonicalJson(doc);
      digest.update(file).update(canonical);
      return { file: `pathways/${file}`, hash: sha256(canonical), doc };
    });
  return { version: `triage-${digest.update(dispositionsVersion).digest('hex').slice(0, 12)}`, pathways };
}

/** Reads findings, codes, every pathway file and the approvals record from content/, unvalidated. */
export function readRawTriageContent(): { raw: RawTriageContent; version: string } {
  const { findings, codes } = readVocabulary();
  const dispositions = readDispositionContent();
  const { version, pathways } = digestContent(
    { findings, codes },
    shippedPathwayFiles().map((f) => ({ file: f.file, doc: parse(f.yaml) as unknown })),
    dispositions.version,
  );
  const approvalsPath = contentPath(APPROVALS_FILE);
  const approvalsDoc = existsSync(approvalsPath)
    ? (parse(readFileSync(approvalsPath, 'utf8')) as unknown)
    : {};
  const approvals = new Map<string, string>();
  const list = (approvalsDoc as { approved?: unknown })?.approved;
  if (list && typeof list === 'object')
    for (const [k, v] of Object.entries(list)) if (typeof v === 'string') approvals.set(k, v);
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

// ---- Content versions kept in the database (pathway change control) ----------------------------------

/** A stored pathway version as the loader reads it: the file it belongs to, its YAML, whether in force. */
export interface StoredPathwayDocument {
  readonly file: string;
  readonly yaml: string;
  /** In force now: new sessions start on it. The others are kept so older sessions replay on them. */
  readonly inForce: boolean;
}

let vocabulary: { findings: unknown; codes: unknown } | undefined;

/**
 * Parsed pathway YAML by its text: every step of change control validates the whole content in force,
 * and the stored texts seldom change, so each is parsed once. Parsed documents are never modified.
 */
const parsedYaml = new Map<string, unknown>();
function parseStored(yaml: string): unknown {
  let doc = parsedYaml.get(yaml);
  if (doc === undefined) {
    if (parsedYaml.size > 500) parsedYaml.clear();
    doc = parse(yaml) as unknown;
    parsedYaml.set(yaml, doc);
  }
  return doc;
}

function rawFrom(documents: readonly { file: string; doc: unknown }[]): {
  raw: RawTriageContent;
  version: string;
} {
  vocabulary ??= readVocabulary();
  const dispositions = readDispositionContent();
  const { version, pathways } = digestContent(vocabulary, documents, dispositions.version);
  // Approval is recorded on the stored version (who signed it off, when); nothing is compared to a file.
  return { raw: { ...vocabulary, pathways, approvals: new Map(), dispositions }, version };
}

/**
 * The triage content from stored versions: every version (for replay), with the versions in force as
 * the ones new sessions use. Throws `invalid` naming every problem, as the file loader does.
 */
export function contentFromDocuments(documents: readonly StoredPathwayDocument[]): TriageContent {
  const parsed = documents.map((d) => ({ ...d, doc: parseStored(d.yaml) }));
  const inForce = parsed.filter((d) => d.inForce);
  const { version } = rawFrom(inForce);
  const { raw } = rawFrom(parsed);
  const all = buildTriageContent(raw, version);
  const current = new Map<string, Pathway>();
  let module0 = all.module0;
  for (const d of inForce) {
    const doc = d.doc as { id?: unknown; version?: unknown };
    const pw = all.pathways.get(`${String(doc.id)}@${String(doc.version)}`);
    if (!pw) continue;
    if (pw.kind === 'module0') module0 = pw;
    else current.set(pw.id, pw);
  }
  return { ...all, version, module0, current };
}

/**
 * Validates the content as it would stand with `candidate` in force in place of its pathway's version:
 * the validator's every finding, for a draft, a review, a sign-off or a release.
 */
export function validateCandidate(
  inForce: readonly StoredPathwayDocument[],
  candidate: { readonly file: string; readonly yaml: string },
): ValidationReport {
  // The candidate stands in place of every version of its pathway: the validator then checks it as the
  // version new sessions would use (split text, defaults against module 0), not as a superseded one.
  const idOf = (yaml: string) => (parseStored(yaml) as { id?: unknown } | null)?.id;
  const candidateId = idOf(candidate.yaml);
  const others = inForce.filter((d) => d.file !== candidate.file && idOf(d.yaml) !== candidateId);
  const { raw, version } = rawFrom(
    [...others, candidate].map((d) => ({ file: d.file, doc: parseStored(d.yaml) })),
  );
  return validateTriageContent(raw, version);
}

/** What a submitted YAML says it is, and the YAML stamped with what change control decides. */
export function stampPathwayYaml(
  yaml: string,
  stamp: {
    readonly version: number;
    readonly status: 'draft' | 'approved';
    readonly approvedBy?: string;
    readonly approvedAt?: string;
  },
): { readonly id: string; readonly yaml: string } {
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0)
    throw invalid(
      `The YAML cannot be read: ${doc.errors[0]?.message ?? 'syntax error'}`,
      doc.errors.map((e) => ({ pointer: `line ${e.linePos?.[0]?.line ?? '?'}`, message: e.message })),
    );
  const id = doc.get('id');
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(id))
    throw invalid('The YAML must name the pathway it is a version of (id: …).', [
      { pointer: 'id', message: 'lower-case letters, digits, _ or -' },
    ]);
  // The version number and approval are change control's to give, never the author's to type.
  doc.set('version', stamp.version);
  doc.set('status', stamp.status);
  if (stamp.approvedBy && stamp.approvedAt) {
    doc.set('approved_by', stamp.approvedBy);
    doc.set('approved_at', stamp.approvedAt);
  } else {
    doc.delete('approved_by');
    doc.delete('approved_at');
  }
  return { id, yaml: doc.toString({ lineWidth: 0 }) };
}

/** A pathway as validated from one YAML text, for the review diff. */
export function pathwayFromYaml(
  documents: readonly StoredPathwayDocument[],
  candidate: { readonly file: string; readonly yaml: string },
): Pathway | undefined {
  const report = validateCandidate(documents, candidate);
  const doc = parseStored(candidate.yaml) as { id?: unknown; version?: unknown };
  return report.content?.pathways.get(`${String(doc.id)}@${String(doc.version)}`);
}
