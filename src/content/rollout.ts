import { readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import Ajv from 'ajv';
import { parse } from 'yaml';
import {
  CAPABILITIES,
  EDITABLE_STATUSES,
  editPlan,
  isIsoDate,
  OPERATING_MODELS,
  PROVIDER_KINDS,
  type Provider,
  procurementInTime,
  type RolloutCalendar,
  type RolloutPlan,
} from '../domain/commissioning/index';
import { contentPath, readContentCsv } from './files';

const literals = <T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

const CalendarSchema = Type.Object(
  {
    submissionDeadline: DateString,
    nationalCoverageDate: DateString,
    defaultGoLiveDate: DateString,
    defaultProviderCode: Type.String({ minLength: 1 }),
    fallbackAdvice: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

const ProvidersSchema = Type.Object(
  {
    providers: Type.Array(
      Type.Object(
        {
          code: Type.String({ minLength: 1 }),
          name: Type.String({ minLength: 1 }),
          kind: literals(PROVIDER_KINDS),
          capabilities: Type.Array(literals(CAPABILITIES)),
          demo: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    outOfHours: Type.Object(
      {
        byRegion: Type.Record(Type.String(), Type.String()),
        byArea: Type.Record(Type.String(), Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const ScenarioPlanSchema = Type.Object(
  {
    area: Type.String({ minLength: 3, maxLength: 3 }),
    status: literals(EDITABLE_STATUSES),
    operatingModel: literals(OPERATING_MODELS),
    providers: Type.Array(Type.String(), { minItems: 1 }),
    goLiveDate: DateString,
    procurementDate: DateString,
    submitted: Type.Optional(DateString),
    approved: Type.Optional(DateString),
    sources: Type.Array(Type.String()),
    demo: Type.Array(Type.String()),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const PlansSchema = Type.Object({ plans: Type.Array(ScenarioPlanSchema) }, { additionalProperties: false });

export type ScenarioPlan = Static<typeof ScenarioPlanSchema>;

export interface RolloutContent {
  readonly calendar: RolloutCalendar;
  /** Providers other than the ambulance trusts (which come from the geography). */
  readonly providers: readonly Provider[];
  readonly outOfHoursByRegion: Readonly<Record<string, string>>;
  readonly outOfHoursByArea: Readonly<Record<string, string>>;
  readonly plans: readonly ScenarioPlan[];
  /** Dated rollout events with their sources (content/rollout/events.csv). */
  readonly events: readonly Record<string, string>[];
}

const ajv = new Ajv({ allErrors: true, strict: false });

function validated<T>(file: string, schema: object, data: unknown): T {
  const check = ajv.compile<T>(schema);
  if (!check(data)) {
    const errors = (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
    throw new Error(`content/rollout/${file}: ${errors}`);
  }
  return data;
}

const readYaml = (file: string): unknown => parse(readFileSync(contentPath(`rollout/${file}`), 'utf8'));

/** Reads and validates content/rollout/: calendar, providers, the demo plans and the sourced events. */
export function readRolloutContent(): RolloutContent {
  const calendar = validated<Static<typeof CalendarSchema>>(
    'calendar.yaml',
    CalendarSchema,
    readYaml('calendar.yaml'),
  );
  for (const d of [calendar.submissionDeadline, calendar.nationalCoverageDate, calendar.defaultGoLiveDate]) {
    if (!isIsoDate(d)) throw new Error(`content/rollout/calendar.yaml: "${d}" is not a calendar date`);
  }
  if (!procurementInTime(calendar.submissionDeadline, calendar.defaultGoLiveDate)) {
    throw new Error(
      'content/rollout/calendar.yaml: the default go-live date must be at least six months after the submission deadline',
    );
  }
  const p = validated<Static<typeof ProvidersSchema>>(
    'providers.yaml',
    ProvidersSchema,
    readYaml('providers.yaml'),
  );
  const codes = new Set(p.providers.map((x) => x.code));
  if (!codes.has(calendar.defaultProviderCode))
    throw new Error(
      `content/rollout/calendar.yaml: unknown default provider ${calendar.defaultProviderCode}`,
    );
  for (const [where, code] of [
    ...Object.entries(p.outOfHours.byRegion),
    ...Object.entries(p.outOfHours.byArea),
  ]) {
    if (!codes.has(code))
      throw new Error(`content/rollout/providers.yaml: ${where} names unknown provider ${code}`);
  }
  const plans = validated<Static<typeof PlansSchema>>(
    'plans.yaml',
    PlansSchema,
    readYaml('plans.yaml'),
  ).plans;
  const events = readContentCsv('rollout/events.csv');
  const eventIds = new Set(events.map((e) => e.event_id));
  const seen = new Set<string>();
  for (const plan of plans) {
    if (seen.has(plan.area)) throw new Error(`content/rollout/plans.yaml: area ${plan.area} has two plans`);
    seen.add(plan.area);
    for (const s of plan.sources) {
      if (!eventIds.has(s))
        throw new Error(`content/rollout/plans.yaml: ${plan.area} cites unknown event ${s}`);
    }
    if (plan.approved && !plan.submitted)
      throw new Error(`content/rollout/plans.yaml: ${plan.area} is approved but was never submitted`);
  }
  return {
    calendar,
    providers: p.providers,
    outOfHoursByRegion: p.outOfHours.byRegion,
    outOfHoursByArea: p.outOfHours.byArea,
    plans,
    events,
  };
}

/** A scenario plan as a draft plan (not yet submitted or approved), checked by the plan rules. */
export function planFromScenario(
  s: ScenarioPlan,
  providers: ReadonlyMap<string, Provider>,
  note = '',
): RolloutPlan {
  return editPlan(
    s.area,
    undefined,
    {
      status: s.status,
      operatingModel: s.operatingModel,
      providerCodes: s.providers,
      procurementDate: s.procurementDate,
      goLiveDate: s.goLiveDate,
      note,
    },
    providers,
  );
}
