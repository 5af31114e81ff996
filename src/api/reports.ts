import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../domain/errors';
import { capacityPlan, kpiAreas, kpis } from '../services/reporting';
import { monthlyReturn, monthlyReturnCsv, pilotEvaluation, pilotEvaluationCsv } from '../services/returns';
import { listScenarios, runScenario } from '../services/scenarios';
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

/** What GET /api/reports/monthly sends: the month's return, line by line, with its column definitions. */
export type MonthlyReturnAnswer = Awaited<ReturnType<typeof monthlyReturn>>;
/** What GET /api/reports/scenarios/:id/run sends. */
export type ScenarioRunAnswer = Awaited<ReturnType<typeof runScenario>>;
export type ScenarioListAnswer = Awaited<ReturnType<typeof listScenarios>>;
/** What GET /api/reports/pilot-evaluation sends. */
export type PilotEvaluationAnswer = Awaited<ReturnType<typeof pilotEvaluation>>;

const MonthQuery = Type.Object(
  {
    month: Type.String({ maxLength: 40, description: 'The month, YYYY-MM' }),
    area: Type.Optional(
      Type.String({ maxLength: 10, description: 'One area of your scope; all of them when left out' }),
    ),
  },
  { additionalProperties: false },
);
const AreaQuery = Type.Object(
  { area: Type.String({ maxLength: 10, description: 'The area that went live' }) },
  { additionalProperties: false },
);

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

  const monthSummary =
    'The national monthly return (in the shape of the IUC Aggregate Data Collection) by provider and commissioning area, over the calls you may count';
  r.get(
    '/api/reports/monthly',
    {
      config: { access: 'kpi.read' },
      schema: { tags: ['reports'], summary: monthSummary, querystring: MonthQuery },
    },
    async (request) => monthlyReturn(app.ctx, callerOf(request), request.query),
  );

  r.get(
    '/api/reports/monthly.csv',
    {
      config: { access: 'kpi.read' },
      schema: { tags: ['reports'], summary: `${monthSummary}, as CSV`, querystring: MonthQuery },
    },
    async (request, reply) => {
      const report = await monthlyReturn(app.ctx, callerOf(request), request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="monthly-return-${report.month}.csv"`)
        .send(monthlyReturnCsv(report));
    },
  );

  const pilotSummary =
    'Pilot evaluation: each measure before and after an area went live, against the national targets and the areas not yet live (difference in differences, 95% interval)';
  r.get(
    '/api/reports/pilot-evaluation',
    {
      config: { access: 'kpi.read' },
      schema: { tags: ['reports'], summary: pilotSummary, querystring: AreaQuery },
    },
    async (request) => pilotEvaluation(app.ctx, callerOf(request), request.query),
  );

  r.get(
    '/api/reports/pilot-evaluation.csv',
    {
      config: { access: 'kpi.read' },
      schema: { tags: ['reports'], summary: `${pilotSummary}, as CSV`, querystring: AreaQuery },
    },
    async (request, reply) => {
      const report = await pilotEvaluation(app.ctx, callerOf(request), request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="pilot-evaluation-${report.area.code}.csv"`)
        .send(pilotEvaluationCsv(report));
    },
  );

  r.get(
    '/api/reports/scenarios',
    {
      config: { access: 'reference.read' },
      schema: { tags: ['reports'], summary: 'The planning scenarios shipped in content/scenarios' },
    },
    async (request) => listScenarios(app.ctx, callerOf(request)),
  );

  r.get(
    '/api/reports/scenarios/:id/run',
    {
      config: { access: 'reference.read' },
      schema: {
        tags: ['reports'],
        summary:
          'Runs a shipped scenario through the whole-flow simulator (up to 14 days), its rota scaled by `staffing`, with the KPIs the real calls are measured by',
        params: Type.Object({ id: Type.String({ maxLength: 60 }) }),
        querystring: Type.Object(
          {
            days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
            staffing: Type.Optional(Type.Number({ minimum: 0.25, maximum: 3 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => runScenario(app.ctx, callerOf(request), { id: request.params.id, ...request.query }),
  );
}
