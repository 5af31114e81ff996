import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import type { ServiceContext } from '../services/context';
import { type ImportReport, importPostcodes, type OnspdRow } from '../services/geography';
import { systemCaller } from '../services/use-case';

export type { ImportReport } from '../services/geography';

export interface ImportProgress {
  start(totalBytes: number): void;
  update(bytesRead: number): void;
  stop(): void;
}

/** The rows of a CSV file with a header line, each with its line number and how far into the file it ends. */
async function* csvRows(file: string): AsyncGenerator<OnspdRow> {
  const parser = createReadStream(file).pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
      info: true,
    }),
  );
  // csv-parse yields `{ record, info }` with `info: true`, typed only as `any` by the library.
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number; bytes: number };
  }>) {
    yield { record, line: info.lines, bytes: info.bytes };
  }
}

/**
 * `open111 import onspd <file>`: streams an ONS Postcode Directory CSV into the store through the
 * geography service (a transaction per batch of rows; bad rows reported by line and skipped).
 */
export async function importOnspd(
  ctx: ServiceContext,
  file: string,
  progress?: ImportProgress,
): Promise<ImportReport> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new Error(`Cannot read ${file}: no such file.`);
  }
  progress?.start(size);
  const report = await importPostcodes(ctx, systemCaller('import-onspd'), file, csvRows(file), (bytes) =>
    progress?.update(bytes),
  );
  progress?.update(size);
  progress?.stop();
  return report;
}
