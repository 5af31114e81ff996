import { readDirectoryTypes } from '../content/directory';
import {
  exportHsds,
  generateIntoStore,
  type ImportReport,
  importHsds,
  type Progress,
} from '../directory-exchange/exchange';
import { type HsdsService, toHsds } from '../directory-exchange/hsds';
import type { RecordRef } from '../domain/auth/index';
import { inScope } from '../domain/auth/index';
import {
  type Capacity,
  type CapacityStatus,
  checkCapacityReset,
  checkSearch,
  checkService,
  DEFAULT_DISTANCE_KM,
  type DirectoryContent,
  type DirectoryGap,
  type DirectoryResult,
  type DirectorySearch,
  distanceKm,
  effectiveCapacity,
  generateSyntheticDirectory,
  nearestDistrict,
  type PatientAge,
  REFERRAL_ROLES,
  type ReferralRole,
  searchDirectory as rankServices,
  type ServiceRecord,
  type ServiceStatus,
  type Sex,
} from '../domain/directory/index';
import { conflict, type FieldProblem, invalid, notFound, preconditionFailed } from '../domain/errors';
import { seedReference } from '../seed/index';
import {
  announceChanges,
  announceRankChange,
  deleteService as deleteServiceRow,
  findService,
  type GapReportRow,
  insertService,
  gapReport as loadGapReport,
  replaceService as replaceServiceRow,
  saveCapacity,
  saveTypeRank,
  serviceUpdatedAt,
} from '../store/directory';
import { listOrganisations } from '../store/users';
import type { ServiceContext } from './context';
import type { DirectoryState } from './directory-state';
import { locate } from './locate';
import { authorize, type Caller, inUseCase, listScope } from './use-case';

/**
 * The Directory of Services: search it for a disposition, keep its services, their capacity and the
 * ranks of their types, and report the gaps. Anyone on the staff may search and read it; a DoS lead
 * keeps the services of the areas under its organisation; a provider sets its own services' capacity.
 * Every change is written to the database and applied to this process's index at once; other processes
 * hear of it through the change notification.
 */

/** A service as written by a DoS lead: everything but its capacity, which the provider sets. */
export type ServiceDraft = Omit<ServiceRecord, 'capacity'>;

/** A service as it is shown: with its version (for optimistic locking), type name and capacity now. */
export interface ServiceView extends ServiceRecord {
  readonly version: number;
  readonly typeName: string;
  readonly effectiveCapacity: CapacityStatus;
}

/** Who a service belongs to, for the policy: its commissioning area and the provider that runs it. */
const serviceRef = (s: Pick<ServiceRecord, 'areaCode' | 'organisationCode'>): RecordRef => ({
  areaCode: s.areaCode,
  providerCode: s.organisationCode,
});

const SERVICE = 'dos_service';
const GREEN: Capacity = { status: 'green', resetAt: null, changedAt: null, changedBy: null };

const typeNameOf = (content: DirectoryContent, typeId: number): string =>
  content.types.find((t) => t.id === typeId)?.name ?? `type ${typeId}`;

function view(directory: DirectoryState, s: ServiceRecord & { version?: number }, now: Date): ServiceView {
  return {
    ...s,
    effectiveCapacity: effectiveCapacity(s, now),
    version: s.version ?? 1,
    typeName: typeNameOf(directory.content, s.typeId),
  };
}

/** Problems are reported where the edge received them (the request body, or the service inside it). */
const under = (base: string, problems: readonly FieldProblem[]): FieldProblem[] =>
  problems.map((p) => ({ ...p, pointer: `${base}${p.pointer}` }));

function checked(
  directory: DirectoryState,
  draft: ServiceDraft,
  capacity: Capacity,
  base: string,
): ServiceRecord {
  const record: ServiceRecord = { ...draft, capacity };
  const problems = under(
    base,
    checkService(
      record,
      new Set(directory.content.types.map((t) => t.id)),
      new Set(directory.dispositions.byCode.keys()),
    ),
  );
  if (problems.length > 0) throw invalid(`${problems[0]?.pointer}: ${problems[0]?.message}`, problems);
  return record;
}

// ── Search ──────────────────────────────────────────────────────────────────────────────────────────

/** Where the patient is: a postcode (placed through the postcode directory), or a point. */
export type Place = { readonly postcode: string } | { readonly latitude: number; readonly longitude: number };

export interface DirectoryQuery {
  readonly place: Place;
  readonly age: PatientAge;
  readonly sex: Sex;
  readonly disposition: string;
  readonly symptomGroup?: string | undefined;
  readonly symptomDiscriminators?: readonly string[] | undefined;
  readonly distanceKm?: number | undefined;
  /** The instant to search for (default now). */
  readonly at?: Date | undefined;
  readonly gpPractice?: string | undefined;
  /** Whose referral instructions to show, for a searcher who is neither an adviser nor a clinician. */
  readonly referralRole?: ReferralRole | undefined;
}

/** A service in a search answer: the referral instructions are those for the searcher's role. */
export interface ServiceSummary {
  readonly id: string;
  readonly name: string;
  readonly typeId: number;
  readonly typeName: string;
  readonly organisationCode: string;
  readonly areaCode: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly address: string;
  readonly postcode: string;
  readonly publicPhone: string | null;
  readonly professionalPhone: string | null;
  readonly referralInstructions: string;
}

export interface DirectorySearchAnswer {
  readonly location: {
    readonly latitude: number;
    readonly longitude: number;
    readonly areaCode: string | null;
    readonly query: string;
  };
  readonly searchedAt: string;
  readonly disposition: { readonly code: string; readonly title: string; readonly timeframeMinutes: number };
  readonly fallback: boolean;
  readonly considered: number;
  readonly gapCounts: Record<string, number>;
  readonly results: (Omit<DirectoryResult, 'service' | 'why'> & {
    service: ServiceSummary;
    why: string[];
  })[];
  readonly gaps: (Omit<DirectoryGap, 'service'> & { service: ServiceSummary })[];
}

const isReferralRole = (role: string): role is ReferralRole =>
  (REFERRAL_ROLES as readonly string[]).includes(role);

/** The gaps an answer shows: the nearest, enough to see what is missing without a page of them. */
const GAPS_SHOWN = 100;

/** Ranked services for a disposition near the patient, and the nearest that failed one filter (logged). */
export async function searchDirectory(
  ctx: ServiceContext,
  caller: Caller,
  query: DirectoryQuery,
  directory: DirectoryState,
): Promise<DirectorySearchAnswer> {
  await authorize(ctx, caller, 'service.read', {}, { type: 'dos_search' });
  const now = ctx.now();
  let point: { latitude: number; longitude: number; areaCode: string | null; query: string };
  if ('postcode' in query.place) {
    const l = await locate(ctx, query.place.postcode, now);
    point = { latitude: l.latitude, longitude: l.longitude, areaCode: l.area.code, query: l.query };
  } else {
    const { latitude, longitude } = query.place;
    const district = nearestDistrict((await ctx.geography()).districts.values(), latitude, longitude);
    point = { latitude, longitude, areaCode: district?.areaCode ?? null, query: `${latitude},${longitude}` };
  }
  // An adviser or a clinician sees their own referral instructions; anyone else chooses whose.
  const role: ReferralRole = isReferralRole(caller.actor.role)
    ? caller.actor.role
    : (query.referralRole ?? 'health_adviser');
  const search: DirectorySearch = {
    latitude: point.latitude,
    longitude: point.longitude,
    areaCode: point.areaCode,
    age: query.age,
    sex: query.sex,
    disposition: query.disposition,
    symptomGroup: query.symptomGroup ?? null,
    symptomDiscriminators: query.symptomDiscriminators ?? [],
    distanceKm: query.distanceKm ?? DEFAULT_DISTANCE_KM,
    at: query.at ?? now,
    gpPractice: query.gpPractice ?? null,
    role,
  };
  const disposition = checkSearch(search, directory.dispositions.byCode.get(search.disposition));
  const answer = rankServices(await directory.index(), search, {
    disposition,
    typeRanks: await directory.typeRanks(),
  });
  if (answer.gaps.length > 0) {
    // Counted in memory and written with other searches' every few seconds (gap-log.ts).
    directory.gaps.add(
      answer.gaps.map((g) => ({
        at: search.at,
        areaCode: point.areaCode,
        disposition: search.disposition,
        serviceId: g.service.id,
        filter: g.failed,
      })),
    );
  }
  const summary = (s: ServiceRecord): ServiceSummary => ({
    id: s.id,
    name: s.name,
    typeId: s.typeId,
    typeName: typeNameOf(directory.content, s.typeId),
    organisationCode: s.organisationCode,
    areaCode: s.areaCode,
    latitude: s.latitude,
    longitude: s.longitude,
    address: s.address,
    postcode: s.postcode,
    publicPhone: s.publicPhone,
    professionalPhone: s.professionalPhone,
    referralInstructions:
      role === 'clinician' ? s.professionalReferralInstructions : s.publicReferralInstructions,
  });
  return {
    location: point,
    searchedAt: search.at.toISOString(),
    disposition: {
      code: disposition.code,
      title: disposition.title,
      timeframeMinutes: disposition.timeframeMinutes ?? 0,
    },
    fallback: answer.fallback,
    considered: answer.considered,
    gapCounts: answer.gapCounts,
    results: answer.results.map((r) => ({ ...r, service: summary(r.service), why: [...r.why] })),
    gaps: answer.gaps.slice(0, GAPS_SHOWN).map((g) => ({ ...g, service: summary(g.service) })),
  };
}

// ── Reading services ────────────────────────────────────────────────────────────────────────────────

export interface ServiceType {
  readonly id: number;
  readonly name: string;
  readonly rank: number;
}

/** The service types with their national rank. */
export async function listServiceTypes(
  ctx: ServiceContext,
  caller: Caller,
  directory: DirectoryState,
): Promise<ServiceType[]> {
  await authorize(ctx, caller, 'reference.read', {}, { type: 'dos_service_type' });
  return directory.content.types.map((t) => ({ id: t.id, name: t.name, rank: t.rank }));
}

/** Which services to list; every criterion given must hold. */
export interface ServiceFilter {
  readonly id?: string | undefined;
  /** Any of these ids (a FHIR search's `_id=a,b`). */
  readonly ids?: readonly string[] | undefined;
  /** The service whose Location this is (a service's Location has the service's id). */
  readonly locationId?: string | undefined;
  /** Part of the name, in any case. */
  readonly name?: string | undefined;
  readonly typeId?: number | undefined;
  /** Any of these types. */
  readonly typeIds?: readonly number[] | undefined;
  readonly organisationCode?: string | undefined;
  /** Provided by any of these organisations. */
  readonly organisationCodes?: readonly string[] | undefined;
  readonly areaCode?: string | undefined;
  /** Whether the service is active (true) or not (false). */
  readonly active?: boolean | undefined;
  readonly statuses?: readonly ServiceStatus[] | undefined;
  /** The start of the postcode, spaces and case ignored. */
  readonly postcodePrefix?: string | undefined;
  /** Within a distance of a point; the list is then nearest first. */
  readonly near?: { readonly latitude: number; readonly longitude: number; readonly km: number } | undefined;
  /** The order when not `near`: by name (the console's list) or by id (a FHIR searchset). */
  readonly order?: 'name' | 'id' | undefined;
  /** How many matches, in that order, to pass over first (paging). */
  readonly offset?: number | undefined;
  readonly limit: number;
}

const compact = (postcode: string) => postcode.toUpperCase().replace(/\s+/g, '');

/** Services matching a filter, from the in-memory index: the first `limit`, and how many matched. */
export async function listServices(
  ctx: ServiceContext,
  caller: Caller,
  filter: ServiceFilter,
  directory: DirectoryState,
): Promise<{ total: number; services: ServiceView[] }> {
  const scope = await listScope(ctx, caller, 'service.read', { type: SERVICE });
  const index = await directory.index();
  const near = filter.near;
  const pool = near
    ? index.within(near.latitude, near.longitude, near.km).map((n) => n.service.record)
    : [...index.records()];
  const name = filter.name?.toLowerCase();
  const postcode = filter.postcodePrefix === undefined ? undefined : compact(filter.postcodePrefix);
  const matches = pool.filter(
    (s) =>
      inScope(scope, serviceRef(s)) &&
      (filter.id === undefined || s.id === filter.id) &&
      (filter.ids === undefined || filter.ids.includes(s.id)) &&
      (filter.locationId === undefined || s.id === filter.locationId) &&
      (name === undefined || s.name.toLowerCase().includes(name)) &&
      (filter.typeId === undefined || s.typeId === filter.typeId) &&
      (filter.typeIds === undefined || filter.typeIds.includes(s.typeId)) &&
      (filter.organisationCode === undefined || s.organisationCode === filter.organisationCode) &&
      (filter.organisationCodes === undefined || filter.organisationCodes.includes(s.organisationCode)) &&
      (filter.areaCode === undefined || s.areaCode === filter.areaCode) &&
      (filter.active === undefined || (s.status === 'active') === filter.active) &&
      (filter.statuses === undefined || filter.statuses.includes(s.status)) &&
      (postcode === undefined || compact(s.postcode).startsWith(postcode)),
  );
  if (near) {
    const d = (s: ServiceRecord) => distanceKm(near.latitude, near.longitude, s.latitude, s.longitude);
    matches.sort((a, b) => d(a) - d(b) || a.id.localeCompare(b.id));
  } else if (filter.order === 'id') matches.sort((a, b) => a.id.localeCompare(b.id));
  else matches.sort((a, b) => a.name.localeCompare(b.name));
  const now = ctx.now();
  return {
    total: matches.length,
    services: matches
      .slice(filter.offset ?? 0, (filter.offset ?? 0) + filter.limit)
      .map((s) => view(directory, s, now)),
  };
}

/** An organisation the directory names as a service's provider, with its name where one is held. */
export interface ProvidingOrganisation {
  readonly code: string;
  readonly name: string | undefined;
  /** How many services of the directory it provides (of all, not only the caller's scope). */
  readonly services: number;
}

/**
 * Every organisation the directory names as a provider, by code: a FHIR consumer follows
 * `HealthcareService.providedBy` to one of them. Names come from the organisations open111 holds.
 */
export async function providingOrganisations(
  ctx: ServiceContext,
  caller: Caller,
  directory: DirectoryState,
): Promise<ProvidingOrganisation[]> {
  await authorize(ctx, caller, 'service.read', {}, { type: 'organisation' });
  const counts = new Map<string, number>();
  for (const s of (await directory.index()).records())
    counts.set(s.organisationCode, (counts.get(s.organisationCode) ?? 0) + 1);
  const names = new Map((await listOrganisations(ctx.store.db)).map((o) => [o.code, o.name]));
  return [...counts]
    .map(([code, services]) => ({ code, name: names.get(code), services }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** One service, as the database has it now. */
export async function readService(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  directory: DirectoryState,
): Promise<ServiceView> {
  const s = await findService(ctx.store.db, id);
  if (!s) throw notFound(`There is no service "${id}".`);
  await authorize(ctx, caller, 'service.read', serviceRef(s), { type: SERVICE, id });
  return view(directory, s, ctx.now());
}

/** One service with when it last changed: its version and time, as FHIR's meta and ETag give them. */
export async function readVersionedService(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  directory: DirectoryState,
): Promise<ServiceView & { readonly updatedAt: Date }> {
  const view = await readService(ctx, caller, id, directory);
  return { ...view, updatedAt: (await serviceUpdatedAt(ctx.store.db, id)) ?? ctx.now() };
}

// ── Keeping services (DoS lead) ─────────────────────────────────────────────────────────────────────

/** Adds a service (at capacity green); the id must be new. */
export async function createService(
  ctx: ServiceContext,
  caller: Caller,
  draft: ServiceDraft,
  directory: DirectoryState,
): Promise<ServiceView> {
  const saved = await inUseCase(ctx, caller, async (u) => {
    await u.allow('service.edit', serviceRef(draft), { type: SERVICE, id: draft.id });
    const record = checked(directory, draft, GREEN, '/body');
    if (!(await insertService(u.tx, record)))
      throw conflict(`A service with id "${record.id}" already exists.`);
    await u.audit('create', { type: SERVICE, id: record.id });
    await announceChanges(u.tx, [record.id]);
    return { ...record, version: 1 };
  });
  await directory.apply({ upsert: [saved] });
  return view(directory, saved, ctx.now());
}

export interface ServiceReplacement {
  readonly id: string;
  /** The version the editor read: the replacement is refused if the service changed since. */
  readonly version: number;
  readonly service: ServiceDraft;
}

/** Replaces a service, keeping its capacity; the editor must reach both its old area and its new one. */
export async function replaceService(
  ctx: ServiceContext,
  caller: Caller,
  input: ServiceReplacement,
  directory: DirectoryState,
): Promise<ServiceView> {
  const { id, version, service } = input;
  if (service.id !== id)
    throw invalid('The service id in the body must match the URL.', [
      { pointer: '/body/service/id', message: `must be "${id}"` },
    ]);
  const saved = await inUseCase(ctx, caller, async (u) => {
    const current = await findService(u.tx, id);
    if (!current) throw notFound(`There is no service "${id}".`);
    await u.allow('service.edit', serviceRef(current), { type: SERVICE, id });
    await u.allow('service.edit', serviceRef(service), { type: SERVICE, id });
    const record = checked(directory, service, current.capacity, '/body/service');
    if (!(await replaceServiceRow(u.tx, record, version)))
      throw preconditionFailed(
        `Service ${id} has changed since version ${version} (it is at ${current.version}); read it again.`,
      );
    await u.audit('update', { type: SERVICE, id });
    await announceChanges(u.tx, [id]);
    return { ...record, version: version + 1 };
  });
  await directory.apply({ upsert: [saved] });
  return view(directory, saved, ctx.now());
}

export async function deleteService(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  directory: DirectoryState,
): Promise<void> {
  await inUseCase(ctx, caller, async (u) => {
    const current = await findService(u.tx, id);
    if (!current) throw notFound(`There is no service "${id}".`);
    await u.allow('service.edit', serviceRef(current), { type: SERVICE, id });
    await deleteServiceRow(u.tx, id);
    await u.audit('delete', { type: SERVICE, id });
    await announceChanges(u.tx, [id]);
  });
  await directory.apply({ remove: [id] });
}

// ── Capacity (the provider) and type ranks (the DoS lead) ───────────────────────────────────────────

export interface CapacityChange {
  readonly id: string;
  readonly status: CapacityStatus;
  /** Amber and red reset to green after this many minutes (15 minutes to 120 hours). */
  readonly resetAfterMinutes?: number | undefined;
}

/** Sets a service's capacity (RAG): its own provider's clinicians and admins, or the area's DoS lead. */
export async function setCapacity(
  ctx: ServiceContext,
  caller: Caller,
  change: CapacityChange,
  directory: DirectoryState,
): Promise<ServiceView> {
  const { id, status, resetAfterMinutes } = change;
  const problems = under('/body', checkCapacityReset(status, resetAfterMinutes));
  if (problems.length > 0) throw invalid(problems[0]?.message ?? 'invalid', problems);
  const saved = await inUseCase(ctx, caller, async (u) => {
    const current = await findService(u.tx, id);
    if (!current) throw notFound(`There is no service "${id}".`);
    await u.allow('service.capacity', serviceRef(current), { type: SERVICE, id });
    const capacity: Capacity = {
      status,
      resetAt:
        status === 'green'
          ? null
          : new Date(u.now.getTime() + (resetAfterMinutes ?? 0) * 60_000).toISOString(),
      changedAt: u.now.toISOString(),
      changedBy: caller.actor.username,
    };
    await saveCapacity(u.tx, id, capacity);
    await u.audit('update', { type: 'dos_service_capacity', id }, { status, resetAt: capacity.resetAt });
    await announceChanges(u.tx, [id]);
    return { ...current, capacity, version: current.version + 1 };
  });
  await directory.apply({ upsert: [saved] });
  return view(directory, saved, ctx.now());
}

export interface TypeRankChange {
  readonly areaCode: string;
  readonly typeId: number;
  /** The rank in this area; null restores the national rank. */
  readonly rank: number | null;
}

/** Overrides a service type's rank in one area: that area's DoS lead. */
export async function setTypeRank(
  ctx: ServiceContext,
  caller: Caller,
  change: TypeRankChange,
  directory: DirectoryState,
): Promise<{ area: string; typeId: number; rank: number | null }> {
  const areaCode = change.areaCode.toUpperCase();
  const { typeId, rank } = change;
  if (!(await ctx.geography()).areas.has(areaCode)) throw notFound(`There is no area "${change.areaCode}".`);
  if (!directory.content.types.some((t) => t.id === typeId))
    throw notFound(`There is no service type ${typeId}.`);
  await inUseCase(ctx, caller, async (u) => {
    const resource = { type: 'dos_type_rank', id: `${areaCode}/${typeId}` };
    await u.allow('type_rank.edit', { areaCode }, resource);
    await saveTypeRank(u.tx, areaCode, typeId, rank);
    await u.audit('update', resource, { rank });
    await announceRankChange(u.tx);
  });
  directory.invalidateRanks();
  return { area: areaCode, typeId, rank };
}

// ── The gap report (commissioners and DoS leads) ────────────────────────────────────────────────────

export interface GapReportQuery {
  /** One area; without it, every area the reader's organisation commissions or oversees. */
  readonly areaCode?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
}

export interface GapReport {
  readonly area: string | null;
  readonly from: string;
  readonly to: string;
  readonly byFilter: Record<string, number>;
  readonly services: GapReportRow[];
}

const GAP_REPORT_DAYS = 30;

/** Services that failed exactly one filter in searches from the reader's areas, most often first. */
export async function gapReport(
  ctx: ServiceContext,
  caller: Caller,
  query: GapReportQuery,
  directory: DirectoryState,
): Promise<GapReport> {
  const area = query.areaCode?.toUpperCase();
  let areaCodes: readonly string[] | undefined;
  if (area) {
    await authorize(ctx, caller, 'gap_report.read', { areaCode: area }, { type: 'dos_gap_report', id: area });
    areaCodes = [area];
  } else {
    const scope = await listScope(ctx, caller, 'gap_report.read', { type: 'dos_gap_report' });
    // A reach by provider never applies to gaps (they belong to areas): such a reader sees none.
    areaCodes = scope.kind === 'all' ? undefined : scope.kind === 'areas' ? [...scope.areaCodes] : [];
  }
  const to = query.to ?? new Date(ctx.now().getTime() + 1000);
  const from = query.from ?? new Date(to.getTime() - GAP_REPORT_DAYS * 86_400_000);
  if (from >= to) throw invalid('"from" must be before "to".');
  // This node's searches are in its report at once; another node's within its next write (5 s).
  await directory.gaps.flush();
  const rows = await loadGapReport(ctx.store.db, { ...(areaCodes ? { areaCodes } : {}), from, to });
  const byFilter: Record<string, number> = {};
  for (const r of rows) byFilter[r.filter] = (byFilter[r.filter] ?? 0) + r.count;
  return { area: area ?? null, from: from.toISOString(), to: to.toISOString(), byFilter, services: rows };
}

// ── Bulk: generate, import, export (the CLI) ────────────────────────────────────────────────────────

/*
 * A bulk write touches services of any area, so it is authorised for no area in particular: only a
 * reach over every area (the system administrator, or a national DoS lead) allows it.
 */

/** Writes a deterministic synthetic directory of `count` services into the store. */
export async function generateDirectory(
  ctx: ServiceContext,
  caller: Caller,
  input: { readonly count: number; readonly seed: number },
  progress?: Progress,
): Promise<number> {
  // Services are placed on England's geography: a fresh data directory is given it first.
  await seedReference(ctx.store.db);
  await authorize(ctx, caller, 'service.edit', {}, { type: SERVICE });
  const n = await generateIntoStore(ctx.store.db, input.count, input.seed, progress);
  await inUseCase(ctx, caller, (u) =>
    u.audit('create', { type: SERVICE }, { generated: n, seed: input.seed }),
  );
  return n;
}

/** A synthetic directory as Open Referral UK (HSDS 3.0) services, written nowhere but returned. */
export async function generateHsds(
  ctx: ServiceContext,
  caller: Caller,
  input: { readonly count: number; readonly seed: number },
): Promise<HsdsService[]> {
  await seedReference(ctx.store.db);
  await authorize(ctx, caller, 'service.read', {}, { type: SERVICE });
  const content = readDirectoryTypes();
  const services = generateSyntheticDirectory(await ctx.geography(), content, input.count, input.seed);
  return services.map((s) => toHsds(s, { typeName: typeNameOf(content, s.typeId) }));
}

/** Imports Open Referral UK (HSDS 3.0) JSON: good records are written, bad ones listed. */
export async function importDirectory(
  ctx: ServiceContext,
  caller: Caller,
  text: string,
  progress?: Progress,
): Promise<ImportReport> {
  // A DoS lead imports into the areas they keep: a record of another area is listed, not imported.
  const scope = await listScope(ctx, caller, 'service.edit', { type: SERVICE });
  await seedReference(ctx.store.db);
  const report = await importHsds(ctx.store.db, text, await ctx.geography(), progress, (s) =>
    inScope(scope, serviceRef(s))
      ? undefined
      : `service ${s.id} is in area ${s.areaCode}, which is not one of the areas you keep`,
  );
  await inUseCase(ctx, caller, (u) =>
    u.audit(
      'import',
      { type: SERVICE },
      { total: report.total, imported: report.imported, bad: report.bad.length },
    ),
  );
  return report;
}

/** The whole directory as a page of Open Referral UK (HSDS 3.0) services. */
export async function exportDirectory(ctx: ServiceContext, caller: Caller): ReturnType<typeof exportHsds> {
  await authorize(ctx, caller, 'service.read', {}, { type: SERVICE });
  return exportHsds(ctx.store.db);
}
