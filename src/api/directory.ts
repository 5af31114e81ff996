import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  AGE_UNITS,
  CAPACITY_RESET_MAX_MINUTES,
  CAPACITY_STATUSES,
  DEFAULT_DISTANCE_KM,
  ENDPOINT_KINDS,
  MAX_DISTANCE_KM,
  MIN_DISTANCE_KM,
  REFERRAL_ROLES,
  SERVICE_STATUSES,
  SEXES,
  WEEKDAYS,
} from '../domain/directory/index';
import { invalid } from '../domain/errors';
import {
  createService,
  deleteService,
  gapReport,
  importDirectory,
  listServices,
  listServiceTypes,
  type Place,
  readService,
  replaceService,
  type ServiceView,
  searchDirectory,
  setCapacity,
  setTypeRank,
} from '../services/directory';
import { DirectoryState } from '../services/directory-state';
import { callerOf, typed } from './context';
import { directoryFhirRoutes } from './directory-fhir';
import { parseAt } from './geography';
import { openReferralRoutes } from './openreferral';

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

export const SearchAnswer = Type.Object({
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

/**
 * The reply a service is sent as: the schema above, typed as the service layer's (deeply read-only)
 * view, which the schema's own mutable type would not accept without a copy.
 */
const ServiceReply = Type.Unsafe<ServiceView>(ServiceOutput);

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const GapReportAnswer = Type.Object({
  area: Type.Union([Type.String(), Type.Null()]),
  from: Type.String(),
  to: Type.String(),
  byFilter: Type.Record(Type.String(), Type.Integer()),
  services: Type.Array(
    Type.Object({
      serviceId: Type.String(),
      serviceName: Type.Union([Type.String(), Type.Null()]),
      filter: Type.String(),
      disposition: Type.String(),
      count: Type.Integer(),
    }),
  ),
});

/** Where the patient is, from the search body: a postcode, or a point. */
function placeOf(body: { postcode?: string; latitude?: number; longitude?: number }): Place {
  if (body.postcode !== undefined) return { postcode: body.postcode };
  if (body.latitude !== undefined && body.longitude !== undefined)
    return { latitude: body.latitude, longitude: body.longitude };
  throw invalid('Give a postcode, or a latitude and a longitude.', [
    { pointer: '/body/postcode', message: 'a postcode or latitude and longitude is required' },
  ]);
}

export async function directoryPlugin(app: FastifyInstance): Promise<void> {
  const directory = new DirectoryState(app.ctx.store, (message, error) =>
    app.log.warn({ err: error }, message),
  );
  app.addHook('onClose', async () => directory.close());
  const r = typed(app);

  r.post(
    '/api/directory/search',
    {
      schema: {
        tags: ['directory'],
        summary: 'Search the Directory of Services: ranked services for a disposition, and the gaps',
        body: SearchBody,
        response: { 200: SearchAnswer },
      },
      config: { access: 'service.read' },
    },
    async (request) => {
      const { body } = request;
      return searchDirectory(
        app.ctx,
        callerOf(request),
        {
          place: placeOf(body),
          age: body.age,
          sex: body.sex,
          disposition: body.disposition,
          symptomGroup: body.symptomGroup,
          symptomDiscriminators: body.symptomDiscriminators,
          distanceKm: body.distanceKm,
          at: body.at === undefined ? undefined : parseAt(body.at, app.ctx.now()),
          gpPractice: body.gpPractice,
          referralRole: body.referralRole,
        },
        directory,
      );
    },
  );

  r.get(
    '/api/directory/types',
    {
      schema: { tags: ['directory'], summary: 'Service types with their national rank' },
      config: { access: 'reference.read' },
    },
    async (request) => listServiceTypes(app.ctx, callerOf(request), directory),
  );

  r.get(
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
        response: { 200: Type.Array(ServiceReply) },
      },
      config: { access: 'service.read' },
    },
    async (request) => {
      const q = request.query;
      const list = await listServices(
        app.ctx,
        callerOf(request),
        {
          areaCode: q.area?.toUpperCase(),
          typeId: q.type,
          organisationCode: q.organisation,
          name: q.name,
          order: 'name',
          limit: q.limit ?? 100,
        },
        directory,
      );
      return list.services;
    },
  );

  r.get(
    '/api/directory/services/:id',
    {
      schema: {
        tags: ['directory'],
        summary: 'One service',
        params: IdParams,
        response: { 200: ServiceReply },
      },
      config: { access: 'service.read' },
    },
    async (request) => readService(app.ctx, callerOf(request), request.params.id, directory),
  );

  r.post(
    '/api/directory/services',
    {
      schema: {
        tags: ['directory'],
        summary: 'Add a service (the DoS lead of its area)',
        body: ServiceInput,
        response: { 201: ServiceReply },
      },
      config: { access: 'service.edit' },
    },
    async (request, reply) => {
      const saved = await createService(app.ctx, callerOf(request), request.body, directory);
      return reply.code(201).send(saved);
    },
  );

  r.post(
    '/api/directory/import',
    {
      schema: {
        tags: ['directory'],
        summary:
          'Import Open Referral UK (HSDS 3.0): services, and organisations and locations on their own; bad records listed one by one, good ones imported (a DoS lead: their own areas)',
        body: Type.Union([
          Type.Array(Type.Unknown(), { maxItems: 100_000 }),
          Type.Object({ contents: Type.Array(Type.Unknown(), { maxItems: 100_000 }) }),
        ]),
      },
      // An HSDS file of a whole region runs to tens of megabytes.
      bodyLimit: 64 * 1024 * 1024,
      config: { access: 'service.edit' },
    },
    async (request) => {
      const report = await importDirectory(app.ctx, callerOf(request), JSON.stringify(request.body));
      if (report.imported > 0) await directory.refresh(['*']);
      return report;
    },
  );

  r.put(
    '/api/directory/services/:id',
    {
      schema: {
        tags: ['directory'],
        summary: 'Replace a service (the DoS lead of its area); send the version you read',
        params: IdParams,
        body: Type.Object(
          { version: Type.Integer({ minimum: 1 }), service: ServiceInput },
          { additionalProperties: false },
        ),
        response: { 200: ServiceReply },
      },
      config: { access: 'service.edit' },
    },
    async (request) =>
      replaceService(
        app.ctx,
        callerOf(request),
        { id: request.params.id, version: request.body.version, service: request.body.service },
        directory,
      ),
  );

  r.delete(
    '/api/directory/services/:id',
    {
      schema: {
        tags: ['directory'],
        summary: 'Remove a service (the DoS lead of its area)',
        params: IdParams,
      },
      config: { access: 'service.edit' },
    },
    async (request, reply) => {
      await deleteService(app.ctx, callerOf(request), request.params.id, directory);
      return reply.code(204).send();
    },
  );

  r.put(
    '/api/directory/services/:id/capacity',
    {
      schema: {
        tags: ['directory'],
        summary: "Set a service's capacity (RAG): its own provider's staff, or its area's DoS lead",
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
        response: { 200: ServiceReply },
      },
      config: { access: 'service.capacity' },
    },
    async (request) =>
      setCapacity(
        app.ctx,
        callerOf(request),
        {
          id: request.params.id,
          status: request.body.status,
          resetAfterMinutes: request.body.resetAfterMinutes,
        },
        directory,
      ),
  );

  r.put(
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
      config: { access: 'type_rank.edit' },
    },
    async (request) =>
      setTypeRank(
        app.ctx,
        callerOf(request),
        { areaCode: request.params.area, typeId: request.params.typeId, rank: request.body.rank },
        directory,
      ),
  );

  r.get(
    '/api/directory/gaps',
    {
      schema: {
        tags: ['directory'],
        summary:
          "Gap report: services that failed exactly one filter in searches from an area (default: the reader's areas)",
        querystring: Type.Object(
          {
            area: Type.Optional(Type.String({ maxLength: 10 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: GapReportAnswer },
      },
      config: { access: 'gap_report.read' },
    },
    async (request) => {
      const { area, from, to } = request.query;
      const now = app.ctx.now();
      return gapReport(
        app.ctx,
        callerOf(request),
        {
          areaCode: area,
          from: from === undefined ? undefined : parseAt(from, now),
          to: to === undefined ? undefined : parseAt(to, now),
        },
        directory,
      );
    },
  );

  await directoryFhirRoutes(app, directory);
  await openReferralRoutes(app, directory);
}
