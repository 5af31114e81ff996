import type {
  Coding,
  OperationOutcomeIssue,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  QuestionnaireResponseItemAnswer,
} from '@medplum/fhirtypes';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DomainError, invalid } from '../../domain/errors';
import {
  type AnswerValue,
  DONT_KNOW,
  type GivenAnswer,
  type Pathway,
  type Question,
  type StepResult,
  type TriageContent,
} from '../../domain/triage/index';
import {
  listPathways,
  mayReadPathways,
  type NextQuestion,
  nextQuestion,
  readPathway,
  readTriage,
  type TriageSessionView,
  triageContentInForce,
} from '../../services/triage';
import type { Caller } from '../../services/use-case';
import { callerOf, typed } from '../context';
import { addReferenceReader, FHIR_BASE, FHIR_JSON, fhirCapabilities } from './index';
import { alternatives, matchesToken, pageOf, searchControl, searchPage, searchQuery, tokens } from './search';

const QUESTIONNAIRE_PARAMS = {
  _id: Type.Optional(Type.String({ maxLength: 2000 })),
  title: Type.Optional(Type.String({ maxLength: 100 })),
  code: Type.Optional(Type.String({ maxLength: 500 })),
};

export const QUESTIONNAIRE_URL = 'https://open111.dev/fhir/Questionnaire';
export const FINDING_SYSTEM = 'https://open111.dev/fhir/CodeSystem/finding';
export const DISPOSITION_SYSTEM = 'https://open111.dev/fhir/CodeSystem/disposition';
export const SG_SYSTEM = 'https://open111.dev/fhir/CodeSystem/symptom-group';
export const DISPOSITION_EXTENSION = 'https://open111.dev/fhir/StructureDefinition/triage-disposition';

/** SDC's definition of the operation, which open111 follows (at type level, Parameters in and out). */
export const NEXT_QUESTION_DEFINITION =
  'http://hl7.org/fhir/uv/sdc/OperationDefinition/Questionnaire-next-question';

/** The base `$validate` operation, which open111 serves for the resource it accepts (a QuestionnaireResponse). */
export const VALIDATE_DEFINITION = 'http://hl7.org/fhir/OperationDefinition/Resource-validate';

fhirCapabilities.push(
  {
    type: 'Questionnaire',
    interactions: ['read', 'search-type'],
    searchParams: [
      { name: '_id', type: 'token' },
      { name: 'title', type: 'string' },
      { name: 'code', type: 'token' },
    ],
    operations: [{ name: 'next-question', definition: NEXT_QUESTION_DEFINITION }],
  },
  {
    type: 'QuestionnaireResponse',
    interactions: ['read'],
    searchParams: [],
    operations: [{ name: 'validate', definition: VALIDATE_DEFINITION }],
  },
);

const linkId = (pathwayId: string, questionId: string) => `${pathwayId}.${questionId}`;

function questionItem(content: TriageContent, pathwayId: string, q: Question): QuestionnaireItem {
  const finding = content.findings.get(q.finding);
  const code: Coding[] = [{ system: FINDING_SYSTEM, code: q.finding, display: finding?.label ?? q.finding }];
  if (finding?.snomed) code.push({ system: 'http://snomed.info/sct', code: finding.snomed });
  return {
    linkId: linkId(pathwayId, q.id),
    text: q.text,
    code,
    type: q.type === 'yes_no' ? 'boolean' : q.type === 'choice' ? 'choice' : 'decimal',
    // Not `required`: the engine asks only the questions the answers so far lead to, so no question
    // but the first is asked in every session, and the record of a session stopped early is complete.
    ...(q.type === 'choice'
      ? {
          answerOption: q.options.map((o) => ({
            valueCoding: { system: FINDING_SYSTEM, code: o.value, display: o.label },
          })),
        }
      : {}),
    ...(q.rationale.trim() !== ''
      ? { item: [{ linkId: `${linkId(pathwayId, q.id)}.rationale`, type: 'display', text: q.rationale }] }
      : {}),
  };
}

/**
 * A pathway as a FHIR Questionnaire: module 0's questions (asked before every pathway), then the
 * pathway's own, in file order; the engine decides which are asked. A session's QuestionnaireResponse
 * answers items of this Questionnaire only.
 */
export function pathwayQuestionnaire(content: TriageContent, pw: Pathway): Questionnaire {
  return {
    resourceType: 'Questionnaire',
    id: pw.id,
    url: `${QUESTIONNAIRE_URL}/${pw.id}`,
    version: String(pw.version),
    name: pw.id.replace(/[^A-Za-z0-9]/g, '_'),
    title: pw.title,
    status: pw.status === 'approved' ? 'active' : 'draft',
    experimental: true,
    description:
      'DEMONSTRATION CONTENT — NOT FOR CLINICAL USE. An adaptive triage pathway: use $next-question.',
    code: [
      {
        system: SG_SYSTEM,
        code: pw.symptomGroup,
        display: content.symptomGroups.get(pw.symptomGroup)?.title ?? pw.symptomGroup,
      },
    ],
    ...(pw.approvedAt ? { approvalDate: pw.approvedAt } : {}),
    item: [...(pw.id === content.module0.id ? [] : [content.module0]), pw].flatMap((part) =>
      part.order.flatMap((id) => {
        const q = part.questions.get(id);
        return q ? [questionItem(content, part.id, q)] : [];
      }),
    ),
  };
}

/**
 * "Don't know" travels as FHIR's own data-absent-reason `asked-unknown` ("the source was asked but does
 * not know the value"), which a FHIR client can send for any item whatever its type.
 */
export const DATA_ABSENT_REASON = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';
const ASKED_UNKNOWN = 'asked-unknown';

function answerOf(q: Question | undefined, value: AnswerValue): QuestionnaireResponseItemAnswer {
  if (value === DONT_KNOW)
    return { valueCoding: { system: DATA_ABSENT_REASON, code: ASKED_UNKNOWN, display: 'Asked But Unknown' } };
  if (q?.type === 'yes_no') return { valueBoolean: value === 'yes' };
  if (q?.type === 'choice')
    return {
      valueCoding: {
        system: FINDING_SYSTEM,
        code: String(value),
        display: q.options.find((o) => o.value === value)?.label ?? String(value),
      },
    };
  return { valueDecimal: Number(value) };
}

function dispositionExtension(result: StepResult) {
  if (result.kind !== 'disposition') return {};
  return {
    extension: [
      {
        url: DISPOSITION_EXTENSION,
        valueCoding: {
          system: DISPOSITION_SYSTEM,
          code: result.disposition.code,
          display: result.disposition.title,
        },
      },
    ],
  };
}

const questionFor = (content: TriageContent, pw: Pathway, pathwayId: string, questionId: string) =>
  (pathwayId === content.module0.id ? content.module0 : pw).questions.get(questionId);

/** What `$next-question` reads of the QuestionnaireResponse sent: its items' link ids and first answers. */
const AnswerInput = Type.Object({
  valueBoolean: Type.Optional(Type.Boolean()),
  valueCoding: Type.Optional(
    Type.Object({
      system: Type.Optional(Type.String({ maxLength: 200 })),
      code: Type.Optional(Type.String({ maxLength: 80 })),
    }),
  ),
  valueDecimal: Type.Optional(Type.Number()),
  valueInteger: Type.Optional(Type.Integer()),
});
const ResponseInput = Type.Object({
  resourceType: Type.String({ maxLength: 64 }),
  questionnaire: Type.Optional(Type.String({ maxLength: 300 })),
  contained: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.Optional(Type.String({ maxLength: 64 })),
        derivedFrom: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 5 })),
      }),
      { maxItems: 5 },
    ),
  ),
  item: Type.Optional(
    Type.Array(
      Type.Object({
        linkId: Type.String({ maxLength: 200 }),
        answer: Type.Optional(Type.Array(AnswerInput, { maxItems: 10 })),
      }),
      { maxItems: 500 },
    ),
  ),
});
type ResponseInputBody = Static<typeof ResponseInput>;

/** SDC `$next-question` at type level: a Parameters resource whose `in` is the QuestionnaireResponse. */
const NextQuestionParameters = Type.Object({
  resourceType: Type.Literal('Parameters'),
  parameter: Type.Array(
    Type.Object({ name: Type.String({ maxLength: 64 }), resource: Type.Optional(ResponseInput) }),
    { maxItems: 5 },
  ),
});

/**
 * The pathway a QuestionnaireResponse answers, from its `questionnaire` canonical: the pathway's own
 * (`…/Questionnaire/sore-throat|1`) or, for the adaptive form `$next-question` returns, the contained
 * Questionnaire's `derivedFrom`.
 */
function pathwayOfResponse(r: ResponseInputBody): string {
  const canonical = r.questionnaire?.startsWith('#')
    ? r.contained?.find((c) => c.id === r.questionnaire?.slice(1))?.derivedFrom?.[0]
    : r.questionnaire;
  const id = canonical?.startsWith(`${QUESTIONNAIRE_URL}/`)
    ? canonical.slice(QUESTIONNAIRE_URL.length + 1).split('|')[0]
    : undefined;
  if (!id || !/^[A-Za-z0-9\-.]{1,64}$/.test(id))
    throw invalid(
      `QuestionnaireResponse.questionnaire must name a triage pathway (${QUESTIONNAIRE_URL}/<id>), or a contained Questionnaire derived from one.`,
    );
  return id;
}

/** Reads a QuestionnaireResponse's answers back into engine answers; bad shapes are a clear 400. */
function answersFromResponse(r: ResponseInputBody): GivenAnswer[] {
  if (r.resourceType !== 'QuestionnaireResponse')
    throw invalid('Send a QuestionnaireResponse (resourceType "QuestionnaireResponse").');
  return (r.item ?? []).map((item, i) => {
    const where = `QuestionnaireResponse.item[${i}]`;
    const dot = item.linkId.indexOf('.');
    if (dot < 1) throw invalid(`${where}.linkId must be "pathway.question", e.g. "module-0.unresponsive".`);
    const a = item.answer?.[0];
    let value: AnswerValue | undefined;
    if (typeof a?.valueBoolean === 'boolean') value = a.valueBoolean ? 'yes' : 'no';
    else if (a?.valueCoding?.system === DATA_ABSENT_REASON && a.valueCoding.code === ASKED_UNKNOWN)
      value = DONT_KNOW;
    else if (typeof a?.valueCoding?.code === 'string') value = a.valueCoding.code;
    else if (typeof a?.valueDecimal === 'number') value = a.valueDecimal;
    else if (typeof a?.valueInteger === 'number') value = a.valueInteger;
    if (value === undefined)
      throw invalid(`${where}: give one answer (valueBoolean, valueCoding or valueDecimal).`);
    return { pathwayId: item.linkId.slice(0, dot), questionId: item.linkId.slice(dot + 1), value };
  });
}

/**
 * `$next-question` in the spirit of SDC adaptive forms: the response out with the next question added to
 * its contained Questionnaire, or completed with the disposition.
 */
function adaptiveResponse({ content, pathway: pw, answered, result }: NextQuestion): QuestionnaireResponse {
  const asked: QuestionnaireItem[] = answered.map((a) => questionItem(content, a.pathwayId, a.question));
  if (result.kind === 'question') asked.push(questionItem(content, result.pathwayId, result.question));
  return {
    resourceType: 'QuestionnaireResponse',
    contained: [
      {
        resourceType: 'Questionnaire',
        id: 'adaptive',
        status: 'active',
        url: `${QUESTIONNAIRE_URL}/${pw.id}/adaptive`,
        derivedFrom: [`${QUESTIONNAIRE_URL}/${pw.id}|${pw.version}`],
        ...(asked.length > 0 ? { item: asked } : {}),
      },
    ],
    questionnaire: '#adaptive',
    status: result.kind === 'disposition' ? 'completed' : 'in-progress',
    ...dispositionExtension(result),
    // FHIR allows no empty arrays: before the first answer the response has no item at all.
    ...(answered.length > 0
      ? {
          item: answered.map((a) => ({
            linkId: linkId(a.pathwayId, a.questionId),
            text: a.question.text,
            answer: [answerOf(a.question, a.value)],
          })),
        }
      : {}),
  };
}

/** A triage session as the triage record: its answers in force and, once reached, its disposition. */
export function sessionResponse(content: TriageContent, s: TriageSessionView): QuestionnaireResponse {
  const pw = content.pathways.get(`${s.pathway.id}@${s.pathway.version}`);
  const items: QuestionnaireResponseItem[] = s.answers.map((a) => ({
    linkId: linkId(a.pathwayId, a.questionId),
    text: a.question,
    answer: [answerOf(pw && questionFor(content, pw, a.pathwayId, a.questionId), a.value)],
  }));
  return {
    resourceType: 'QuestionnaireResponse',
    id: s.id,
    meta: {
      tag: [{ system: 'https://open111.dev/fhir/CodeSystem/content-version', code: s.contentVersion }],
    },
    questionnaire: `${QUESTIONNAIRE_URL}/${s.pathway.id}|${s.pathway.version}`,
    status: s.status === 'finished' ? 'completed' : 'in-progress',
    authored: s.createdAt,
    author: { display: s.createdBy },
    ...(items.length > 0 ? { item: items } : {}),
    ...(s.outcome
      ? {
          extension: [
            {
              url: DISPOSITION_EXTENSION,
              valueCoding: {
                system: DISPOSITION_SYSTEM,
                code: s.outcome.disposition.code,
                display: s.outcome.disposition.title,
              },
            },
          ],
        }
      : {}),
  };
}

/** What `$validate` takes: a QuestionnaireResponse (with its status), or Parameters holding one. */
const ResponseToValidate = Type.Composite([
  ResponseInput,
  Type.Object({ status: Type.Optional(Type.String({ maxLength: 40 })) }),
]);
const ValidateInput = Type.Composite([
  ResponseToValidate,
  Type.Object({
    parameter: Type.Optional(
      Type.Array(
        Type.Object({ name: Type.String({ maxLength: 64 }), resource: Type.Optional(ResponseToValidate) }),
        { maxItems: 5 },
      ),
    ),
  }),
]);
type ResponseToValidateBody = Static<typeof ResponseToValidate>;

const error = (diagnostics: string, expression?: string): OperationOutcomeIssue => ({
  severity: 'error',
  code: 'invalid',
  diagnostics,
  ...(expression ? { expression: [expression] } : {}),
});

/** Where a resource holds an empty array, object or string, which FHIR JSON forbids. */
function emptyElements(value: unknown, path: string): string[] {
  if (Array.isArray(value))
    return value.length === 0 ? [path] : value.flatMap((v, i) => emptyElements(v, `${path}[${i}]`));
  if (typeof value === 'string') return value.trim() === '' ? [path] : [];
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => emptyElements(v, `${path}.${k}`));
  }
  return [];
}

const RESPONSE_STATUSES = ['in-progress', 'completed', 'amended', 'entered-in-error', 'stopped'];

/**
 * `$validate`: whether open111 would accept this QuestionnaireResponse, each problem an issue: FHIR's
 * rules for it (status, no empty elements), a questionnaire that is a triage pathway, answers the engine
 * can read, link ids of that pathway or module 0, and answers that lead somewhere. When it is valid, an
 * information issue says what the engine makes of it (the next question, or the disposition).
 */
async function validateResponse(
  ctx: FastifyInstance['ctx'],
  caller: Caller,
  r: ResponseToValidateBody,
): Promise<OperationOutcomeIssue[]> {
  const issues: OperationOutcomeIssue[] = [];
  if (r.resourceType !== 'QuestionnaireResponse')
    return [
      error(`Only a QuestionnaireResponse is validated here, not a ${r.resourceType}.`, 'resourceType'),
    ];
  if (r.status === undefined)
    issues.push(error('status is required (R4: 1..1).', 'QuestionnaireResponse.status'));
  else if (!RESPONSE_STATUSES.includes(r.status))
    issues.push(
      error(
        `status must be one of ${RESPONSE_STATUSES.join(', ')}; not "${r.status}".`,
        'QuestionnaireResponse.status',
      ),
    );
  for (const path of emptyElements(r, 'QuestionnaireResponse'))
    issues.push(error('FHIR allows no empty arrays, objects or strings.', path));
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const pointers = e.problems.map((p) =>
        p.pointer.replace(/^\/item\/(\d+)/, 'QuestionnaireResponse.item[$1]').replace(/\//g, '.'),
      );
      issues.push(error(e.message, pointers[0]));
      return undefined;
    }
  };
  const pathwayId = attempt(() => pathwayOfResponse(r));
  const answers = attempt(() => answersFromResponse(r));
  if (issues.length > 0 || pathwayId === undefined || answers === undefined) return issues;
  let next: NextQuestion;
  try {
    next = await nextQuestion(ctx, caller, pathwayId, answers);
  } catch (e) {
    if (!(e instanceof DomainError) || e.code === 'forbidden') throw e;
    attempt(() => {
      throw e;
    });
    return issues;
  }
  const outcome =
    next.result.kind === 'disposition'
      ? `it reaches disposition ${next.result.disposition.code} (${next.result.disposition.title})`
      : next.result.kind === 'question'
        ? `the next question is ${linkId(next.result.pathwayId, next.result.question.id)}`
        : 'the engine has nothing more to ask';
  if (r.status === 'completed' && next.result.kind === 'question')
    issues.push({
      severity: 'warning',
      code: 'incomplete',
      diagnostics: `It is marked completed, but ${outcome}.`,
      expression: ['QuestionnaireResponse.status'],
    });
  issues.push({
    severity: 'information',
    code: 'informational',
    diagnostics: `Valid: open111 reads ${answers.length} answer(s) on ${pathwayId}; ${outcome}.`,
  });
  return issues;
}

/** Triage over FHIR: the same use cases as the REST routes, shaped as Questionnaire resources. */
export async function triageFhirPlugin(app: FastifyInstance): Promise<void> {
  const r = typed(app);
  const Params = Type.Object({ id: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9\\-.]{1,64}$' }) });
  // A ServiceRequest's supporting-info, when a search includes it.
  addReferenceReader(app, 'QuestionnaireResponse', async (caller, id) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
      ? sessionResponse(await triageContentInForce(app.ctx), await readTriage(app.ctx, caller, id))
      : undefined,
  );

  r.get(
    `${FHIR_BASE}/Questionnaire`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Search the triage pathways as Questionnaires (paged)',
        querystring: searchQuery(QUESTIONNAIRE_PARAMS),
      },
      config: { access: 'pathway.read' },
    },
    async (request, reply) => {
      const q = request.query;
      const control = searchControl(request, Object.keys(QUESTIONNAIRE_PARAMS));
      const ids = alternatives(q._id);
      const codes = tokens(q.code);
      // Pathways are few (tens): all are read, then narrowed and paged here in id order.
      const found = await listPathways(app.ctx, callerOf(request), {
        ...(q.title ? { title: q.title } : {}),
        limit: Number.MAX_SAFE_INTEGER,
      });
      const matches = found.pathways
        .filter(
          (pw) =>
            (!ids || ids.includes(pw.id)) && (!codes || matchesToken(codes, SG_SYSTEM, pw.symptomGroup)),
        )
        .sort((x, y) => x.id.localeCompare(y.id));
      const page = pageOf(matches, control);
      return reply.type(FHIR_JSON).send(
        searchPage(request, 'Questionnaire', control, {
          total: page.total,
          page: page.page.map((pw) => pathwayQuestionnaire(found.content, pw)),
        }),
      );
    },
  );

  r.get(
    `${FHIR_BASE}/Questionnaire/:id`,
    {
      schema: { tags: ['fhir'], summary: 'A triage pathway as a Questionnaire', params: Params },
      config: { access: 'pathway.read' },
    },
    async (request, reply) => {
      const { content, pathway } = await readPathway(app.ctx, callerOf(request), request.params.id);
      return reply.type(FHIR_JSON).send(pathwayQuestionnaire(content, pathway));
    },
  );

  r.post(
    `${FHIR_BASE}/Questionnaire/:id/$next-question`,
    {
      schema: {
        tags: ['fhir'],
        summary:
          'Adaptive next question (SDC $next-question style): answers in, next question or disposition out',
        params: Params,
        body: ResponseInput,
      },
      config: { access: 'pathway.read' },
    },
    async (request, reply) => {
      const next = await nextQuestion(
        app.ctx,
        callerOf(request),
        request.params.id,
        answersFromResponse(request.body),
      );
      return reply.type(FHIR_JSON).send(adaptiveResponse(next));
    },
  );

  r.post(
    `${FHIR_BASE}/Questionnaire/$next-question`,
    {
      schema: {
        tags: ['fhir'],
        summary:
          'SDC $next-question at type level: Parameters `in` (a QuestionnaireResponse naming its pathway) → `return`',
        body: NextQuestionParameters,
      },
      config: { access: 'pathway.read' },
    },
    async (request, reply) => {
      const response = request.body.parameter.find((p) => p.name === 'in')?.resource;
      if (!response) throw invalid('Send the QuestionnaireResponse as the parameter named "in".');
      const next = await nextQuestion(
        app.ctx,
        callerOf(request),
        pathwayOfResponse(response),
        answersFromResponse(response),
      );
      return reply.type(FHIR_JSON).send({
        resourceType: 'Parameters',
        parameter: [{ name: 'return', resource: adaptiveResponse(next) }],
      });
    },
  );

  r.post(
    `${FHIR_BASE}/QuestionnaireResponse/$validate`,
    {
      schema: {
        tags: ['fhir'],
        summary:
          '$validate a QuestionnaireResponse (bare, or as the Parameters "resource"): would open111 accept it, and what the engine makes of it',
        body: ValidateInput,
      },
      config: { access: 'pathway.read' },
    },
    async (request, reply) => {
      const body = request.body;
      await mayReadPathways(app.ctx, callerOf(request));
      const resource =
        body.resourceType === 'Parameters'
          ? body.parameter?.find((p) => p.name === 'resource')?.resource
          : body;
      const issues = resource
        ? await validateResponse(app.ctx, callerOf(request), resource)
        : [error('Send the QuestionnaireResponse, or Parameters with it as the parameter named "resource".')];
      return reply.type(FHIR_JSON).send({ resourceType: 'OperationOutcome', issue: issues });
    },
  );

  r.get(
    `${FHIR_BASE}/QuestionnaireResponse/:id`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'A triage session as a QuestionnaireResponse (the triage record)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
      config: { access: 'triage_session.read' },
    },
    async (request, reply) => {
      const session = await readTriage(app.ctx, callerOf(request), request.params.id);
      return reply.type(FHIR_JSON).send(sessionResponse(await triageContentInForce(app.ctx), session));
    },
  );
}
