import type { HealthcareService, HealthcareServiceAvailableTime, Location } from '@medplum/fhirtypes';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type ServiceRecord, type ServiceStatus, WEEKDAYS } from '../domain/directory/index';
import { invalid } from '../domain/errors';
import { listServices, readService, type ServiceView } from '../services/directory';
import type { DirectoryState } from '../services/directory-state';
import { callerOf, typed } from './context';
import { FHIR_BASE, FHIR_JSON, fhirCapabilities } from './fhir/index';
import { ODS_SYSTEM, searchset } from './fhir/resources';

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
  },
);

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
    providedBy: {
      identifier: { system: ODS_SYSTEM, value: s.organisationCode },
      display: s.organisationCode,
    },
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
    managingOrganization: { identifier: { system: ODS_SYSTEM, value: s.organisationCode } },
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

/** A FHIR reference or token written with its prefix ("Organization/RYC", "system|code"): the bare code. */
const bare = (value: string | undefined, prefix: string): string | undefined =>
  value === undefined ? undefined : value.startsWith(prefix) ? value.slice(prefix.length) : value;
const tokenCode = (token: string | undefined): string | undefined =>
  token?.includes('|') ? token.split('|')[1] : token;

/** FHIR searches of the directory default to 100 entries a page. */
const FHIR_PAGE = 100;

export async function directoryFhirRoutes(app: FastifyInstance, directory: DirectoryState): Promise<void> {
  const r = typed(app);
  const base = (request: { protocol: string; host: string }) =>
    `${request.protocol}://${request.host}${FHIR_BASE}`;
  const asHealthcareService = (s: ServiceView) => healthcareService(s, s.typeName);

  r.get(
    `${FHIR_BASE}/HealthcareService/:id`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Read a HealthcareService (a DoS service)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
      config: { access: 'service.read' },
    },
    async (request, reply) => {
      const s = await readService(app.ctx, callerOf(request), fhirId(request.params.id), directory);
      return reply.type(FHIR_JSON).send(asHealthcareService(s));
    },
  );

  r.get(
    `${FHIR_BASE}/Location/:id`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Read the Location of a DoS service',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
      config: { access: 'service.read' },
    },
    async (request, reply) => {
      const s = await readService(app.ctx, callerOf(request), fhirId(request.params.id), directory);
      return reply.type(FHIR_JSON).send(location(s));
    },
  );

  const Count = Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 }));

  r.get(
    `${FHIR_BASE}/HealthcareService`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Search HealthcareServices',
        querystring: Type.Object(
          {
            _id: Type.Optional(Type.String({ maxLength: 64 })),
            name: Type.Optional(Type.String({ maxLength: 100 })),
            'service-type': Type.Optional(Type.String({ maxLength: 100 })),
            active: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
            organization: Type.Optional(Type.String({ maxLength: 40 })),
            location: Type.Optional(Type.String({ maxLength: 80 })),
            _count: Count,
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'service.read' },
    },
    async (request, reply) => {
      const q = request.query;
      const typeCode = tokenCode(q['service-type']);
      const typeId = typeCode === undefined ? undefined : Number(typeCode);
      // A type code that is not a number matches no service: id 0 is never a service type.
      const found = await listServices(
        app.ctx,
        callerOf(request),
        {
          id: q._id,
          name: q.name,
          typeId: typeId === undefined ? undefined : Number.isInteger(typeId) ? typeId : 0,
          active: q.active === undefined ? undefined : q.active === 'true',
          organisationCode: bare(q.organization, 'Organization/'),
          locationId: bare(q.location, 'Location/'),
          order: 'id',
          limit: q._count ?? FHIR_PAGE,
        },
        directory,
      );
      return reply
        .type(FHIR_JSON)
        .send(searchset(base(request), found.services.map(asHealthcareService), found.total));
    },
  );

  r.get(
    `${FHIR_BASE}/Location`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Search Locations, including near=latitude|longitude|distance|unit',
        querystring: Type.Object(
          {
            _id: Type.Optional(Type.String({ maxLength: 64 })),
            name: Type.Optional(Type.String({ maxLength: 100 })),
            near: Type.Optional(Type.String({ maxLength: 80 })),
            'address-postalcode': Type.Optional(Type.String({ maxLength: 10 })),
            status: Type.Optional(
              Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('inactive')]),
            ),
            _count: Count,
          },
          { additionalProperties: false },
        ),
      },
      config: { access: 'service.read' },
    },
    async (request, reply) => {
      const q = request.query;
      const found = await listServices(
        app.ctx,
        callerOf(request),
        {
          id: q._id,
          name: q.name,
          near: q.near === undefined ? undefined : parseNear(q.near),
          postcodePrefix: q['address-postalcode'],
          statuses: q.status === undefined ? undefined : STATUSES_OF_LOCATION[q.status],
          order: 'id',
          limit: q._count ?? FHIR_PAGE,
        },
        directory,
      );
      return reply.type(FHIR_JSON).send(searchset(base(request), found.services.map(location), found.total));
    },
  );
}
