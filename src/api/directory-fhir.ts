import type {
  HealthcareService,
  HealthcareServiceAvailableTime,
  Location,
  Organization,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ServiceRecord, type ServiceStatus, WEEKDAYS } from '../domain/directory/index';
import { invalid } from '../domain/errors';
import {
  listServices,
  type ProvidingOrganisation,
  providingOrganisations,
  readService,
  readVersionedService,
  type ServiceView,
} from '../services/directory';
import type { DirectoryState } from '../services/directory-state';
import { callerOf, typed } from './context';
import {
  addOrganizationSource,
  addReferenceReader,
  FHIR_BASE,
  FHIR_JSON,
  fhirCapabilities,
  organizationsWithIds,
  setOrganizationRevIncluder,
} from './fhir/index';
import { ODS_SYSTEM, ORG_KIND_SYSTEM } from './fhir/resources';
import {
  alternatives,
  codesOf,
  MAX_COUNT,
  searchControl,
  searchPage,
  searchQuery,
  tokens,
} from './fhir/search';

/** At most this many resources are `_revinclude`d with one page. */
const MAX_INCLUDED = MAX_COUNT * 2;

export const DOS_TYPE_SYSTEM = 'https://open111.dev/fhir/CodeSystem/dos-service-type';
export const DISPOSITION_SYSTEM = 'https://open111.dev/fhir/CodeSystem/disposition';
export const DOS_ID_SYSTEM = 'https://open111.dev/fhir/Id/dos-service';

fhirCapabilities.push(
  {
    type: 'HealthcareService',
    interactions: ['read', 'search-type'],
    searchParams: [
      { name: '_id', type: 'token' },
      { name: 'name', type: 'string' },
      { name: 'service-type', type: 'token' },
      { name: 'active', type: 'token' },
      { name: 'organization', type: 'reference' },
      { name: 'location', type: 'reference' },
    ],
    searchInclude: ['HealthcareService:organization', 'HealthcareService:location'],
  },
  {
    type: 'Location',
    interactions: ['read', 'search-type'],
    searchParams: [
      { name: '_id', type: 'token' },
      { name: 'name', type: 'string' },
      { name: 'near', type: 'special' },
      { name: 'address-postalcode', type: 'string' },
      { name: 'status', type: 'token' },
    ],
    searchInclude: ['Location:organization'],
    searchRevInclude: ['HealthcareService:location'],
  },
);

/** A provider by reference to its Organization (served for every code the directory names) and its code. */
const organizationReference = <T extends Resource>(code: string): Reference<T> => ({
  reference: `Organization/${code}`,
  identifier: { system: ODS_SYSTEM, value: code },
});

/** A provider the directory names, as an Organization; its name where open111 holds one. */
export function providerOrganization(p: ProvidingOrganisation): Organization {
  return {
    resourceType: 'Organization',
    id: p.code,
    identifier: [{ system: ODS_SYSTEM, value: p.code }],
    active: true,
    type: [{ coding: [{ system: ORG_KIND_SYSTEM, code: 'provider', display: 'Service provider' }] }],
    ...(p.name ? { name: p.name } : { name: `Provider ${p.code}` }),
  };
}

const time = (hhmm: string): string => (hhmm === '24:00' ? '23:59:59' : `${hhmm}:00`);

export function healthcareService(s: ServiceRecord, typeName: string): HealthcareService {
  const availableTime: HealthcareServiceAvailableTime[] = s.openingTimes.alwaysOpen
    ? [{ daysOfWeek: [...WEEKDAYS], allDay: true }]
    : WEEKDAYS.flatMap((day) =>
        (s.openingTimes.weekly[day] ?? []).map((x) => ({
          daysOfWeek: [day],
          availableStartTime: time(x.open),
          availableEndTime: time(x.close),
        })),
      );
  const telecom = [
    ...(s.publicPhone
      ? [{ system: 'phone' as const, value: s.publicPhone, use: 'work' as const, rank: 2 }]
      : []),
    ...(s.professionalPhone
      ? [{ system: 'phone' as const, value: s.professionalPhone, use: 'work' as const, rank: 1 }]
      : []),
  ];
  const closed = s.openingTimes.specifiedDates.filter((d) => d.sessions.length === 0);
  return {
    resourceType: 'HealthcareService',
    id: s.id,
    identifier: [{ system: DOS_ID_SYSTEM, value: s.id }],
    active: s.status === 'active',
    providedBy: organizationReference(s.organisationCode),
    type: [{ coding: [{ system: DOS_TYPE_SYSTEM, code: String(s.typeId), display: typeName }] }],
    name: s.name,
    location: [{ reference: `Location/${s.id}` }],
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(s.dispositions.length > 0
      ? { characteristic: s.dispositions.map((d) => ({ coding: [{ system: DISPOSITION_SYSTEM, code: d }] })) }
      : {}),
    eligibility: [{ comment: `Ages ${s.ageMinDays}–${s.ageMaxDays} days; ${s.sexes.join(', ')}` }],
    comment: s.publicReferralInstructions || undefined,
    ...(availableTime.length > 0 ? { availableTime } : {}),
    ...(closed.length > 0
      ? {
          notAvailable: closed.map((d) => ({
            description: 'Closed',
            during: { start: d.date, end: d.date },
          })),
        }
      : {}),
    ...(s.openingTimes.bankHolidays.length === 0 && !s.openingTimes.alwaysOpen
      ? { availabilityExceptions: 'Closed on bank holidays' }
      : {}),
  };
}

export function location(s: ServiceRecord): Location {
  return {
    resourceType: 'Location',
    id: s.id,
    status: s.status === 'active' ? 'active' : s.status === 'closed' ? 'inactive' : 'suspended',
    name: s.name,
    mode: 'instance',
    address: { text: s.address, postalCode: s.postcode, country: 'GB' },
    position: { latitude: s.latitude, longitude: s.longitude },
    managingOrganization: organizationReference(s.organisationCode),
    ...(s.publicPhone ? { telecom: [{ system: 'phone', value: s.publicPhone }] } : {}),
  };
}

const UNIT_KM: Record<string, number> = { km: 1, m: 0.001, mi: 1.609344, '[mi_i]': 1.609344 };

/** FHIR `near`: latitude|longitude|distance|unit (distance defaults to 10 km; at most 100 km). */
export function parseNear(near: string): { latitude: number; longitude: number; km: number } {
  const [lat, lng, dist, unit] = near.split('|');
  const latitude = Number(lat);
  const longitude = Number(lng);
  const factor = UNIT_KM[unit ?? 'km'];
  const km = dist === undefined || dist === '' ? 10 : Number(dist) * (factor ?? Number.NaN);
  if (!(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180) || lat === '' || lng === '')
    throw invalid(`near must be latitude|longitude|distance|unit, e.g. 51.88|-0.42|10|km; not "${near}"`);
  if (!Number.isFinite(km) || km <= 0 || km > 100)
    throw invalid(
      `near: the distance must be more than 0 and at most 100 km (units km, m, mi), not "${near}"`,
    );
  return { latitude, longitude, km };
}

/** A service's resource with its version (searches give it; a read adds when it changed). */
const versioned = <R extends Resource>(resource: R, s: ServiceView): R => ({
  ...resource,
  meta: { versionId: String(s.version) },
});

/** A FHIR id: the route refuses anything else before the directory is asked. */
function fhirId(id: string): string {
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw invalid(`"${id}" is not a valid FHIR id.`);
  return id;
}

/** The service statuses each FHIR Location status stands for (the inverse of `location`). */
const STATUSES_OF_LOCATION: Record<'active' | 'suspended' | 'inactive', readonly ServiceStatus[]> = {
  active: ['active'],
  inactive: ['closed'],
  suspended: ['commissioning', 'suspended'],
};

/** The search parameters of each type, as the CapabilityStatement lists them. */
const HEALTHCARE_SERVICE_PARAMS = {
  _id: Type.Optional(Type.String({ maxLength: 2000 })),
  name: Type.Optional(Type.String({ maxLength: 100 })),
  'service-type': Type.Optional(Type.String({ maxLength: 500 })),
  active: Type.Optional(Type.String({ maxLength: 100 })),
  organization: Type.Optional(Type.String({ maxLength: 500 })),
  location: Type.Optional(Type.String({ maxLength: 500 })),
};
const LOCATION_PARAMS = {
  _id: Type.Optional(Type.String({ maxLength: 2000 })),
  name: Type.Optional(Type.String({ maxLength: 100 })),
  near: Type.Optional(Type.String({ maxLength: 80 })),
  'address-postalcode': Type.Optional(Type.String({ maxLength: 10 })),
  status: Type.Optional(Type.String({ maxLength: 100 })),
};

/** Ids that both lists allow (either may be absent: no criterion). */
function bothOf(a: readonly string[] | undefined, b: readonly string[] | undefined) {
  return a === undefined ? b : b === undefined ? a : a.filter((id) => b.includes(id));
}

/** `active=true,false` and the like: the booleans searched for; both (or none given) is no criterion. */
function activeFilter(value: string | undefined): boolean | undefined {
  const wanted = codesOf(tokens(value), '');
  if (wanted === undefined) return undefined;
  const yes = wanted.includes('true');
  const no = wanted.includes('false');
  if (yes && no) return undefined;
  if (!yes && !no) throw invalid(`active must be true or false, not "${value}".`);
  return yes;
}

/** Location `status` tokens as the service statuses they stand for. */
function locationStatuses(value: string | undefined): ServiceStatus[] | undefined {
  const wanted = codesOf(tokens(value), 'http://hl7.org/fhir/location-status');
  if (wanted === undefined) return undefined;
  return wanted.flatMap((code) => {
    if (code !== 'active' && code !== 'suspended' && code !== 'inactive')
      throw invalid(`status must be active, suspended or inactive, not "${code}".`);
    return [...STATUSES_OF_LOCATION[code]];
  });
}

export async function directoryFhirRoutes(app: FastifyInstance, directory: DirectoryState): Promise<void> {
  const r = typed(app);
  const asHealthcareService = (s: ServiceView) => healthcareService(s, s.typeName);
  addOrganizationSource(app, async (caller) =>
    (await providingOrganisations(app.ctx, caller, directory)).map(providerOrganization),
  );
  /** The services (as HealthcareServices, Locations or both) of these organisations, for `_revinclude`. */
  setOrganizationRevIncluder(app, async (caller, orgIds, links) => {
    const found = await listServices(
      app.ctx,
      caller,
      { organisationCodes: orgIds, order: 'id', limit: MAX_INCLUDED },
      directory,
    );
    return found.services.flatMap((s) => [
      ...(links.has('HealthcareService:organization') ? [asHealthcareService(s)] : []),
      ...(links.has('Location:organization') ? [location(s)] : []),
    ]);
  });
  addReferenceReader(app, 'HealthcareService', async (caller, id) =>
    asHealthcareService(await readService(app.ctx, caller, fhirId(id), directory)),
  );
  addReferenceReader(app, 'Location', async (caller, id) =>
    location(await readService(app.ctx, caller, fhirId(id), directory)),
  );
  const organizationsOf = (request: FastifyRequest, services: readonly ServiceView[]) =>
    organizationsWithIds(
      app,
      callerOf(request),
      services.map((s) => s.organisationCode),
    );

  /**
   * A service's resource as read: `meta.versionId` its version (it goes up by one with every change),
   * `meta.lastUpdated` when it changed, and the version as a weak ETag; `If-None-Match` with it gives 304.
   */
  for (const [type, draw] of [
    ['HealthcareService', asHealthcareService],
    ['Location', location],
  ] as const)
    r.get(
      `${FHIR_BASE}/${type}/:id`,
      {
        schema: {
          tags: ['fhir'],
          summary:
            type === 'HealthcareService'
              ? 'Read a HealthcareService (a DoS service), with its version as ETag'
              : 'Read the Location of a DoS service, with its version as ETag',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        },
        config: { access: 'service.read' },
      },
      async (request, reply) => {
        const s = await readVersionedService(
          app.ctx,
          callerOf(request),
          fhirId(request.params.id),
          directory,
        );
        const etag = `W/"${s.version}"`;
        reply.header('etag', etag).header('last-modified', s.updatedAt.toUTCString());
        const given = request.headers['if-none-match'];
        if (
          given !== undefined &&
          String(given)
            .split(',')
            .some((t) => t.trim() === etag)
        )
          return reply.code(304).send();
        const resource: Resource = draw(s);
        return reply.type(FHIR_JSON).send({
          ...resource,
          meta: { versionId: String(s.version), lastUpdated: s.updatedAt.toISOString() },
        });
      },
    );

  r.get(
    `${FHIR_BASE}/HealthcareService`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Search HealthcareServices (paged: follow link next)',
        querystring: searchQuery(HEALTHCARE_SERVICE_PARAMS),
      },
      config: { access: 'service.read' },
    },
    async (request, reply) => {
      const q = request.query;
      const control = searchControl(request, Object.keys(HEALTHCARE_SERVICE_PARAMS), {
        include: ['HealthcareService:organization', 'HealthcareService:location'],
      });
      // A type code that is not a number names no type: it matches nothing, as does another system's code.
      const typeIds = codesOf(tokens(q['service-type']), DOS_TYPE_SYSTEM)?.map((c) =>
        /^\d{1,9}$/.test(c) ? Number(c) : 0,
      );
      const found = await listServices(
        app.ctx,
        callerOf(request),
        {
          // A service's Location has the service's id, so `location` narrows the ids as `_id` does.
          ids: bothOf(alternatives(q._id), alternatives(q.location, 'Location/')),
          name: q.name,
          typeIds,
          active: activeFilter(q.active),
          organisationCodes: alternatives(q.organization, 'Organization/'),
          order: 'id',
          offset: control.offset,
          limit: control.countOnly ? 0 : control.count,
        },
        directory,
      );
      const included: Resource[] = [
        ...(control.include.has('HealthcareService:organization')
          ? await organizationsOf(request, found.services)
          : []),
        ...(control.include.has('HealthcareService:location') ? found.services.map(location) : []),
      ];
      return reply
        .type(FHIR_JSON)
        .send(
          searchPage(
            request,
            'HealthcareService',
            control,
            { total: found.total, page: found.services.map((v) => versioned(asHealthcareService(v), v)) },
            included,
          ),
        );
    },
  );

  r.get(
    `${FHIR_BASE}/Location`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Search Locations, including near=latitude|longitude|distance|unit (paged)',
        querystring: searchQuery(LOCATION_PARAMS),
      },
      config: { access: 'service.read' },
    },
    async (request, reply) => {
      const q = request.query;
      const control = searchControl(request, Object.keys(LOCATION_PARAMS), {
        include: ['Location:organization'],
        revinclude: ['HealthcareService:location'],
      });
      const found = await listServices(
        app.ctx,
        callerOf(request),
        {
          ids: alternatives(q._id),
          name: q.name,
          near: q.near === undefined ? undefined : parseNear(q.near),
          postcodePrefix: q['address-postalcode'],
          statuses: locationStatuses(q.status),
          order: 'id',
          offset: control.offset,
          limit: control.countOnly ? 0 : control.count,
        },
        directory,
      );
      // A service's Location has the service's id: the HealthcareService that names it is that service.
      const included: Resource[] = [
        ...(control.include.has('Location:organization')
          ? await organizationsOf(request, found.services)
          : []),
        ...(control.revinclude.has('HealthcareService:location')
          ? found.services.map(asHealthcareService)
          : []),
      ];
      return reply
        .type(FHIR_JSON)
        .send(
          searchPage(
            request,
            'Location',
            control,
            { total: found.total, page: found.services.map((v) => versioned(location(v), v)) },
            included,
          ),
        );
    },
  );
}
