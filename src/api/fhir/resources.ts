import type { Organization } from '@medplum/fhirtypes';
import type { AmbulanceTrust, Area, Region } from '../../domain/geography/index';

export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const ORG_KIND_SYSTEM = 'https://open111.dev/fhir/CodeSystem/organisation-kind';

const kind = (code: string, display: string) => [{ coding: [{ system: ORG_KIND_SYSTEM, code, display }] }];

export function regionOrganization(r: Region): Organization {
  return {
    resourceType: 'Organization',
    id: r.code,
    identifier: [{ system: ODS_SYSTEM, value: r.code }],
    active: true,
    type: kind('sha', 'Strategic health authority'),
    name: r.orgName,
    alias: [r.name],
  };
}

export function areaOrganization(a: Area): Organization {
  return {
    resourceType: 'Organization',
    id: a.code,
    identifier: [{ system: ODS_SYSTEM, value: a.code }],
    active: true,
    type: kind(a.kind, a.kind === 'pct' ? 'Primary care trust' : 'Care trust'),
    name: a.name,
    partOf: { reference: `Organization/${a.regionCode}` },
  };
}

export function ambulanceTrustOrganization(t: AmbulanceTrust): Organization {
  return {
    resourceType: 'Organization',
    id: t.code,
    identifier: [{ system: ODS_SYSTEM, value: t.code }],
    active: t.validTo === null,
    type: kind('ambulance-trust', 'Ambulance service'),
    name: t.name,
    alias: [t.shortName],
  };
}
