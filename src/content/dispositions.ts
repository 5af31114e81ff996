import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type DispositionCatalogue, readDispositionCatalogue } from '../domain/dispositions/index';
import { contentPath } from './files';

/** Reads and validates content/dispositions.yaml. */
export function readDispositionContent(): DispositionCatalogue {
  return readDispositionCatalogue(parse(readFileSync(contentPath('dispositions.yaml'), 'utf8')));
}
