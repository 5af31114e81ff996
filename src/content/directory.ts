import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type DirectoryContent, readDirectoryContent, type TypeRanks } from '../domain/directory/index';
import { readDispositionContent } from './dispositions';
import { contentPath } from './files';

let cached: DirectoryContent | undefined;

/** Reads and validates content/directory/service-types.yaml (once per process). */
export function readDirectoryTypes(): DirectoryContent {
  cached ??= readDirectoryContent(
    parse(readFileSync(contentPath('directory/service-types.yaml'), 'utf8')),
    new Set(readDispositionContent().byCode.keys()),
  );
  return cached;
}

/** The national type ranks from content, with per-area overrides from the store. */
export function nationalTypeRanks(
  content: DirectoryContent,
  byArea: TypeRanks['byArea'] = new Map(),
): TypeRanks {
  return {
    national: new Map(content.types.map((t) => [t.id, { id: t.id, name: t.name, rank: t.rank }])),
    byArea,
  };
}
