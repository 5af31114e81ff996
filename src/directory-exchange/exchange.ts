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
import { listOrganisations } from '../store/users';
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
  items.forEach((item, index) => {
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
    if (seen.has(mapped.record.id)) {
      bad.push({
        index,
        id: mapped.record.id,
        reason: `service ${mapped.record.id} appears twice in the file`,
      });
      return;
    }
    seen.add(mapped.record.id);
    good.push(mapped.record);
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
  return { total: items.length, imported: good.length, bad, ...(review.length > 0 ? { review } : {}) };
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
