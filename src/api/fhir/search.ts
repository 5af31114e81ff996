import type { Bundle, BundleEntry, BundleLink, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { type TProperties, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { invalid } from '../../domain/errors';
import { FHIR_BASE } from './index';

/** FHIR searches page 50 entries at a time unless `_count` asks otherwise; never more than 500. */
export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 500;

/** The search result parameters every search takes, besides its own. */
const RESULT_PARAMS = {
  _count: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_COUNT })),
  _offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  _summary: Type.Optional(Type.String({ maxLength: 10 })),
  _elements: Type.Optional(Type.String({ maxLength: 500 })),
  _format: Type.Optional(Type.String({ maxLength: 60 })),
  _include: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 10 })),
  _revinclude: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 10 })),
};

/**
 * The element names open111's references are also known by, as `_include` takes them: FHIR names the
 * search parameter (`HealthcareService:organization`), people often the element (`…:providedBy`).
 */
const INCLUDE_ALIASES: Readonly<Record<string, string>> = {
  'HealthcareService:providedBy': 'HealthcareService:organization',
  'Location:managingOrganization': 'Location:organization',
};

/** What a search may include (`_include`) and be included with (`_revinclude`), as `Source:param`. */
export interface Includable {
  readonly include?: readonly string[];
  readonly revinclude?: readonly string[];
}

/** `Source:param` or `Source:param:Target` (a target the link can name), with its aliases. */
function includeName(value: string): string {
  const [source, param, target] = value.split(':');
  const name = INCLUDE_ALIASES[`${source}:${param}`] ?? `${source}:${param}`;
  return target === undefined ? name : `${name}:${target}`;
}

/**
 * A search's query string: its own parameters and the result parameters. Others are let through the
 * schema so that the handler can answer them as the spec's lenient or strict handling asks.
 */
export const searchQuery = <T extends TProperties>(own: T) =>
  Type.Object({ ...own, ...RESULT_PARAMS }, { additionalProperties: true });

/** What a search asked of its result, read from the query and the `Prefer` header. */
export interface SearchControl {
  readonly count: number;
  readonly offset: number;
  /** `_summary=count`: the total only. */
  readonly countOnly: boolean;
  /** `_elements`: the top-level elements to keep (besides id and meta). */
  readonly elements: readonly string[] | undefined;
  /** The parameters understood, as the self link repeats them (paging parameters aside). */
  readonly used: readonly [string, string][];
  /** Warnings for what was ignored (lenient handling). */
  readonly ignored: readonly OperationOutcomeIssue[];
  /** `_include`s understood, as `Source:param`. */
  readonly include: ReadonlySet<string>;
  /** `_revinclude`s understood, as `Source:param`. */
  readonly revinclude: ReadonlySet<string>;
}

const FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);

/**
 * Reads the result parameters and sorts the rest into understood (`own`) and not. Unknown parameters,
 * and values of `_summary` not served, are an error under `Prefer: handling=strict` and otherwise ignored
 * and reported (FHIR R4 §3.1.1.5.7 "Handling errors").
 */
export function searchControl(
  request: { readonly query: Readonly<Record<string, unknown>>; readonly headers: FastifyRequest['headers'] },
  own: readonly string[],
  includable: Includable = {},
): SearchControl {
  const { query } = request;
  const strict = /(^|[;,\s])handling\s*=\s*strict\b/i.test(String(request.headers.prefer ?? ''));
  const known = new Set([...own, ...Object.keys(RESULT_PARAMS)]);
  const ignored: OperationOutcomeIssue[] = [];
  const unsupported = (diagnostics: string) => {
    if (strict) throw invalid(diagnostics);
    ignored.push({
      severity: 'warning',
      code: 'not-supported',
      diagnostics: `${diagnostics} It was ignored.`,
    });
  };
  for (const name of Object.keys(query))
    if (!known.has(name))
      unsupported(`The search parameter "${name}" is not supported here (supported: ${own.join(', ')}).`);
  const format = typeof query._format === 'string' ? query._format : undefined;
  if (format !== undefined && !FORMATS.has(format.split(';')[0]?.trim().toLowerCase() ?? ''))
    throw invalid(`_format "${format}" is not served: only JSON (json, application/fhir+json).`);
  const summary = typeof query._summary === 'string' ? query._summary : undefined;
  if (summary !== undefined && !['count', 'false', 'data'].includes(summary))
    unsupported(`_summary=${summary} is not supported (count, data and false are).`);
  const elementsText = typeof query._elements === 'string' ? query._elements : undefined;
  const elements = elementsText
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const links = (param: '_include' | '_revinclude', allowed: readonly string[] = []) => {
    const found = new Set<string>();
    for (const value of [query[param] ?? []].flat()) {
      const name = includeName(String(value));
      const bare = name.split(':').slice(0, 2).join(':');
      const target = name.split(':')[2];
      if (allowed.includes(bare) && (target === undefined || allowedTargets(bare).includes(target)))
        found.add(bare);
      else
        unsupported(
          `${param}=${String(value)} is not supported here (${allowed.length > 0 ? `supported: ${allowed.join(', ')}` : 'none is'}).`,
        );
    }
    return found;
  };
  const include = links('_include', includable.include);
  const revinclude = links('_revinclude', includable.revinclude);
  const used: [string, string][] = [];
  for (const name of [...own, '_summary', '_elements', '_format', '_include', '_revinclude']) {
    const value = query[name];
    if (value === undefined) continue;
    for (const v of [value].flat()) used.push([name, String(v)]);
  }
  return {
    count: typeof query._count === 'number' ? query._count : DEFAULT_COUNT,
    offset: typeof query._offset === 'number' ? query._offset : 0,
    countOnly: summary === 'count',
    elements: elements && elements.length > 0 ? elements : undefined,
    used,
    ignored,
    include,
    revinclude,
  };
}

/** The types each link may point at, for `Source:param:Target`. */
function allowedTargets(link: string): readonly string[] {
  const targets: Readonly<Record<string, readonly string[]>> = {
    'HealthcareService:organization': ['Organization'],
    'HealthcareService:location': ['Location'],
    'Location:organization': ['Organization'],
    'ServiceRequest:performer': ['HealthcareService', 'Organization'],
    'ServiceRequest:subject': ['Patient'],
    'ServiceRequest:patient': ['Patient'],
    'ServiceRequest:supporting-info': ['QuestionnaireResponse'],
    'QuestionnaireResponse:questionnaire': ['Questionnaire'],
  };
  return targets[link] ?? [];
}

/** One token of a token search: `code`, `system|code`, `|code` (no system) or `system|` (any code). */
export interface Token {
  readonly system: string | undefined;
  readonly code: string | undefined;
}

/** A token parameter's value: commas separate alternatives (OR); `\,` is a literal comma. */
export function tokens(value: string | undefined): readonly Token[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(/(?<!\\),/)
    .map((t) => t.replace(/\\,/g, ','))
    .map((t) => {
      const bar = t.indexOf('|');
      if (bar < 0) return { system: undefined, code: t };
      const code = t.slice(bar + 1);
      return { system: t.slice(0, bar), code: code === '' ? undefined : code };
    });
}

/** Whether a coded value (its system and code) matches any of the tokens searched for. */
export function matchesToken(searched: readonly Token[], system: string | undefined, code: string): boolean {
  return searched.some(
    (t) =>
      (t.system === undefined || (t.system === '' ? system === undefined : t.system === system)) &&
      (t.code === undefined || t.code === code),
  );
}

/** Comma-separated alternatives of a string or reference parameter. */
export const alternatives = (value: string | undefined, prefix = ''): readonly string[] | undefined =>
  value?.split(',').map((v) => (prefix && v.startsWith(prefix) ? v.slice(prefix.length) : v));

/** The codes of the tokens searched for that name this system (or none). */
export const codesOf = (searched: readonly Token[] | undefined, system: string): string[] | undefined =>
  searched?.flatMap((t) =>
    t.code !== undefined && (t.system === undefined || t.system === system) ? [t.code] : [],
  );

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

/** `_elements`: the resource with only the elements asked for (and those every resource keeps), marked. */
export function subset<R extends Resource>(resource: R, elements: readonly string[] | undefined): R {
  if (!elements) return resource;
  const keep = new Set(['resourceType', 'id', 'meta', ...elements]);
  const kept = Object.fromEntries(Object.entries(resource).filter(([k]) => keep.has(k)));
  const meta = resource.meta ?? {};
  return { ...kept, meta: { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] } } as R;
}

export const fhirBase = (request: FastifyRequest): string =>
  `${request.protocol}://${request.host}${FHIR_BASE}`;

/**
 * A page of a searchset: `total` exact, `link` self (the search as understood) with next and previous
 * by `_offset` over the search's stable order, the page's matches, then any included resources and an
 * OperationOutcome for what was ignored. No empty array is written.
 */
export function searchPage(
  request: FastifyRequest,
  type: string,
  control: SearchControl,
  matches: { readonly total: number; readonly page: readonly Resource[] },
  included: readonly Resource[] = [],
): Bundle {
  const base = fhirBase(request);
  const link = (relation: string, offset: number): BundleLink => {
    const params = new URLSearchParams([...control.used]);
    params.set('_count', String(control.count));
    if (offset > 0) params.set('_offset', String(offset));
    return { relation, url: `${base}/${type}?${params.toString()}` };
  };
  const { count, offset } = control;
  const links = [link('self', offset)];
  if (!control.countOnly && count > 0) {
    if (offset + count < matches.total) links.push(link('next', offset + count));
    if (offset > 0) links.push(link('previous', Math.max(0, offset - count)));
  }
  const full = (r: Resource): string => `${base}/${r.resourceType}/${r.id ?? ''}`;
  const entry: BundleEntry[] = control.countOnly
    ? []
    : [
        ...matches.page.map((r) => ({
          fullUrl: full(r),
          resource: subset(r, control.elements),
          search: { mode: 'match' as const },
        })),
        ...uniqueIncluded(matches.page, included).map((r) => ({
          fullUrl: full(r),
          resource: r,
          search: { mode: 'include' as const },
        })),
      ];
  if (control.ignored.length > 0)
    entry.push({
      resource: { resourceType: 'OperationOutcome', issue: [...control.ignored] },
      search: { mode: 'outcome' },
    });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.total,
    link: links,
    ...(entry.length > 0 ? { entry } : {}),
  };
}

/** Each included resource once, and none that is already a match. */
function uniqueIncluded(matches: readonly Resource[], included: readonly Resource[]): Resource[] {
  const key = (r: Resource) => `${r.resourceType}/${r.id ?? ''}`;
  const seen = new Set(matches.map(key));
  return included.filter((r) => !seen.has(key(r)) && seen.add(key(r)) !== undefined);
}

/** Pages a list already in its stable order. */
export function pageOf<T>(all: readonly T[], control: SearchControl): { total: number; page: T[] } {
  return {
    total: all.length,
    page: control.countOnly ? [] : all.slice(control.offset, control.offset + control.count),
  };
}
