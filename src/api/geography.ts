import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../domain/errors';
import type { Location } from '../domain/geography/index';
import {
  type AreaSummary as AreaSummaryOf,
  areaDetail,
  listAreas,
  listDistricts,
  listRegions,
  placePostcode,
} from '../services/geography';
import { callerOf, typed } from './context';

const At = Type.Optional(
  Type.String({ format: 'date-time', description: 'The instant to answer for (default: now)' }),
);

export const OrgRef = Type.Object({ code: Type.String(), name: Type.String() });

export const LocationSchema = Type.Object({
  query: Type.String(),
  basis: Type.Union([Type.Literal('postcode'), Type.Literal('district')]),
  latitude: Type.Number(),
  longitude: Type.Number(),
  confidence: Type.String(),
  district: Type.Object({ outcode: Type.String(), population2011: Type.Number(), method: Type.String() }),
  area: Type.Object({
    code: Type.String(),
    name: Type.String(),
    kind: Type.String(),
    population2011: Type.Number(),
  }),
  region: OrgRef,
  ambulanceTrust: Type.Object({ code: Type.String(), name: Type.String(), shortName: Type.String() }),
});

const AreaSummary = Type.Object({
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  population2011: Type.Number(),
  region: OrgRef,
  ambulanceTrust: OrgRef,
});

export const RegionRow = Type.Object({
  code: Type.String(),
  name: Type.String(),
  onsCode: Type.String(),
  areaCount: Type.Number(),
});

export const DistrictRow = Type.Object({
  outcode: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  population2011: Type.Number(),
  areaCode: Type.String(),
  regionCode: Type.String(),
});

export function parseAt(at: string | undefined, now: Date): Date {
  if (at === undefined) return now;
  const d = new Date(at);
  if (Number.isNaN(d.getTime()))
    throw invalid(`"at" must be a date-time such as 2012-04-01T09:00:00Z, not "${at}".`);
  return d;
}

const areaSummaryBody = (a: AreaSummaryOf): Static<typeof AreaSummary> => ({
  code: a.area.code,
  name: a.area.name,
  kind: a.area.kind,
  population2011: a.area.population2011,
  region: a.region,
  ambulanceTrust: { code: a.ambulanceTrust.code, name: a.ambulanceTrust.name },
});

export function locationBody(l: Location): Static<typeof LocationSchema> {
  return {
    query: l.query,
    basis: l.basis,
    latitude: l.latitude,
    longitude: l.longitude,
    confidence: l.confidence,
    district: {
      outcode: l.district.outcode,
      population2011: l.district.population2011,
      method: l.district.method,
    },
    area: { code: l.area.code, name: l.area.name, kind: l.area.kind, population2011: l.area.population2011 },
    region: { code: l.region.code, name: l.region.orgName },
    ambulanceTrust: {
      code: l.ambulanceTrust.code,
      name: l.ambulanceTrust.name,
      shortName: l.ambulanceTrust.shortName,
    },
  };
}

export async function geographyPlugin(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  const r = typed(app);

  r.get(
    '/api/geography/postcodes/:postcode',
    {
      schema: {
        tags: ['geography'],
        summary: 'Place a postcode: district → area (PCT) → region (SHA) → ambulance trust',
        params: Type.Object({ postcode: Type.String({ maxLength: 40 }) }),
        querystring: Type.Object({ at: At }, { additionalProperties: false }),
        response: { 200: LocationSchema },
      },
      config: { access: 'reference.read' },
    },
    async (request) =>
      locationBody(
        await placePostcode(
          ctx,
          callerOf(request),
          request.params.postcode,
          parseAt(request.query.at, ctx.now()),
        ),
      ),
  );

  r.get(
    '/api/geography/regions',
    {
      schema: {
        tags: ['geography'],
        summary: 'Strategic health authorities',
        response: { 200: Type.Array(RegionRow) },
      },
      config: { access: 'reference.read' },
    },
    async (request) =>
      (await listRegions(ctx, callerOf(request))).map(({ region, areaCount }) => ({
        code: region.code,
        name: region.orgName,
        onsCode: region.onsCode,
        areaCount,
      })),
  );

  r.get(
    '/api/geography/areas',
    {
      schema: {
        tags: ['geography'],
        summary: 'Commissioning areas (PCTs), optionally in one region',
        querystring: Type.Object(
          { region: Type.Optional(Type.String({ maxLength: 10 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(AreaSummary) },
      },
      config: { access: 'reference.read' },
    },
    async (request) => (await listAreas(ctx, callerOf(request), request.query.region)).map(areaSummaryBody),
  );

  r.get(
    '/api/geography/areas/:code',
    {
      schema: {
        tags: ['geography'],
        summary: 'One commissioning area with its region, ambulance trust and postcode districts',
        params: Type.Object({ code: Type.String({ maxLength: 10 }) }),
        response: {
          200: Type.Intersect([
            AreaSummary,
            Type.Object({ ambulanceCoverage: Type.String(), districts: Type.Array(Type.String()) }),
          ]),
        },
      },
      config: { access: 'reference.read' },
    },
    async (request) => {
      const detail = await areaDetail(ctx, callerOf(request), request.params.code);
      return {
        ...areaSummaryBody(detail),
        ambulanceCoverage: detail.area.ambulanceCoverage,
        districts: detail.districts,
      };
    },
  );

  r.get(
    '/api/geography/districts',
    {
      schema: {
        tags: ['geography'],
        summary: 'Every postcode district with its centroid, area and region (for maps)',
        response: { 200: Type.Array(DistrictRow) },
      },
      config: { access: 'reference.read' },
    },
    async (request) =>
      (await listDistricts(ctx, callerOf(request))).map((d) => ({
        outcode: d.outcode,
        latitude: d.latitude,
        longitude: d.longitude,
        population2011: d.population2011,
        areaCode: d.areaCode,
        regionCode: d.regionCode,
      })),
  );
}
