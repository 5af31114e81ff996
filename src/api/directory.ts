import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../domain/auth/index';
import {
  AGE_UNITS,
  CAPACITY_RESET_MAX_MINUTES,
  CAPACITY_STATUSES,
  checkCapacityReset,
  checkSearch,
  checkService,
  DEFAULT_DISTANCE_KM,
  type DirectoryAnswer,
  type DirectoryResult,
  type DirectorySearch,
  ENDPOINT_KINDS,
  effectiveCapacity,
  MAX_DISTANCE_KM,
  MIN_DISTANCE_KM,
  nearestDistrict,
  REFERRAL_ROLES,
  type ReferralRole,
  SERVICE_STATUSES,
  SEXES,
  type ServiceRecord,
  searchDirectory,
  WEEKDAYS,
} from '../domain/directory/index';
import { conflict, forbidden, invalid, notFound, preconditionFailed } from '../domain/errors';
import { parsePostcode, resolveLocation } from '../domain/geography/index';
import { audit } from '../store/audit';
import { inTransaction } from '../store/db';
import {
  announceChanges,
  announceRankChange,
  deleteService,
  findService,
  gapReport,
  insertService,
  logGaps,
  replaceService,
  saveCapacity,
  saveTypeRank,
} from '../store/directory';
import { findPostcode } from '../store/geography';
import { requireActor, requireRole } from './context';
import { directoryFhirRoutes } from './directory-fhir';
import { DirectoryState } from './directory-state';
import { parseAt } from './geography';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Clock = Type.String({
  pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$',
  description: 'HH:MM, Europe/London',
});
const SessionSchema = Type.Object({ open: Clock, close: Clock }, { additionalProperties: false });
const Sessions = Type.Array(SessionSchema, { maxItems: 6 });

export const OpeningTimesSchema = Type.Object(
  {
    alwaysOpen: Type.Boolean(),
    weekly: Type.Object(Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(Sessions)])), {
      additionalProperties: false,
    }),
    bankHolidays: Sessions,
    specifiedDates: Type.Array(
      Type.Object(
        { date: Type.String({ format: 'date' }), sessions: Sessions },
        { additionalProperties: false },
      ),
      { maxItems: 400 },
    ),
  },
  { additionalProperties: false },
);

const Text = (max: number) => Type.String({ maxLength: max });

/** A service as written by a DoS lead (capacity is set separately, by the provider). */
export const ServiceInput = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9\\-.]{1,64}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    typeId: Type.Integer({ minimum: 1, maximum: 9999 }),
    status: lit(SERVICE_STATUSES),
    organisationCode: Type.String({ minLength: 1, maxLength: 20 }),
    odsCode: Type.Union([Type.String({ maxLength: 20 }), Type.Null()]),
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    address: Text(300),
    postcode: Text(10),
    publicPhone: Type.Union([Text(30), Type.Null()]),
    professionalPhone: Type.Union([Text(30), Type.Null()]),
    publicReferralInstructions: Text(2000),
    professionalReferralInstructions: Text(2000),
    openingTimes: OpeningTimesSchema,
    ageMinDays: Type.Integer({ minimum: 0, maximum: 46000 }),
    ageMaxDays: Type.Integer({ minimum: 0, maximum: 46000 }),
    sexes: Type.Array(lit(SEXES), { minItems: 1, maxItems: 3, uniqueItems: true }),
    dispositions: Type.Array(Type.String({ maxLength: 10 }), { maxItems: 100, uniqueItems: true }),
    symptoms: Type.Array(Type.Object({ sg: Text(10), sd: Text(10) }, { additionalProperties: false }), {
      maxItems: 500,
    }),
    referralRoles: Type.Array(lit(REFERRAL_ROLES), { minItems: 1, uniqueItems: true }),
    areaCode: Type.String({ minLength: 1, maxLength: 10 }),
    limited: Type.Boolean(),
    endpoints: Type.Array(
      Type.Object(
        { kind: lit(ENDPOINT_KINDS), address: Text(300), order: Type.Integer({ minimum: 1, maximum: 99 }) },
        { additionalProperties: false },
      ),
      { maxItems: 10 },
    ),
  },
  { additionalProperties: false },
);
type ServiceInputT = Static<typeof ServiceInput>;

const CapacitySchema = Type.Object({
  status: lit(CAPACITY_STATUSES),
  resetAt: Type.Union([Type.String(), Type.Null()]),
  changedAt: Type.Union([Type.String(), Type.Null()]),
  changedBy: Type.Union([Type.String(), Type.Null()]),
});
const { properties: inputProps } = ServiceInput;
export const ServiceOutput = Type.Object({
  ...inputProps,
  id: Type.String(),
  capacity: CapacitySchema,
  effectiveCapacity: lit(CAPACITY_STATUSES),
  version: Type.Integer(),
  typeName: Type.String(),
});

const SearchBody = Type.Object(
  {
    postcode: Type.Optional(Type.String({ maxLength: 10 })),
    latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    age: Type.Object(
      { value: Type.Number({ minimum: 0, maximum: 46000 }), unit: lit(AGE_UNITS) },
      { additionalProperties: false },
    ),
    sex: lit(SEXES),
    disposition: Type.String({ pattern: '^Dx\\d{2,4}[a-z]?$' }),
    symptomGroup: Type.Optional(Type.String({ pattern: '^SG\\d{4}$' })),
    symptomDiscriminators: Type.Optional(
      Type.Array(Type.String({ pattern: '^SD\\d{4}$' }), { maxItems: 20 }),
    ),
    distanceKm: Type.Optional(
      Type.Number({ minimum: MIN_DISTANCE_KM, maximum: MAX_DISTANCE_KM, default: DEFAULT_DISTANCE_KM }),
    ),
    at: Type.Optional(Type.String({ format: 'date-time' })),
    gpPractice: Type.Optional(Type.String({ maxLength: 20 })),
    referralRole: Type.Optional(lit(REFERRAL_ROLES)),
  },
  { additionalProperties: false },
);
type SearchBodyT = Static<typeof SearchBody>;

const ServiceSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  typeId: Type.Integer(),
  typeName: Type.String(),
  organisationCode: Type.String(),
  areaCode: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  address: Type.String(),
  postcode: Type.String(),
  publicPhone: Type.Union([Type.String(), Type.Null()]),
  professionalPhone: Type.Union([Type.String(), Type.Null()]),
  referralInstructions: Type.String(),
});

const SearchAnswer = Type.Object({
  location: Type.Object({
    latitude: Type.Number(),
    longitude: Type.Number(),
    areaCode: Type.Union([Type.String(), Type.Null()]),
    query: Type.String(),
  }),
  searchedAt: Type.String(),
  disposition: Type.Object({ code: Type.String(), title: Type.String(), timeframeMinutes: Type.Number() }),
  fallback: Type.Boolean(),
  considered: Type.Integer(),
  gapCounts: Type.Record(Type.String(), Type.Integer()),
  results: Type.Array(
    Type.Object({
      position: Type.Integer(),
      service: ServiceSummary,
      distanceKm: Type.Number(),
      travelMinutes: Type.Number(),
      typeRank: Type.Integer(),
      typeRankSource: Type.String(),
      ownGp: Type.Boolean(),
      commissioned: Type.Boolean(),
      openNow: Type.Boolean(),
      opensAt: Type.Union([Type.String(), Type.Null()]),
      closesAt: Type.Union([Type.String(), Type.Null()]),
      capacity: Type.String(),
      why: Type.Array(Type.String()),
    }),
  ),
  gaps: Type.Array(
    Type.Object({
      service: ServiceSummary,
      distanceKm: Type.Number(),
      failed: Type.String(),
      reason: Type.String(),
    }),
  ),
});

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const EDITORS: Role[] = ['dos_lead', 'system_admin'];
const GAP_READERS: Role[] = ['commissioner', 'dos_lead', 'governance', 'system_admin'];

export async function directoryPlugin(app: FastifyInstance): Promise<void> {
  const state = new DirectoryState(app.ctx.store);
  app.addHook('onClose', async () => state.close());
  const typeName = (id: number) => state.content.types.find((t) => t.id === id)?.name ?? `type ${id}`;
  const knownTypes = new Set(state.content.types.map((t) => t.id));
  const knownDispositions = new Set(state.dispositions.byCode.keys());

  const summary = (s: ServiceRecord, role: ReferralRole) => ({
    id: s.id,
    name: s.name,
    typeId: s.typeId,
    typeName: typeName(s.typeId),
    organisationCode: s.organisationCode,
    areaCode: s.areaCode,
    latitude: s.latitude,
    longitude: s.longitude,
    address: s.address,
    postcode: s.postcode,
    publicPhone: s.publicPhone,
    professionalPhone: s.professionalPhone,
    referralInstructions:
      role === 'clinician' ? s.professionalReferralInstructions : s.publicReferralInstructions,
  });
  const full = (s: ServiceRecord & { version?: number }) => ({
    ...s,
    effectiveCapacity: effectiveCapacity(s, app.ctx.now()),
    version: s.version ?? 1,
    typeName: typeName(s.typeId),
  });

  function toRecord(body: ServiceInputT, capacity: ServiceRecord['capacity']): ServiceRecord {
    const record: ServiceRecord = { ...body, capacity };
    const problems = checkService(record, knownTypes, knownDispositions).map((p) => ({
      ...p,
      pointer: `/body${p.pointer}`,
    }));
    if (problems.length > 0) throw invalid(`${problems[0]?.pointer}: ${problems[0]?.message}`, problems);
    return record;
  }

  app.post(
    '/api/directory/search',
    {
      schema: {
        tags: ['directory'],
        summary: 'Search the Directory of Services: ranked services for a disposition, and the gaps',
        body: SearchBody,
        response: { 200: SearchAnswer },
      },
    },
    async (request) => {
      const actor = requireActor(request.actor);
      const body = request.body as SearchBodyT;
      const now = app.ctx.now();
      const geo = await app.ctx.geography();
      let latitude: number;
      let longitude: number;
      let areaCode: string | null;
      let query: string;
      if (body.postcode !== undefined) {
        const parsed = parsePostcode(body.postcode);
        const exact =
          parsed.kind === 'postcode' ? await findPostcode(app.ctx.store.db, parsed.postcode) : undefined;
        const l = resolveLocation(geo, parsed, exact, now);
        ({ latitude, longitude, query } = l);
        areaCode = l.area.code;
      } else if (body.latitude !== undefined && body.longitude !== undefined) {
        latitude = body.latitude;
        longitude = body.longitude;
        areaCode = nearestDistrict(geo.districts.values(), latitude, longitude)?.areaCode ?? null;
        query = `${latitude},${longitude}`;
      } else {
        throw invalid('Give a postcode, or a latitude and a longitude.', [
          { pointer: '/body/postcode', message: 'a postcode or latitude and longitude is required' },
        ]);
      }
      const role: ReferralRole = (REFERRAL_ROLES as readonly string[]).includes(actor.role)
        ? (actor.role as ReferralRole)
        : (body.referralRole ?? 'health_adviser');
      const search: DirectorySearch = {
        latitude,
        longitude,
        areaCode,
        age: body.age,
        sex: body.sex,
        disposition: body.disposition,
        symptomGroup: body.symptomGroup ?? null,
        symptomDiscriminators: body.symptomDiscriminators ?? [],
        distanceKm: body.distanceKm ?? DEFAULT_DISTANCE_KM,
        at: parseAt(body.at, now),
        gpPractice: body.gpPractice ?? null,
        role,
      };
      const disposition = checkSearch(search, state.dispositions.byCode.get(search.disposition));
      const answer: DirectoryAnswer = searchDirectory(await state.index(), search, {
        disposition,
        typeRanks: await state.typeRanks(),
      });
      if (answer.gaps.length > 0) {
        await logGaps(
          app.ctx.store.db,
          answer.gaps.map((g) => ({
            at: search.at,
            areaCode,
            disposition: search.disposition,
            serviceId: g.service.id,
            filter: g.failed,
          })),
        );
      }
      return {
        location: { latitude, longitude, areaCode, query },
        searchedAt: search.at.toISOString(),
        disposition: {
          code: disposition.code,
          title: disposition.title,
          timeframeMinutes: disposition.timeframeMinutes ?? 0,
        },
        fallback: answer.fallback,
        considered: answer.considered,
        gapCounts: answer.gapCounts,
        results: answer.results.map((r: DirectoryResult) => ({ ...r, service: summary(r.service, role) })),
        gaps: answer.gaps.slice(0, 100).map((g) => ({ ...g, service: summary(g.service, role) })),
      };
    },
  );

  app.get(
    '/api/directory/types',
    { schema: { tags: ['directory'], summary: 'Service types with their national rank' } },
    async (request) => {
      requireActor(request.actor);
      return state.content.types.map((t) => ({ id: t.id, name: t.name, rank: t.rank }));
    },
  );

  app.get(
    '/api/directory/services',
    {
      schema: {
        tags: ['directory'],
        summary: 'List services (by area, type, organisation or name)',
        querystring: Type.Object(
          {
            area: Type.Optional(Type.String({ maxLength: 10 })),
            type: Type.Optional(Type.Integer({ minimum: 1 })),
            organisation: Type.Optional(Type.String({ maxLength: 20 })),
            name: Type.Optional(Type.String({ maxLength: 100 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      requireActor(request.actor);
      const q = request.query as {
        area?: string;
        type?: number;
        organisation?: string;
        name?: string;
        limit?: number;
      };
      const name = q.name?.toLowerCase();
      const out: ReturnType<typeof full>[] = [];
      for (const s of (await state.index()).records()) {
        if (q.area && s.areaCode !== q.area.toUpperCase()) continue;
        if (q.type && s.typeId !== q.type) continue;
        if (q.organisation && s.organisationCode !== q.organisation) continue;
        if (name && !s.name.toLowerCase().includes(name)) continue;
        out.push(full(s));
      }
      out.sort((a, b) => a.name.localeCompare(b.name));
      return out.slice(0, q.limit ?? 100);
    },
  );

  app.get(
    '/api/directory/services/:id',
    {
      schema: {
        tags: ['directory'],
        summary: 'One service',
        params: IdParams,
        response: { 200: ServiceOutput },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const { id } = request.params as { id: string };
      const s = await findService(app.ctx.store.db, id);
      if (!s) throw notFound(`There is no service "${id}".`);
      return full(s);
    },
  );

  app.post(
    '/api/directory/services',
    {
      schema: {
        tags: ['directory'],
        summary: 'Add a service (DoS lead)',
        body: ServiceInput,
        response: { 201: ServiceOutput },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request.actor, ...EDITORS);
      const record = toRecord(request.body as ServiceInputT, {
        status: 'green',
        resetAt: null,
        changedAt: null,
        changedBy: null,
      });
      await inTransaction(app.ctx.store.db, async (tx) => {
        if (!(await insertService(tx, record)))
          throw conflict(`A service with id "${record.id}" already exists.`);
        await audit(tx, {
          actor,
          action: 'create',
          resourceType: 'dos_service',
          resourceId: record.id,
          requestId: request.id,
        });
        await announceChanges(tx, [record.id]);
      });
      await state.apply({ upsert: [record] });
      reply.code(201);
      return full({ ...record, version: 1 });
    },
  );

  app.put(
    '/api/directory/services/:id',
    {
      schema: {
        tags: ['directory'],
        summary: 'Replace a service (DoS lead); send the version you read',
        params: IdParams,
        body: Type.Object(
          { version: Type.Integer({ minimum: 1 }), service: ServiceInput },
          { additionalProperties: false },
        ),
        response: { 200: ServiceOutput },
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...EDITORS);
      const { id } = request.params as { id: string };
      const body = request.body as { version: number; service: ServiceInputT };
      if (body.service.id !== id)
        throw invalid('The service id in the body must match the URL.', [
          { pointer: '/body/service/id', message: `must be "${id}"` },
        ]);
      const saved = await inTransaction(app.ctx.store.db, async (tx) => {
        const current = await findService(tx, id);
        if (!current) throw notFound(`There is no service "${id}".`);
        const record = toRecord(body.service, current.capacity);
        if (!(await replaceService(tx, record, body.version)))
          throw preconditionFailed(
            `Service ${id} has changed since version ${body.version} (it is at ${current.version}); read it again.`,
          );
        await audit(tx, {
          actor,
          action: 'update',
          resourceType: 'dos_service',
          resourceId: id,
          requestId: request.id,
        });
        await announceChanges(tx, [id]);
        return { ...record, version: body.version + 1 };
      });
      await state.apply({ upsert: [saved] });
      return full(saved);
    },
  );

  app.delete(
    '/api/directory/services/:id',
    { schema: { tags: ['directory'], summary: 'Remove a service (DoS lead)', params: IdParams } },
    async (request, reply) => {
      const actor = requireRole(request.actor, ...EDITORS);
      const { id } = request.params as { id: string };
      await inTransaction(app.ctx.store.db, async (tx) => {
        if (!(await deleteService(tx, id))) throw notFound(`There is no service "${id}".`);
        await audit(tx, {
          actor,
          action: 'delete',
          resourceType: 'dos_service',
          resourceId: id,
          requestId: request.id,
        });
        await announceChanges(tx, [id]);
      });
      await state.apply({ remove: [id] });
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/directory/services/:id/capacity',
    {
      schema: {
        tags: ['directory'],
        summary: "Set a service's capacity (RAG): its own provider's staff, or a DoS lead",
        params: IdParams,
        body: Type.Object(
          {
            status: lit(CAPACITY_STATUSES),
            resetAfterMinutes: Type.Optional(
              Type.Integer({ minimum: 1, maximum: CAPACITY_RESET_MAX_MINUTES * 10 }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ServiceOutput },
      },
    },
    async (request) => {
      const actor = requireActor(request.actor);
      const { id } = request.params as { id: string };
      const body = request.body as { status: 'green' | 'amber' | 'red'; resetAfterMinutes?: number };
      const problems = checkCapacityReset(body.status, body.resetAfterMinutes).map((p) => ({
        ...p,
        pointer: `/body${p.pointer}`,
      }));
      if (problems.length > 0) throw invalid(problems[0]?.message ?? 'invalid', problems);
      const now = app.ctx.now();
      const saved = await inTransaction(app.ctx.store.db, async (tx) => {
        const current = await findService(tx, id);
        if (!current) throw notFound(`There is no service "${id}".`);
        const isLead = EDITORS.includes(actor.role);
        const isOwnStaff =
          ['provider_admin', 'clinician'].includes(actor.role) &&
          actor.organisationCode === current.organisationCode;
        if (!isLead && !isOwnStaff)
          throw forbidden(
            `Only staff of ${current.organisationCode} (or a DoS lead) may set the capacity of ${id}.`,
          );
        const capacity = {
          status: body.status,
          resetAt:
            body.status === 'green'
              ? null
              : new Date(now.getTime() + (body.resetAfterMinutes ?? 0) * 60_000).toISOString(),
          changedAt: now.toISOString(),
          changedBy: actor.username,
        };
        await saveCapacity(tx, id, capacity);
        await audit(tx, {
          actor,
          action: 'update',
          resourceType: 'dos_service_capacity',
          resourceId: id,
          requestId: request.id,
          detail: { status: body.status, resetAt: capacity.resetAt },
        });
        await announceChanges(tx, [id]);
        return { ...current, capacity, version: current.version + 1 };
      });
      await state.apply({ upsert: [saved] });
      return full(saved);
    },
  );

  app.put(
    '/api/directory/type-ranks/:area/:typeId',
    {
      schema: {
        tags: ['directory'],
        summary: "Override a service type's rank in one area (null restores the national rank)",
        params: Type.Object({ area: Type.String({ maxLength: 10 }), typeId: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          { rank: Type.Union([Type.Integer({ minimum: 1, maximum: 99 }), Type.Null()]) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...EDITORS);
      const { area, typeId } = request.params as { area: string; typeId: number };
      const { rank } = request.body as { rank: number | null };
      const geo = await app.ctx.geography();
      if (!geo.areas.has(area.toUpperCase())) throw notFound(`There is no area "${area}".`);
      if (!knownTypes.has(typeId)) throw notFound(`There is no service type ${typeId}.`);
      await inTransaction(app.ctx.store.db, async (tx) => {
        await saveTypeRank(tx, area.toUpperCase(), typeId, rank);
        await audit(tx, {
          actor,
          action: 'update',
          resourceType: 'dos_type_rank',
          resourceId: `${area}/${typeId}`,
          requestId: request.id,
          detail: { rank },
        });
        await announceRankChange(tx);
      });
      state.invalidateRanks();
      return { area: area.toUpperCase(), typeId, rank };
    },
  );

  app.get(
    '/api/directory/gaps',
    {
      schema: {
        tags: ['directory'],
        summary: 'Gap report: services that failed exactly one filter in searches from an area',
        querystring: Type.Object(
          {
            area: Type.Optional(Type.String({ maxLength: 10 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      requireRole(request.actor, ...GAP_READERS);
      const q = request.query as { area?: string; from?: string; to?: string };
      const to = parseAt(q.to, new Date(app.ctx.now().getTime() + 1000));
      const from = parseAt(q.from, new Date(to.getTime() - 30 * 86_400_000));
      if (from >= to) throw invalid('"from" must be before "to".');
      const rows = await gapReport(app.ctx.store.db, {
        ...(q.area ? { areaCode: q.area.toUpperCase() } : {}),
        from,
        to,
      });
      const byFilter: Record<string, number> = {};
      for (const r of rows) byFilter[r.filter] = (byFilter[r.filter] ?? 0) + r.count;
      return {
        area: q.area?.toUpperCase() ?? null,
        from: from.toISOString(),
        to: to.toISOString(),
        byFilter,
        services: rows,
      };
    },
  );

  await directoryFhirRoutes(app, state);
}
