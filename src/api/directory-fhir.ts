import type { HealthcareService, HealthcareServiceAvailableTime, Location } from '@medplum/fhirtypes';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { distanceKm, type ServiceRecord, WEEKDAYS } from '../domain/directory/index';
import { invalid, notFound } from '../domain/errors';
import { requireActor } from './context';
import type { DirectoryState } from './directory-state';
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

const idOk = (id: string) => /^[A-Za-z0-9\-.]{1,64}$/.test(id);

export async function directoryFhirRoutes(app: FastifyInstance, state: DirectoryState): Promise<void> {
  const typeName = (id: number) => state.content.types.find((t) => t.id === id)?.name ?? `type ${id}`;
  const base = (request: { protocol: string; host: string }) =>
    `${request.protocol}://${request.host}${FHIR_BASE}`;

  async function one(id: string): Promise<ServiceRecord> {
    if (!idOk(id)) throw invalid(`"${id}" is not a valid FHIR id.`);
    const s = (await state.index()).get(id);
    if (!s) throw notFound(`There is no such resource: ${id}.`);
    return s;
  }

  app.get(
    `${FHIR_BASE}/HealthcareService/:id`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Read a HealthcareService (a DoS service)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      requireActor(request.actor);
      const s = await one((request.params as { id: string }).id);
      reply.type(FHIR_JSON);
      return healthcareService(s, typeName(s.typeId));
    },
  );

  app.get(
    `${FHIR_BASE}/Location/:id`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Read the Location of a DoS service',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      requireActor(request.actor);
      const s = await one((request.params as { id: string }).id);
      reply.type(FHIR_JSON);
      return location(s);
    },
  );

  const Count = Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 }));

  app.get(
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
    },
    async (request, reply) => {
      requireActor(request.actor);
      const q = request.query as Record<string, string | number | undefined>;
      const name = typeof q.name === 'string' ? q.name.toLowerCase() : undefined;
      const typeToken = typeof q['service-type'] === 'string' ? q['service-type'] : undefined;
      const typeCode = typeToken?.includes('|') ? typeToken.split('|')[1] : typeToken;
      const org =
        typeof q.organization === 'string' ? q.organization.replace(/^Organization\//, '') : undefined;
      const loc = typeof q.location === 'string' ? q.location.replace(/^Location\//, '') : undefined;
      const matches: ServiceRecord[] = [];
      for (const s of (await state.index()).records()) {
        if (q._id && s.id !== q._id) continue;
        if (name && !s.name.toLowerCase().includes(name)) continue;
        if (typeCode && String(s.typeId) !== typeCode) continue;
        if (q.active && (s.status === 'active') !== (q.active === 'true')) continue;
        if (org && s.organisationCode !== org) continue;
        if (loc && s.id !== loc) continue;
        matches.push(s);
      }
      matches.sort((a, b) => a.id.localeCompare(b.id));
      const count = typeof q._count === 'number' ? q._count : 100;
      reply.type(FHIR_JSON);
      return searchset(
        base(request),
        matches.slice(0, count).map((s) => healthcareService(s, typeName(s.typeId))),
        matches.length,
      );
    },
  );

  app.get(
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
    },
    async (request, reply) => {
      requireActor(request.actor);
      const q = request.query as Record<string, string | number | undefined>;
      const index = await state.index();
      const near = typeof q.near === 'string' ? parseNear(q.near) : undefined;
      const pool: ServiceRecord[] = near
        ? index.within(near.latitude, near.longitude, near.km).map((n) => n.service.record)
        : [...index.records()];
      const name = typeof q.name === 'string' ? q.name.toLowerCase() : undefined;
      const pc =
        typeof q['address-postalcode'] === 'string'
          ? q['address-postalcode'].toUpperCase().replace(/\s+/g, '')
          : undefined;
      const matches = pool
        .map((s) => ({ s, l: location(s) }))
        .filter(
          ({ s, l }) =>
            (!q._id || s.id === q._id) &&
            (!name || s.name.toLowerCase().includes(name)) &&
            (!pc || s.postcode.toUpperCase().replace(/\s+/g, '').startsWith(pc)) &&
            (!q.status || l.status === q.status),
        );
      if (near) {
        const d = (s: ServiceRecord) => distanceKm(near.latitude, near.longitude, s.latitude, s.longitude);
        matches.sort((a, b) => d(a.s) - d(b.s) || a.s.id.localeCompare(b.s.id));
      } else matches.sort((a, b) => a.s.id.localeCompare(b.s.id));
      const count = typeof q._count === 'number' ? q._count : 100;
      reply.type(FHIR_JSON);
      return searchset(
        base(request),
        matches.slice(0, count).map((m) => m.l),
        matches.length,
      );
    },
  );
}
