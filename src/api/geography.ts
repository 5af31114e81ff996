import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../domain/errors';
import {
  ambulanceTrustOn,
  areaWithRegion,
  type Location,
  parsePostcode,
  resolveLocation,
} from '../domain/geography/index';
import { findPostcode } from '../store/geography';
import { requireActor } from './context';

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

export function parseAt(at: string | undefined, now: Date): Date {
  if (at === undefined) return now;
  const d = new Date(at);
  if (Number.isNaN(d.getTime()))
    throw invalid(`"at" must be a date-time such as 2012-04-01T09:00:00Z, not "${at}".`);
  return d;
}

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
  app.get(
    '/api/geography/postcodes/:postcode',
    {
      schema: {
        tags: ['geography'],
        summary: 'Place a postcode: district → area (PCT) → region (SHA) → ambulance trust',
        params: Type.Object({ postcode: Type.String({ maxLength: 40 }) }),
        querystring: Type.Object({ at: At }, { additionalProperties: false }),
        response: { 200: LocationSchema },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const { postcode } = request.params as { postcode: string };
      const { at } = request.query as { at?: string };
      const parsed = parsePostcode(postcode);
      const exact =
        parsed.kind === 'postcode' ? await findPostcode(app.ctx.store.db, parsed.postcode) : undefined;
      const geo = await app.ctx.geography();
      return locationBody(resolveLocation(geo, parsed, exact, parseAt(at, app.ctx.now())));
    },
  );

  app.get(
    '/api/geography/regions',
    {
      schema: {
        tags: ['geography'],
        summary: 'Strategic health authorities',
        response: {
          200: Type.Array(
            Type.Object({
              code: Type.String(),
              name: Type.String(),
              onsCode: Type.String(),
              areaCount: Type.Number(),
            }),
          ),
        },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const geo = await app.ctx.geography();
      const counts = new Map<string, number>();
      for (const a of geo.areas.values()) counts.set(a.regionCode, (counts.get(a.regionCode) ?? 0) + 1);
      return [...geo.regions.values()].map((r) => ({
        code: r.code,
        name: r.orgName,
        onsCode: r.onsCode,
        areaCount: counts.get(r.code) ?? 0,
      }));
    },
  );

  app.get(
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
    },
    async (request) => {
      requireActor(request.actor);
      const { region } = request.query as { region?: string };
      const geo = await app.ctx.geography();
      const now = app.ctx.now();
      return [...geo.areas.values()]
        .filter((a) => !region || a.regionCode === region.toUpperCase())
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((a) => {
          const r = geo.regions.get(a.regionCode);
          const t = ambulanceTrustOn(geo, a, now);
          return {
            code: a.code,
            name: a.name,
            kind: a.kind,
            population2011: a.population2011,
            region: { code: a.regionCode, name: r?.orgName ?? a.regionCode },
            ambulanceTrust: { code: t.code, name: t.name },
          };
        });
    },
  );

  app.get(
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
    },
    async (request) => {
      requireActor(request.actor);
      const { code } = request.params as { code: string };
      const geo = await app.ctx.geography();
      const { area, region } = areaWithRegion(geo, code);
      const t = ambulanceTrustOn(geo, area, app.ctx.now());
      const districts = [...geo.districts.values()]
        .filter((d) => d.areaCode === area.code)
        .map((d) => d.outcode);
      return {
        code: area.code,
        name: area.name,
        kind: area.kind,
        population2011: area.population2011,
        region: { code: region.code, name: region.orgName },
        ambulanceTrust: { code: t.code, name: t.name },
        ambulanceCoverage: area.ambulanceCoverage,
        districts,
      };
    },
  );

  app.get(
    '/api/geography/districts',
    {
      schema: {
        tags: ['geography'],
        summary: 'Every postcode district with its centroid, area and region (for maps)',
        response: {
          200: Type.Array(
            Type.Object({
              outcode: Type.String(),
              latitude: Type.Number(),
              longitude: Type.Number(),
              population2011: Type.Number(),
              areaCode: Type.String(),
              regionCode: Type.String(),
            }),
          ),
        },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const geo = await app.ctx.geography();
      return [...geo.districts.values()].map((d) => ({
        outcode: d.outcode,
        latitude: d.latitude,
        longitude: d.longitude,
        population2011: d.population2011,
        areaCode: d.areaCode,
        regionCode: geo.areas.get(d.areaCode)?.regionCode ?? '',
      }));
    },
  );
}
