import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import {
  areaCodeIndex,
  ONSPD_REQUIRED_COLUMNS,
  type PostcodeRecord,
  readOnspdRow,
} from '../domain/geography/index';
import { audit } from '../store/audit';
import { type Db, inTransaction } from '../store/db';
import { loadGeography, upsertPostcodes } from '../store/geography';

export interface ImportReport {
  readonly imported: number;
  readonly skipped: number;
  /** How many rows were bad; the first 1,000 of them are listed in `bad`. */
  readonly badCount: number;
  readonly bad: { readonly line: number; readonly reason: string }[];
}

export interface ImportProgress {
  start(totalBytes: number): void;
  update(bytesRead: number): void;
  stop(): void;
}

const BATCH = 1000;
const MAX_BAD_KEPT = 1000;

/**
 * Streams an ONS Postcode Directory CSV into the store: a transaction per batch of 1,000 rows, so a
 * failure part-way keeps every batch already written and nothing half-written. Bad rows are reported
 * with their line number and skipped.
 */
export async function importOnspd(db: Db, file: string, progress?: ImportProgress): Promise<ImportReport> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new Error(`Cannot read ${file}: no such file.`);
  }
  const areaCodes = areaCodeIndex((await loadGeography(db)).areas.values());
  const parser = createReadStream(file).pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
      info: true,
    }),
  );
  let bytes = 0;
  progress?.start(size);
  let imported = 0;
  let skipped = 0;
  let badCount = 0;
  const bad: ImportReport['bad'] = [];
  let batch: PostcodeRecord[] = [];
  let checkedHeader = false;

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await inTransaction(db, (tx) => upsertPostcodes(tx, rows, 'onspd'));
    imported += rows.length;
  };

  for await (const { record: row, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number; bytes: number };
  }>) {
    if (!checkedHeader) {
      const missing = ONSPD_REQUIRED_COLUMNS.filter((c) => !(c in row));
      if (missing.length > 0) {
        throw new Error(
          `${file} is not an ONS Postcode Directory CSV: it has no column ${missing.join(', ')}.`,
        );
      }
      checkedHeader = true;
    }
    const line = info.lines;
    bytes = info.bytes;
    const result = readOnspdRow(row, areaCodes);
    if (result.kind === 'postcode') batch.push(result.record);
    else if (result.kind === 'skipped') skipped++;
    else {
      badCount++;
      if (bad.length < MAX_BAD_KEPT) bad.push({ line, reason: result.reason });
    }
    if (batch.length >= BATCH) {
      await flush();
      progress?.update(bytes);
    }
  }
  await flush();
  progress?.update(size);
  progress?.stop();
  await audit(db, {
    actor: null,
    username: 'cli',
    action: 'import',
    resourceType: 'postcode',
    detail: { file, imported, skipped, bad: badCount },
  });
  return { imported, skipped, badCount, bad };
}
