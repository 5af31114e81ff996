import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const SCHEMAS = [
  'taxonomy',
  'taxonomy_term',
  'attribute',
  'phone',
  'schedule',
  'address',
  'location',
  'service_at_location',
  'organization',
  'service',
  'page',
  'paginated',
];

export interface HsdsValidators {
  readonly service: ValidateFunction;
  readonly page: ValidateFunction;
  /** A page of the HSDS API (every paging field present). */
  readonly paginated: ValidateFunction;
  readonly organization: ValidateFunction;
  readonly location: ValidateFunction;
  readonly service_at_location: ValidateFunction;
  readonly taxonomy: ValidateFunction;
  readonly taxonomy_term: ValidateFunction;
}

let compiled: HsdsValidators | undefined;

/** Ajv validators for open111's HSDS 3.0 JSON Schemas (src/directory-exchange/schemas/). */
export function hsdsValidators(): HsdsValidators {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  for (const name of SCHEMAS) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(`./schemas/${name}.json`, import.meta.url), 'utf8')));
  }
  const get = (name: string): ValidateFunction => {
    const v = ajv.getSchema(`https://open111.dev/schemas/hsds/3.0/${name}.json`);
    if (!v) throw new Error(`schema ${name} did not compile`);
    return v;
  };
  compiled = {
    service: get('service'),
    page: get('page'),
    paginated: get('paginated'),
    organization: get('organization'),
    location: get('location'),
    service_at_location: get('service_at_location'),
    taxonomy: get('taxonomy'),
    taxonomy_term: get('taxonomy_term'),
  };
  return compiled;
}

export function describeErrors(
  errors: readonly ErrorObject[] | null | undefined,
): { pointer: string; message: string }[] {
  return (errors ?? []).slice(0, 5).map((e) => ({
    pointer: e.instancePath || '/',
    message: `${e.message ?? 'is not valid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`,
  }));
}
