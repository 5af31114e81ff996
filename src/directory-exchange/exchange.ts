import { readDirectoryTypes } from '../content/directory';
import { readDispositionContent } from '../content/dispositions';
import {
  checkService,
  generateSyntheticDirectory,
  nearestDistrict,
  type ServiceRecord,
} from '../domain/directory/index';
import type { Geography } from '../domain/geography/index';
import { type Db, inTransaction } from '../store/db';
import { announceChanges, loadServices, putServices } from '../store/directory';
import { loadGeography } from '../store/geography';
import { insertOrganisation, listOrganisations } from '../store/users';
import { fromHsds, type HsdsService, toHsds } from './hsds';
import { describeErrors, hsdsValidators } from './validate';

export interface ImportProblem {
  /** The record's position in the file (0-based) and its id when it has one. */
  readonly index: number;
  readonly id: string | null;
  readonly reason: string;
}

export interface ImportReport {
  readonly total: number;
  readonly imported: number;
  readonly bad: readonly ImportProblem[];
  /** Services imported inactive because no service type could be mapped: a DoS lead sets one. */
  readonly review?: readonly string[];
  /** Organisations given on their own whose ODS code open111 did not hold: their names are now held. */
  readonly organisations?: readonly string[];
  /** How many locations given on their own were placed into the imported services that name them. */
  readonly locations?: number;
}

/** Whether a record may be imported by this caller: undefined, or why not (a DoS lead's own areas). */
export type ImportGate = (record: ServiceRecord) => string | undefined;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What an HSDS record is: a location (it has a `location_type`), an organisation (no `status` and no
 * services at locations: HSDS requires a service's status) or a service.
 */
function kindOf(item: unknown): 'service' | 'organization' | 'location' {
  if (!isObject(item)) return 'service';
  if ('location_type' in item) return 'location';
  if (!('status' in item) && !('service_at_locations' in item)) return 'organization';
  return 'service';
}

/** The ODS code an HSDS organisation names, when it names one. */
function odsCodeOf(o: Json): string | undefined {
  const ids = Array.isArray(o.organization_identifiers) ? o.organization_identifiers : [];
  for (const i of ids)
    if (
      isObject(i) &&
      typeof i.identifier === 'string' &&
      (i.identifier_scheme === 'GB-NHS' || /ods/i.test(String(i.identifier_type ?? '')))
    )
      return i.identifier.toUpperCase();
  return undefined;
}

/**
 * A service with what it names by id filled in from the same file: its organisation (`organization_id`)
 * and the locations of its services at locations (`location_id`), as HSDS tables are often sent apart.
 */
function withReferences(
  item: unknown,
  organizations: Map<string, Json>,
  locations: Map<string, Json>,
): {
  item: unknown;
  placed: number;
} {
  if (!isObject(item)) return { item, placed: 0 };
  const out: Json = { ...item };
  let placed = 0;
  const org = typeof item.organization_id === 'string' ? organizations.get(item.organization_id) : undefined;
  if (!isObject(item.organization) && org) out.organization = org;
  if (Array.isArray(item.service_at_locations))
    out.service_at_locations = item.service_at_locations.map((sal) => {
      if (!isObject(sal) || isObject(sal.location) || typeof sal.location_id !== 'string') return sal;
      const location = locations.get(sal.location_id);
      if (!location) return sal;
      placed++;
      return { ...sal, location };
    });
  return { item: out, placed };
}

export interface Progress {
  start(total: number): void;
  update(done: number): void;
  stop(): void;
}

const BATCH = 1000;

/** Writes a deterministic synthetic directory of `count` services into the store, a batch at a time. */
export async function generateIntoStore(
  db: Db,
  count: number,
  seed: number,
  progress?: Progress,
): Promise<number> {
  const services = generateSyntheticDirectory(await loadGeography(db), readDirectoryTypes(), count, seed);
  progress?.start(services.length);
  for (let i = 0; i < services.length; i += BATCH) {
    await inTransaction(db, async (tx) => {
      await putServices(tx, services.slice(i, i + BATCH));
      // Too many to announce one by one: every process rebuilds its index.
      await announceChanges(tx, ['*']);
    });
    progress?.update(Math.min(services.length, i + BATCH));
  }
  progress?.stop();
  return services.length;
}

/**
 * Imports an Open Referral UK (HSDS 3.0) document: each service is validated against the JSON Schemas,
 * then mapped and checked against the directory's rules. Bad records are reported one by one; good
 * ones are written a batch at a time, each batch in one transaction (all of it, or none of it).
 */
export async function importHsds(
  db: Db,
  text: string,
  geo: Geography,
  progress?: Progress,
  gate?: ImportGate,
): Promise<ImportReport> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return {
      total: 0,
      imported: 0,
      bad: [{ index: -1, id: null, reason: `not JSON: ${(err as Error).message}` }],
    };
  }
  const v = hsdsValidators();
  if (!v.page(doc)) {
    return {
      total: 0,
      imported: 0,
      bad: [
        {
          index: -1,
          id: null,
          reason: 'expected a page of services ({"contents": [...]}) or an array of services',
        },
      ],
    };
  }
  const items: unknown[] = Array.isArray(doc) ? doc : (doc as { contents: unknown[] }).contents;
  const types = readDirectoryTypes();
  const knownTypes = new Set(types.types.map((t) => t.id));
  const knownDispositions = new Set(readDispositionContent().byCode.keys());
  const areaAt = (lat: number, lng: number) =>
    nearestDistrict(geo.districts.values(), lat, lng)?.areaCode ?? null;
  const bad: ImportProblem[] = [];
  const good: ServiceRecord[] = [];
  const seen = new Set<string>();
  // Organisations and locations on their own first: services in the file may name them by id.
  const organizations = new Map<string, Json>();
  const locations = new Map<string, Json>();
  items.forEach((item, index) => {
    const kind = kindOf(item);
    if (kind === 'service' || !isObject(item)) return;
    const validate = kind === 'location' ? v.location : v.organization;
    const id = typeof item.id === 'string' ? item.id : null;
    if (!validate(item)) {
      const e = describeErrors(validate.errors);
      bad.push({ index, id, reason: `${kind}: ${e.map((x) => `${x.pointer} ${x.message}`).join('; ')}` });
      return;
    }
    if (id !== null) (kind === 'location' ? locations : organizations).set(id, item);
  });
  let placed = 0;
  items.forEach((given, index) => {
    if (kindOf(given) !== 'service') return;
    const resolved = withReferences(given, organizations, locations);
    const item = resolved.item;
    const id =
      typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string'
        ? (item as { id: string }).id
        : null;
    if (!v.service(item)) {
      const e = describeErrors(v.service.errors);
      bad.push({ index, id, reason: e.map((x) => `${x.pointer} ${x.message}`).join('; ') });
      return;
    }
    const mapped = fromHsds(item as HsdsService, areaAt, types.types);
    if ('problems' in mapped) {
      bad.push({ index, id, reason: mapped.problems.map((p) => `${p.pointer} ${p.message}`).join('; ') });
      return;
    }
    // A type left for review is not a fault of the record: everything else must hold.
    const problems = checkService(mapped.record, knownTypes, knownDispositions).filter(
      (p) => !(mapped.record.published?.typeToReview && p.pointer === '/typeId'),
    );
    if (problems.length > 0) {
      bad.push({
        index,
        id: mapped.record.id,
        reason: problems.map((p) => `${p.pointer} ${p.message}`).join('; '),
      });
      return;
    }
    const refused = gate?.(mapped.record);
    if (refused) {
      bad.push({ index, id: mapped.record.id, reason: refused });
      return;
    }
    if (seen.has(mapped.record.id)) {
      bad.push({
        index,
        id: mapped.record.id,
        reason: `service ${mapped.record.id} appears twice in the file`,
      });
      return;
    }
    seen.add(mapped.record.id);
    placed += resolved.placed;
    good.push(mapped.record);
  });
  // A location no service in the file names has nowhere to go: the directory keeps places as services'.
  const named = new Set(
    items.flatMap((item) =>
      isObject(item) && Array.isArray(item.service_at_locations)
        ? item.service_at_locations.flatMap((sal) =>
            isObject(sal) && typeof sal.location_id === 'string' ? [sal.location_id] : [],
          )
        : [],
    ),
  );
  items.forEach((item, index) => {
    if (
      kindOf(item) === 'location' &&
      isObject(item) &&
      typeof item.id === 'string' &&
      locations.has(item.id) &&
      !named.has(item.id)
    )
      bad.push({
        index,
        id: item.id,
        reason:
          'location: no service in the file names it (service_at_locations[].location_id), so it has no service to belong to',
      });
  });
  // Organisations with an ODS code open111 does not hold yet: their names are kept (FHIR and HSDS use them).
  const known = new Set((await listOrganisations(db)).map((o) => o.code));
  const newOrganisations = [...organizations.values()].flatMap((o) => {
    const code = odsCodeOf(o);
    return code && !known.has(code) && typeof o.name === 'string'
      ? [{ code, name: o.name, kind: 'provider' }]
      : [];
  });
  if (newOrganisations.length > 0)
    await inTransaction(db, async (tx) => {
      for (const o of newOrganisations) await insertOrganisation(tx, o);
    });
  progress?.start(good.length);
  for (let i = 0; i < good.length; i += BATCH) {
    const batch = good.slice(i, i + BATCH);
    await inTransaction(db, async (tx) => {
      await putServices(tx, batch);
      if (batch.length <= 100)
        await announceChanges(
          tx,
          batch.map((s) => s.id),
        );
    });
    progress?.update(Math.min(good.length, i + BATCH));
  }
  progress?.stop();
  const review = good.filter((s) => s.published?.typeToReview).map((s) => s.id);
  bad.sort((a, b) => a.index - b.index);
  return {
    total: items.length,
    imported: good.length,
    bad,
    ...(review.length > 0 ? { review } : {}),
    ...(newOrganisations.length > 0 ? { organisations: newOrganisations.map((o) => o.code) } : {}),
    ...(placed > 0 ? { locations: placed } : {}),
  };
}

/** Exports the whole directory as a page of HSDS 3.0 services. */
export async function exportHsds(db: Db): Promise<{
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: HsdsService[];
}> {
  const types = readDirectoryTypes();
  const name = (id: number) => types.types.find((t) => t.id === id)?.name ?? `type ${id}`;
  const services = await loadServices(db);
  const organisations = new Map((await listOrganisations(db)).map((o) => [o.code, o.name]));
  const geo = await loadGeography(db);
  const town = (areaCode: string) =>
    geo.areas.get(areaCode)?.name.replace(/\s+(Teaching\s+)?(PCT|Primary Care Trust|Care Trust)$/i, '');
  const contents = services.map((s) =>
    toHsds(s, {
      typeName: name(s.typeId),
      organisationName: organisations.get(s.organisationCode),
      town: town(s.areaCode),
    }),
  );
  return {
    total_items: contents.length,
    total_pages: 1,
    page_number: 1,
    size: contents.length,
    first_page: true,
    last_page: true,
    empty: contents.length === 0,
    contents,
  };
}
