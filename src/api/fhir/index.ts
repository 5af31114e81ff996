import type { CapabilityStatement, Organization, ResourceType } from '@medplum/fhirtypes';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid, notFound } from '../../domain/errors';
import { referenceOrganisations } from '../../services/geography';
import type { Caller } from '../../services/use-case';
import { callerOf, typed } from '../context';
import {
  ambulanceTrustOrganization,
  areaOrganization,
  ODS_SYSTEM,
  ORG_KIND_SYSTEM,
  regionOrganization,
  searchset,
} from './resources';

export const FHIR_BASE = '/fhir/R4';
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** Other modules list what they serve here, so the CapabilityStatement stays true. */
export interface FhirResourceCapability {
  readonly type: ResourceType;
  readonly interactions: readonly ('read' | 'search-type' | 'create' | 'update')[];
  readonly searchParams: readonly {
    name: string;
    type: 'string' | 'token' | 'reference' | 'date' | 'special' | 'number';
  }[];
}

export const fhirCapabilities: FhirResourceCapability[] = [
  {
    type: 'Organization',
    interactions: ['read', 'search-type'],
    searchParams: [
      { name: '_id', type: 'token' },
      { name: 'identifier', type: 'token' },
      { name: 'name', type: 'string' },
      { name: 'type', type: 'token' },
      { name: 'partof', type: 'reference' },
    ],
  },
];

export function capabilityStatement(now: Date): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: now.toISOString(),
    kind: 'instance',
    publisher: 'open111',
    software: { name: 'open111', version: '0.1.0' },
    implementation: { description: 'open111 NHS 111-style urgent care service', url: FHIR_BASE },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: { description: 'Bearer token from POST /api/auth/login' },
        resource: fhirCapabilities.map((c) => ({
          type: c.type,
          interaction: c.interactions.map((code) => ({ code })),
          searchParam: c.searchParams.map((p) => ({ name: p.name, type: p.type })),
        })),
      },
    ],
  };
}

const OrganizationQuery = Type.Object(
  {
    _id: Type.Optional(Type.String({ maxLength: 20 })),
    identifier: Type.Optional(Type.String({ maxLength: 100 })),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    type: Type.Optional(Type.String({ maxLength: 100 })),
    partof: Type.Optional(Type.String({ maxLength: 40 })),
    _count: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);

/** `system|value` or `value`: the token search FHIR defines. */
function tokenMatches(token: string, system: string, value: string | undefined): boolean {
  const bar = token.indexOf('|');
  if (bar < 0) return token === value;
  const s = token.slice(0, bar);
  return (s === '' || s === system) && token.slice(bar + 1) === value;
}

export async function fhirPlugin(app: FastifyInstance): Promise<void> {
  app.get(
    `${FHIR_BASE}/metadata`,
    { schema: { tags: ['fhir'], summary: 'CapabilityStatement' }, config: { access: 'public' } },
    async (_request, reply) => {
      reply.type(FHIR_JSON);
      return capabilityStatement(app.ctx.now());
    },
  );

  const r = typed(app);

  async function allOrganizations(caller: Caller): Promise<Organization[]> {
    const orgs = await referenceOrganisations(app.ctx, caller);
    return [
      ...orgs.regions.map(regionOrganization),
      ...orgs.areas.map(areaOrganization),
      ...orgs.ambulanceTrusts.map(ambulanceTrustOrganization),
    ];
  }

  r.get(
    `${FHIR_BASE}/Organization/:id`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Read an Organization (SHA, PCT or ambulance trust) by ODS code',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
      config: { access: 'reference.read' },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw invalid(`"${id}" is not a valid FHIR id.`);
      const org = (await allOrganizations(callerOf(request))).find((o) => o.id === id.toUpperCase());
      if (!org) throw notFound(`Organization/${id} is not known.`);
      reply.type(FHIR_JSON);
      return org;
    },
  );

  r.get(
    `${FHIR_BASE}/Organization`,
    {
      schema: { tags: ['fhir'], summary: 'Search Organizations', querystring: OrganizationQuery },
      config: { access: 'reference.read' },
    },
    async (request, reply) => {
      const q = request.query;
      const name = q.name?.toLowerCase();
      const partof = q.partof?.replace(/^Organization\//, '');
      const matches = (await allOrganizations(callerOf(request))).filter(
        (o) =>
          (!q._id || o.id === q._id) &&
          (!q.identifier ||
            (o.identifier ?? []).some((i) => tokenMatches(q.identifier ?? '', ODS_SYSTEM, i.value))) &&
          (!name ||
            [o.name, ...(o.alias ?? [])].some(
              (n) => n?.toLowerCase().startsWith(name) || n?.toLowerCase().includes(` ${name}`),
            )) &&
          (!q.type ||
            (o.type ?? []).some((t) =>
              (t.coding ?? []).some((c) => tokenMatches(q.type ?? '', ORG_KIND_SYSTEM, c.code)),
            )) &&
          (!partof || o.partOf?.reference === `Organization/${partof}`),
      );
      reply.type(FHIR_JSON);
      const base = `${request.protocol}://${request.host}${FHIR_BASE}`;
      return searchset(base, matches.slice(0, q._count ?? 200), matches.length);
    },
  );
}
