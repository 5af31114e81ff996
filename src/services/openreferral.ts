import { type HsdsService, toHsds, uuidFor, VOCABULARY } from '../directory-exchange/hsds';
import { distanceKm, type ServiceRecord } from '../domain/directory/index';
import { invalid, notFound } from '../domain/errors';
import { serviceUpdateTimes } from '../store/directory';
import { listOrganisations } from '../store/users';
import type { ServiceContext } from './context';
import type { DirectoryState } from './directory-state';
import { locate } from './locate';

/**
 * The Open Referral UK (HSDS 3.0) API over the Directory of Services: public and read-only, as ORUK
 * publishes service directories. What the directory holds for professionals only is left out of it: the
 * professional phone line, the professional referral instructions, the electronic endpoints and the
 * capacity (RAG) status. No patient record is reachable here, so nothing is audited.
 */

/** A page as the HSDS 3.0 API pages every list. */
export interface OpenReferralPage<T> {
  readonly total_items: number;
  readonly total_pages: number;
  readonly page_number: number;
  readonly size: number;
  readonly first_page: boolean;
  readonly last_page: boolean;
  readonly empty: boolean;
  readonly contents: T[];
}

export interface Paging {
  readonly page: number;
  readonly perPage: number;
}

export function pageOf<T>(all: readonly T[], { page, perPage }: Paging): OpenReferralPage<T> {
  const totalPages = Math.max(1, Math.ceil(all.length / perPage));
  const contents = all.slice((page - 1) * perPage, page * perPage);
  return {
    total_items: all.length,
    total_pages: totalPages,
    page_number: page,
    size: contents.length,
    first_page: page === 1,
    last_page: page >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

export type HsdsOrganization = NonNullable<HsdsService['organization']>;
export type HsdsServiceAtLocation = NonNullable<HsdsService['service_at_locations']>[number];
export interface HsdsTaxonomy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}
export interface HsdsTaxonomyTerm {
  readonly id: string;
  readonly code?: string;
  readonly name: string;
  readonly description: string;
  readonly taxonomy: string;
  readonly taxonomy_id: string;
}

/** The vocabularies that classify services (the rest of open111's attributes are identifiers or settings). */
const TAXONOMIES: readonly { name: string; description: string }[] = [
  { name: VOCABULARY.serviceType, description: 'Directory of Services service types' },
  { name: VOCABULARY.disposition, description: 'NHS Pathways dispositions (Dx codes) a service accepts' },
  { name: VOCABULARY.symptoms, description: 'Symptom group / symptom discriminator pairs a service accepts' },
  { name: VOCABULARY.sex, description: 'The sexes a service sees' },
  { name: VOCABULARY.referralRole, description: 'Who may refer to a service' },
  { name: VOCABULARY.area, description: 'The commissioning area (PCT) a service is aligned to' },
];
const PROFESSIONAL_ONLY: ReadonlySet<string> = new Set([VOCABULARY.endpoint, VOCABULARY.capacity]);
export const taxonomyId = (name: string): string => uuidFor(`taxonomy:${name}`);

/** The public form of a service: its HSDS record without what only professionals may see. */
function publicForm(h: HsdsService): HsdsService {
  const { eligibility_description: _professional, ...rest } = h;
  return {
    ...rest,
    phones: (h.phones ?? []).filter((p) => p.description !== 'professional'),
    attributes: (h.attributes ?? []).filter(
      (a) => !PROFESSIONAL_ONLY.has(a.taxonomy_term.taxonomy ?? a.taxonomy_term.vocabulary ?? ''),
    ),
  };
}

interface Entry {
  readonly record: ServiceRecord;
  readonly hsds: HsdsService;
}

/**
 * The public HSDS form of each service record, kept while the record is the one the index holds (the
 * index replaces a record's object when it changes) and its organisation's name is the same.
 */
const forms = new WeakMap<
  ServiceRecord,
  { readonly organisationName: string | undefined; readonly hsds: HsdsService }
>();

/** Every service in its public HSDS form, in id order (a stable order for paging). */
async function catalogue(ctx: ServiceContext, directory: DirectoryState): Promise<Entry[]> {
  const organisations = new Map((await listOrganisations(ctx.store.db)).map((o) => [o.code, o.name]));
  const geo = await ctx.geography();
  const typeName = (id: number) => directory.content.types.find((t) => t.id === id)?.name ?? `type ${id}`;
  const formOf = (record: ServiceRecord): HsdsService => {
    const organisationName = organisations.get(record.organisationCode);
    const kept = forms.get(record);
    if (kept && kept.organisationName === organisationName) return kept.hsds;
    const hsds = publicForm(
      toHsds(record, {
        typeName: typeName(record.typeId),
        organisationName,
        town: geo.areas
          .get(record.areaCode)
          ?.name.replace(/\s+(Teaching\s+)?(PCT|Primary Care Trust|Care Trust)$/i, ''),
      }),
    );
    forms.set(record, { organisationName, hsds });
    return hsds;
  };
  return [...(await directory.index()).records()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((record) => ({ record, hsds: formOf(record) }));
}

export interface ServiceQuery extends Paging {
  /** Words in the name, alternate name or description (case ignored). */
  readonly search?: string | undefined;
  readonly taxonomyTermId?: string | undefined;
  readonly taxonomyId?: string | undefined;
  readonly organizationId?: string | undefined;
  readonly modifiedAfter?: string | undefined;
  /** Nearest first from this postcode (a full postcode or a district). */
  readonly postcode?: string | undefined;
  /** With `postcode`: only services within this many metres. */
  readonly proximity?: number | undefined;
}

/** The services a query selects, in its order: nearest first from a postcode, otherwise by id. */
async function selected(
  ctx: ServiceContext,
  q: ServiceQuery,
  directory: DirectoryState,
): Promise<HsdsService[]> {
  if (q.proximity !== undefined && q.postcode === undefined)
    throw invalid('proximity is a distance from a postcode: give the postcode too.', [
      { pointer: '/querystring/proximity', message: 'needs postcode' },
    ]);
  let after: Date | undefined;
  if (q.modifiedAfter !== undefined) {
    after = new Date(q.modifiedAfter);
    if (Number.isNaN(after.getTime()))
      throw invalid(
        `modified_after must be a date-time, e.g. 2012-06-01T00:00:00Z; not "${q.modifiedAfter}".`,
        [{ pointer: '/querystring/modified_after', message: 'not a date-time' }],
      );
  }
  const point = q.postcode === undefined ? undefined : await locate(ctx, q.postcode, ctx.now());
  const updated = after ? await serviceUpdateTimes(ctx.store.db) : undefined;
  const words = q.search?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
  const termsOf = (h: HsdsService) => (h.attributes ?? []).map((a) => a.taxonomy_term);
  const modified = (e: Entry): number => {
    const own = updated?.get(e.record.id)?.getTime() ?? 0;
    const published = e.record.published?.lastModified ? Date.parse(e.record.published.lastModified) : 0;
    return Math.max(own, Number.isNaN(published) ? 0 : published);
  };
  const distance = (e: Entry) =>
    point ? distanceKm(point.latitude, point.longitude, e.record.latitude, e.record.longitude) * 1000 : 0;
  const matches = (await catalogue(ctx, directory)).filter((e) => {
    const h = e.hsds;
    const text = [h.name, h.alternate_name, h.description].join(' ').toLowerCase();
    return (
      words.every((w) => text.includes(w)) &&
      (q.taxonomyTermId === undefined || termsOf(h).some((t) => t.id === q.taxonomyTermId)) &&
      (q.taxonomyId === undefined ||
        termsOf(h).some((t) => t.taxonomy !== undefined && taxonomyId(t.taxonomy) === q.taxonomyId)) &&
      (q.organizationId === undefined || h.organization_id === q.organizationId) &&
      (after === undefined || modified(e) > after.getTime()) &&
      (q.proximity === undefined || distance(e) <= q.proximity)
    );
  });
  if (point) matches.sort((a, b) => distance(a) - distance(b) || a.record.id.localeCompare(b.record.id));
  return matches.map((e) => e.hsds);
}

/** `/services`: a page of services, filtered as the HSDS 3.0 API filters them. */
export async function openReferralServices(
  ctx: ServiceContext,
  q: ServiceQuery,
  directory: DirectoryState,
): Promise<OpenReferralPage<HsdsService>> {
  return pageOf(await selected(ctx, q, directory), q);
}

/** `/services/{id}`: one service in full, by its HSDS id (or its DoS id). */
export async function openReferralService(
  ctx: ServiceContext,
  id: string,
  directory: DirectoryState,
): Promise<HsdsService> {
  const found = (await catalogue(ctx, directory)).find((e) => e.hsds.id === id || e.record.id === id);
  if (!found) throw notFound(`There is no service "${id}" in the directory.`);
  return found.hsds;
}

/** A service at a location, with the location in full and the service it is of, by id. */
const salsOf = (h: HsdsService): HsdsServiceAtLocation[] =>
  (h.service_at_locations ?? []).map((sal) => ({ ...sal, service_id: h.id }));

/** `/service_at_locations`: the same filters as `/services`, a service at a location per item. */
export async function openReferralServiceAtLocations(
  ctx: ServiceContext,
  q: ServiceQuery,
  directory: DirectoryState,
): Promise<OpenReferralPage<HsdsServiceAtLocation>> {
  return pageOf((await selected(ctx, q, directory)).flatMap(salsOf), q);
}

export async function openReferralServiceAtLocation(
  ctx: ServiceContext,
  id: string,
  directory: DirectoryState,
): Promise<HsdsServiceAtLocation> {
  for (const e of await catalogue(ctx, directory))
    for (const sal of salsOf(e.hsds)) if (sal.id === id) return sal;
  throw notFound(`There is no service at a location "${id}" in the directory.`);
}

/** Every organisation that runs a service, once, by its HSDS id, in id order. */
async function organizations(ctx: ServiceContext, directory: DirectoryState): Promise<HsdsOrganization[]> {
  const byId = new Map<string, HsdsOrganization>();
  for (const e of await catalogue(ctx, directory)) {
    const o = e.hsds.organization;
    if (o && !byId.has(o.id)) byId.set(o.id, o);
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** `/organizations`: the organisations that run the directory's services, optionally by name. */
export async function openReferralOrganizations(
  ctx: ServiceContext,
  q: Paging & { readonly search?: string | undefined },
  directory: DirectoryState,
): Promise<OpenReferralPage<HsdsOrganization>> {
  const search = q.search?.toLowerCase();
  const all = await organizations(ctx, directory);
  return pageOf(
    search === undefined
      ? all
      : all.filter((o) =>
          [o.name, ...(o.organization_identifiers ?? []).map((i) => i.identifier)].some((n) =>
            n.toLowerCase().includes(search),
          ),
        ),
    q,
  );
}

/** `/organizations/{id}`: one organisation, by its HSDS id or its ODS code. */
export async function openReferralOrganization(
  ctx: ServiceContext,
  id: string,
  directory: DirectoryState,
): Promise<HsdsOrganization> {
  const found = (await organizations(ctx, directory)).find(
    (o) => o.id === id || (o.organization_identifiers ?? []).some((i) => i.identifier === id.toUpperCase()),
  );
  if (!found) throw notFound(`There is no organisation "${id}" running a service in the directory.`);
  return found;
}

/** `/taxonomies`: the vocabularies services are classified by. */
export function openReferralTaxonomies(
  q: Paging & { readonly search?: string | undefined },
): OpenReferralPage<HsdsTaxonomy> {
  const search = q.search?.toLowerCase();
  const all = TAXONOMIES.map((t) => ({ id: taxonomyId(t.name), name: t.name, description: t.description }))
    .filter((t) => search === undefined || `${t.name} ${t.description}`.toLowerCase().includes(search))
    .sort((a, b) => a.id.localeCompare(b.id));
  return pageOf(all, q);
}

/** `/taxonomy_terms`: every term the directory's services use, of the classifying vocabularies. */
export async function openReferralTaxonomyTerms(
  ctx: ServiceContext,
  q: Paging & { readonly search?: string | undefined; readonly taxonomyId?: string | undefined },
  directory: DirectoryState,
): Promise<OpenReferralPage<HsdsTaxonomyTerm>> {
  const classifying = new Set(TAXONOMIES.map((t) => t.name));
  const typeName = new Map(directory.content.types.map((t) => [String(t.id), t.name]));
  const byId = new Map<string, HsdsTaxonomyTerm>();
  for (const e of await catalogue(ctx, directory))
    for (const a of e.hsds.attributes ?? []) {
      const t = a.taxonomy_term;
      const taxonomy = t.taxonomy ?? t.vocabulary;
      if (!taxonomy || !classifying.has(taxonomy) || byId.has(t.id)) continue;
      const name = taxonomy === VOCABULARY.serviceType ? (typeName.get(a.value) ?? t.name) : t.name;
      byId.set(t.id, {
        id: t.id,
        ...(t.code ? { code: t.code } : {}),
        name,
        description: t.description,
        taxonomy,
        taxonomy_id: taxonomyId(taxonomy),
      });
    }
  const search = q.search?.toLowerCase();
  const all = [...byId.values()]
    .filter(
      (t) =>
        (q.taxonomyId === undefined || t.taxonomy_id === q.taxonomyId) &&
        (search === undefined || `${t.code ?? ''} ${t.name}`.toLowerCase().includes(search)),
    )
    .sort((a, b) => a.taxonomy.localeCompare(b.taxonomy) || a.id.localeCompare(b.id));
  return pageOf(all, q);
}
