import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** The repository's content/ folder: data, not code. Overridable for tests and deployments. */
export function contentDir(): string {
  return process.env.OPEN111_CONTENT_DIR ?? fileURLToPath(new URL('../../content/', import.meta.url));
}

export function contentPath(relative: string): string {
  return `${contentDir().replace(/\/$/, '')}/${relative}`;
}

/** Reads a CSV from content/ into records keyed by its header row. */
export function readContentCsv(relative: string): Record<string, string>[] {
  return parse(readFileSync(contentPath(relative), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
    trim: true,
  });
}
