import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../domain/errors';
import { capacityPlan, kpiAreas, kpis } from '../services/reporting';
import { callerOf, typed } from './context';

/** A date or date-time from the query string ("2012-03-01", "2012-03-01T00:00:00Z"), or not given. */
function queryDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw invalid(`"${name}" must be a date such as 2012-03-01, not "${value}".`);
  return d;
}

const AreaRef = Type.Object({ code: Type.String(), name: Type.String() });

export const ReportAreasAnswer = Type.Object({
  kind: Type.Union([Type.Literal('england'), Type.Literal('areas'), Type.Literal('provider')]),
  label: Type.String(),
  areas: Type.Array(AreaRef),
});

/** What GET /api/reports/kpis sends (the route has no response schema): the service's report, dates as text. */
export type KpiAnswer = Omit<Awaited<ReturnType<typeof kpis>>, 'from' | 'to'> & { from: string; to: string };
/** What GET /api/reports/capacity sends (the route has no response schema): the service's plan. */
export type CapacityAnswer = Awaited<ReturnType<typeof capacityPlan>>;

/** Reporting: the national KPIs over recorded calls, and capacity planning for an area. */
export async function reportsPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);

  r.get(
    '/api/reports/kpis',
    {
      config: { access: 'kpi.read' },
      schema: {
        tags: ['reports'],
        summary:
          'National call-handling KPIs (NHS 111 MDS / IUC ADC) over a period, with an hourly series: your provider’s calls, or your areas’ (England for the Department of Health)',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ maxLength: 40 })),
            to: Type.Optional(Type.String({ maxLength: 40 })),
            area: Type.Optional(
              Type.String({
                maxLength: 10,
                description: 'One area of your scope; all of them when left out',
              }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { from, to, area } = request.query;
      const report = await kpis(app.ctx, callerOf(request), {
        from: queryDate('from', from),
        to: queryDate('to', to),
        area,
      });
      return { ...report, from: report.from.toISOString(), to: report.to.toISOString() };
    },
  );

  r.get(
    '/api/reports/areas',
    {
      config: { access: 'kpi.read' },
      schema: {
        tags: ['reports'],
        summary:
          'The areas you may report on: England, your commissioning areas, or those your provider took calls from',
        response: { 200: ReportAreasAnswer },
      },
    },
    async (request) => {
      const scope = await kpiAreas(app.ctx, callerOf(request));
      return { ...scope, areas: [...scope.areas] };
    },
  );

  r.get(
    '/api/reports/capacity',
    {
      config: { access: 'capacity_plan.read' },
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
    async (request) => capacityPlan(app.ctx, callerOf(request), request.query),
  );
}
