import type { CapabilityStatement, Organization, Resource, ResourceType } from '@medplum/fhirtypes';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DomainError, invalid, notFound } from '../../domain/errors';
import { referenceOrganisations } from '../../services/geography';
import type { Caller } from '../../services/use-case';
import { callerOf, typed } from '../context';
import { ambulanceTrustOrganization, areaOrganization, regionOrganization } from './resources';
import { alternatives, matchesToken, pageOf, searchControl, searchPage, searchQuery, tokens } from './search';

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
  /** Operations on the type or its instances, each with its OperationDefinition's canonical URL. */
  readonly operations?: readonly { name: string; definition: string }[];
  /** What its searches may `_include` and `_revinclude` (`Source:param`). */
  readonly searchInclude?: readonly string[];
  readonly searchRevInclude?: readonly string[];
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
    searchRevInclude: ['HealthcareService:organization', 'Location:organization'],
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
          // FHIR allows no empty arrays: a type searched by nothing lists no searchParam.
          ...(c.searchParams.length > 0
            ? { searchParam: c.searchParams.map((p) => ({ name: p.name, type: p.type })) }
            : {}),
          ...(c.searchInclude && c.searchInclude.length > 0 ? { searchInclude: [...c.searchInclude] } : {}),
          ...(c.searchRevInclude && c.searchRevInclude.length > 0
            ? { searchRevInclude: [...c.searchRevInclude] }
            : {}),
          ...(c.operations && c.operations.length > 0 ? { operation: [...c.operations] } : {}),
        })),
      },
    ],
  };
}

/**
 * Where Organizations come from besides the health geography: the directory adds the providers its
 * services name, so that every `providedBy` and `managingOrganization` resolves.
 */
type OrganizationSource = (caller: Caller) => Promise<Organization[]>;
const organizationSources = new WeakMap<object, OrganizationSource[]>();

/** Adds a source of Organizations to this app (keyed by its context: several apps may run in a test). */
export function addOrganizationSource(app: FastifyInstance, source: OrganizationSource): void {
  organizationSources.set(app.ctx, [...(organizationSources.get(app.ctx) ?? []), source]);
}

const ORGANIZATION_PARAMS = {
  _id: Type.Optional(Type.String({ maxLength: 2000 })),
  identifier: Type.Optional(Type.String({ maxLength: 2000 })),
  name: Type.Optional(Type.String({ maxLength: 100 })),
  type: Type.Optional(Type.String({ maxLength: 500 })),
  partof: Type.Optional(Type.String({ maxLength: 500 })),
};

/** Every Organization once, by id: the geography's first, then the directory's providers. */
export async function allOrganizations(app: FastifyInstance, caller: Caller): Promise<Organization[]> {
  const orgs = await referenceOrganisations(app.ctx, caller);
  const byId = new Map<string, Organization>();
  const reference = [
    ...orgs.regions.map(regionOrganization),
    ...orgs.areas.map(areaOrganization),
    ...orgs.ambulanceTrusts.map(ambulanceTrustOrganization),
  ];
  for (const source of [async () => reference, ...(organizationSources.get(app.ctx) ?? [])])
    for (const o of await source(caller)) if (o.id && !byId.has(o.id)) byId.set(o.id, o);
  return [...byId.values()].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
}

/** The Organizations with these ids (those that exist), for `_include`. */
export async function organizationsWithIds(
  app: FastifyInstance,
  caller: Caller,
  ids: Iterable<string>,
): Promise<Organization[]> {
  const wanted = new Set(ids);
  if (wanted.size === 0) return [];
  return (await allOrganizations(app, caller)).filter((o) => o.id !== undefined && wanted.has(o.id));
}

/** Reads one resource of a type for `_include`, or undefined when it is not there for this caller. */
type ReferenceReader = (caller: Caller, id: string) => Promise<Resource | undefined>;
const readers = new WeakMap<object, Map<string, ReferenceReader>>();

/** Says how a module's resources are read when another type's search `_include`s them. */
export function addReferenceReader(app: FastifyInstance, type: ResourceType, read: ReferenceReader): void {
  const forApp = readers.get(app.ctx) ?? new Map<string, ReferenceReader>();
  forApp.set(type, read);
  readers.set(app.ctx, forApp);
}

/**
 * The resources these references name (`Type/id`), those the caller may read; a reference to a type no
 * module reads, or to a record that is gone or hidden, brings nothing (FHIR includes are best effort).
 */
export async function readReferences(
  app: FastifyInstance,
  caller: Caller,
  references: Iterable<string | undefined>,
): Promise<Resource[]> {
  const wanted = [...new Set([...references].filter((r): r is string => r !== undefined))];
  const orgIds = wanted.filter((r) => r.startsWith('Organization/')).map((r) => r.slice(13));
  const out: Resource[] = await organizationsWithIds(app, caller, orgIds);
  for (const ref of wanted) {
    const [type, id] = ref.split('/');
    const read = type ? readers.get(app.ctx)?.get(type) : undefined;
    if (!read || !id) continue;
    try {
      const r = await read(caller, id);
      if (r) out.push(r);
    } catch (e) {
      // Not found, or not for this caller: an include leaves it out rather than failing the search.
      if (!(e instanceof DomainError)) throw e;
    }
  }
  return out;
}

/** Where Organization searches find what `_revinclude` brings: set by the directory. */
type RevIncluder = (
  caller: Caller,
  orgIds: readonly string[],
  links: ReadonlySet<string>,
) => Promise<Resource[]>;
const revIncluders = new WeakMap<object, RevIncluder>();
export function setOrganizationRevIncluder(app: FastifyInstance, f: RevIncluder): void {
  revIncluders.set(app.ctx, f);
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

  r.get(
    `${FHIR_BASE}/Organization/:id`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Read an Organization (SHA, PCT, ambulance trust or service provider) by ODS code',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
      config: { access: 'reference.read' },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw invalid(`"${id}" is not a valid FHIR id.`);
      const all = await allOrganizations(app, callerOf(request));
      const org = all.find((o) => o.id === id) ?? all.find((o) => o.id === id.toUpperCase());
      if (!org) throw notFound(`Organization/${id} is not known.`);
      reply.type(FHIR_JSON);
      return org;
    },
  );

  r.get(
    `${FHIR_BASE}/Organization`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Search Organizations (paged)',
        querystring: searchQuery(ORGANIZATION_PARAMS),
      },
      config: { access: 'reference.read' },
    },
    async (request, reply) => {
      const q = request.query;
      const control = searchControl(request, Object.keys(ORGANIZATION_PARAMS), {
        revinclude: ['HealthcareService:organization', 'Location:organization'],
      });
      const name = q.name?.toLowerCase();
      const ids = alternatives(q._id);
      const identifier = tokens(q.identifier);
      const type = tokens(q.type);
      const partof = alternatives(q.partof, 'Organization/');
      const caller = callerOf(request);
      const matches = (await allOrganizations(app, caller)).filter(
        (o) =>
          (!ids || ids.includes(o.id ?? '')) &&
          (!identifier ||
            (o.identifier ?? []).some((i) => i.value && matchesToken(identifier, i.system, i.value))) &&
          (!name ||
            [o.name, ...(o.alias ?? [])].some(
              (n) => n?.toLowerCase().startsWith(name) || n?.toLowerCase().includes(` ${name}`),
            )) &&
          (!type ||
            (o.type ?? []).some((t) =>
              (t.coding ?? []).some((c) => c.code && matchesToken(type, c.system, c.code)),
            )) &&
          (!partof || partof.some((p) => o.partOf?.reference === `Organization/${p}`)),
      );
      const page = pageOf(matches, control);
      const revIncluder = revIncluders.get(app.ctx);
      const included =
        control.revinclude.size > 0 && revIncluder
          ? await revIncluder(
              caller,
              page.page.flatMap((o) => (o.id ? [o.id] : [])),
              control.revinclude,
            )
          : [];
      return reply.type(FHIR_JSON).send(searchPage(request, 'Organization', control, page, included));
    },
  );
}
