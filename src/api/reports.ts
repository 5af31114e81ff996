import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../domain/auth/index';
import { callKpis, TARGETS } from '../domain/calls/index';
import { forbidden, invalid } from '../domain/errors';
import { areaWithRegion } from '../domain/geography/index';
import { capacityPlan, DEFAULT_ASSUMPTIONS } from '../sim/capacity';
import { simulateQueue } from '../sim/simulate';
import { type CallFilter, listCalls } from '../store/calls';
import { requireRole } from './context';

const REPORT_ROLES = [
  'provider_admin',
  'health_adviser',
  'clinician',
  'commissioner',
  'governance',
  'system_admin',
] as const;
const PROVIDER_ROLES: readonly string[] = ['provider_admin', 'health_adviser', 'clinician'];
const MAX_RANGE_DAYS = 92;

/** Which calls a person may count: their provider's, their region's areas, or (nationally) all. */
async function scopeFor(
  actor: Actor,
  area: string | undefined,
  regionOf: (area: string) => Promise<string>,
): Promise<Pick<CallFilter, 'providerCode' | 'areaCode'>> {
  const scope: { providerCode?: string; areaCode?: string } = {};
  if (PROVIDER_ROLES.includes(actor.role)) scope.providerCode = actor.organisationCode;
  if (area) {
    if (actor.role === 'commissioner' && (await regionOf(area)) !== actor.organisationCode) {
      throw forbidden(`Area ${area} is outside your region ${actor.organisationCode}.`);
    }
    scope.areaCode = area.toUpperCase();
  } else if (actor.role === 'commissioner') {
    throw invalid('Choose an area of your region (?area=CODE).');
  }
  return scope;
}

function dateRange(from: string | undefined, to: string | undefined, now: Date): { from: Date; to: Date } {
  const end = to ? new Date(to) : now;
  const start = from ? new Date(from) : new Date(end.getTime() - 7 * 86_400_000);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()))
    throw invalid('"from" and "to" must be dates such as 2012-03-01.');
  if (start >= end) throw invalid('"from" must be before "to".');
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * 86_400_000)
    throw invalid(`Ask for at most ${MAX_RANGE_DAYS} days at a time.`);
  return { from: start, to: end };
}

/** Reporting: the national KPIs over recorded calls, and capacity planning for an area. */
export async function reportsPlugin(app: FastifyInstance): Promise<void> {
  const regionOf = async (area: string) => areaWithRegion(await app.ctx.geography(), area).region.code;

  app.get(
    '/api/reports/kpis',
    {
      schema: {
        tags: ['reports'],
        summary: 'National call-handling KPIs (NHS 111 MDS / IUC ADC) over a period, with an hourly series',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ maxLength: 40 })),
            to: Type.Optional(Type.String({ maxLength: 40 })),
            area: Type.Optional(Type.String({ maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const actor = requireRole(request.actor, ...REPORT_ROLES);
      const q = request.query as { from?: string; to?: string; area?: string };
      const range = dateRange(q.from, q.to, app.ctx.now());
      const scope = await scopeFor(actor, q.area, regionOf);
      const calls = await listCalls(app.ctx.store.db, { ...scope, ...range });
      const byHour = new Map<string, typeof calls>();
      for (const c of calls) {
        const hour = `${c.offeredAt.toISOString().slice(0, 13)}:00Z`;
        byHour.set(hour, [...(byHour.get(hour) ?? []), c]);
      }
      const series = [...byHour.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([hour, cs]) => {
          const k = callKpis(cs);
          return {
            hour,
            offered: k.offered,
            answered: k.answered,
            abandoned: k.abandoned,
            answeredWithin60sPercent: k.answeredWithin60sPercent,
          };
        });
      return {
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        scope,
        targets: TARGETS,
        kpis: callKpis(calls),
        series,
      };
    },
  );

  app.get(
    '/api/reports/capacity',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Advisers and clinicians an area needs each hour to meet the targets (Erlang C), checked by simulation',
        querystring: Type.Object(
          {
            area: Type.String({ maxLength: 10 }),
            day: Type.Optional(
              Type.Union([Type.Literal('weekday'), Type.Literal('weekend_or_bank_holiday')]),
            ),
            adviserHandleSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 3600 })),
            clinicianShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      requireRole(request.actor, ...REPORT_ROLES);
      const q = request.query as {
        area: string;
        day?: 'weekday' | 'weekend_or_bank_holiday';
        adviserHandleSeconds?: number;
        clinicianShare?: number;
      };
      const { area } = areaWithRegion(await app.ctx.geography(), q.area);
      const assumptions = {
        ...DEFAULT_ASSUMPTIONS,
        ...(q.adviserHandleSeconds ? { adviserHandleSeconds: q.adviserHandleSeconds } : {}),
        ...(q.clinicianShare !== undefined ? { clinicianShare: q.clinicianShare } : {}),
      };
      const day = q.day ?? 'weekday';
      const hours = capacityPlan(area.population2011, day, assumptions);
      // Check the plan the way it will be judged: simulate the day and measure it with the KPI code.
      const simulated = callKpis(
        simulateQueue({
          callsByHour: hours.map((h) => h.calls),
          advisersByHour: hours.map((h) => h.advisers),
          handleSeconds: assumptions.adviserHandleSeconds,
          patienceSeconds: 300,
          start: new Date('2012-03-05T00:00:00Z'),
          seed: 111,
        }),
      );
      return {
        area: { code: area.code, name: area.name, population2011: area.population2011 },
        day,
        assumptions,
        hours,
        totals: {
          calls: hours.reduce((n, h) => n + h.calls, 0),
          adviserHours: hours.reduce((n, h) => n + h.advisers, 0),
          clinicianHours: hours.reduce((n, h) => n + h.clinicians, 0),
          peakAdvisers: Math.max(...hours.map((h) => h.advisers)),
          peakClinicians: Math.max(...hours.map((h) => h.clinicians)),
        },
        simulated,
      };
    },
  );
}
