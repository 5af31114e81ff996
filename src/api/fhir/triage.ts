import type {
  Coding,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  QuestionnaireResponseItemAnswer,
} from '@medplum/fhirtypes';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { triageContent } from '../../content/triage';
import { invalid, notFound } from '../../domain/errors';
import {
  type AnswerValue,
  type GivenAnswer,
  type Pathway,
  type Question,
  type StepResult,
  step,
  type TriageContent,
} from '../../domain/triage/index';
import { readTriageSession } from '../../store/triage';
import { requireRole } from '../context';
import { sessionState, TRIAGE_READ_ROLES } from '../triage';
import { FHIR_BASE, FHIR_JSON, fhirCapabilities } from './index';
import { searchset } from './resources';

export const QUESTIONNAIRE_URL = 'https://open111.dev/fhir/Questionnaire';
export const FINDING_SYSTEM = 'https://open111.dev/fhir/CodeSystem/finding';
export const DISPOSITION_SYSTEM = 'https://open111.dev/fhir/CodeSystem/disposition';
export const SG_SYSTEM = 'https://open111.dev/fhir/CodeSystem/symptom-group';
export const DISPOSITION_EXTENSION = 'https://open111.dev/fhir/StructureDefinition/triage-disposition';

fhirCapabilities.push(
  {
    type: 'Questionnaire',
    interactions: ['read', 'search-type'],
    searchParams: [
      { name: '_id', type: 'token' },
      { name: 'title', type: 'string' },
      { name: 'code', type: 'token' },
    ],
  },
  { type: 'QuestionnaireResponse', interactions: ['read'], searchParams: [] },
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
    required: true,
    ...(q.type === 'choice'
      ? {
          answerOption: q.options.map((o) => ({
            valueCoding: { system: FINDING_SYSTEM, code: o.value, display: o.label },
          })),
        }
      : {}),
    item: [{ linkId: `${linkId(pathwayId, q.id)}.rationale`, type: 'display', text: q.rationale }],
  };
}

/** A pathway as a FHIR Questionnaire: every question, in file order; the engine decides which are asked. */
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
    item: pw.order.map((id) => questionItem(content, pw.id, pw.questions.get(id) as Question)),
  };
}

function answerOf(q: Question | undefined, value: AnswerValue): QuestionnaireResponseItemAnswer {
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

/** Reads a QuestionnaireResponse's answers back into engine answers; bad shapes are a clear 400. */
function answersFromResponse(content: TriageContent, pw: Pathway, qr: unknown): GivenAnswer[] {
  const r = qr as Partial<QuestionnaireResponse> | undefined;
  if (!r || typeof r !== 'object' || r.resourceType !== 'QuestionnaireResponse')
    throw invalid('Send a QuestionnaireResponse (resourceType "QuestionnaireResponse").');
  if (r.item !== undefined && !Array.isArray(r.item))
    throw invalid('QuestionnaireResponse.item must be a list.');
  return (r.item ?? []).map((item, i) => {
    const where = `QuestionnaireResponse.item[${i}]`;
    const dot = typeof item?.linkId === 'string' ? item.linkId.indexOf('.') : -1;
    if (dot < 1) throw invalid(`${where}.linkId must be "pathway.question", e.g. "module-0.unresponsive".`);
    const pathwayId = item.linkId.slice(0, dot);
    const questionId = item.linkId.slice(dot + 1);
    const q = questionFor(content, pw, pathwayId, questionId);
    if (!q || (pathwayId !== pw.id && pathwayId !== content.module0.id))
      throw invalid(`${where}: ${item.linkId} is not a question of ${pw.id} or module 0.`);
    const a = item.answer?.[0];
    let value: AnswerValue | undefined;
    if (typeof a?.valueBoolean === 'boolean') value = a.valueBoolean ? 'yes' : 'no';
    else if (typeof a?.valueCoding?.code === 'string') value = a.valueCoding.code;
    else if (typeof a?.valueDecimal === 'number') value = a.valueDecimal;
    else if (typeof a?.valueInteger === 'number') value = a.valueInteger;
    if (value === undefined)
      throw invalid(`${where}: give one answer (valueBoolean, valueCoding or valueDecimal).`);
    return { pathwayId, questionId, value };
  });
}

/**
 * `$next-question` in the spirit of SDC adaptive forms: the answers so far in, the response out with the next
 * question added to its contained Questionnaire, or completed with the disposition.
 */
export function nextQuestion(content: TriageContent, pw: Pathway, input: unknown): QuestionnaireResponse {
  const answers = answersFromResponse(content, pw, input);
  const result = step(content, {
    pathwayId: pw.id,
    pathwayVersion: pw.version,
    module0Version: content.module0.version,
    answers,
  });
  const asked: QuestionnaireItem[] = answers.map((a) =>
    questionItem(content, a.pathwayId, questionFor(content, pw, a.pathwayId, a.questionId) as Question),
  );
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
        item: asked,
      },
    ],
    questionnaire: '#adaptive',
    status: result.kind === 'disposition' ? 'completed' : 'in-progress',
    ...dispositionExtension(result),
    item: answers.map((a) => ({
      linkId: linkId(a.pathwayId, a.questionId),
      text: questionFor(content, pw, a.pathwayId, a.questionId)?.text ?? '',
      answer: [answerOf(questionFor(content, pw, a.pathwayId, a.questionId), a.value)],
    })),
  };
}

export async function triageFhirPlugin(app: FastifyInstance): Promise<void> {
  const content = () => triageContent();
  const pathwayOr404 = (id: string) => {
    const c = content();
    const pw = id === c.module0.id ? c.module0 : c.current.get(id);
    if (!pw) throw notFound(`Questionnaire/${id} is not known.`);
    return pw;
  };
  const Params = Type.Object({ id: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9\\-.]{1,64}$' }) });

  app.get(
    `${FHIR_BASE}/Questionnaire`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'Search the triage pathways as Questionnaires',
        querystring: Type.Object(
          {
            _id: Type.Optional(Type.String({ maxLength: 64 })),
            title: Type.Optional(Type.String({ maxLength: 100 })),
            code: Type.Optional(Type.String({ maxLength: 100 })),
            _count: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      requireRole(request.actor, ...TRIAGE_READ_ROLES);
      const q = request.query as { _id?: string; title?: string; code?: string; _count?: number };
      const c = content();
      const code = q.code?.includes('|') ? q.code.split('|')[1] : q.code;
      const all = [c.module0, ...c.current.values()].filter(
        (pw) =>
          (!q._id || pw.id === q._id) &&
          (!q.title || pw.title.toLowerCase().includes(q.title.toLowerCase())) &&
          (!code || pw.symptomGroup === code),
      );
      reply.type(FHIR_JSON);
      const base = `${request.protocol}://${request.host}${FHIR_BASE}`;
      return searchset(
        base,
        all.slice(0, q._count ?? 100).map((pw) => pathwayQuestionnaire(c, pw)),
        all.length,
      );
    },
  );

  app.get(
    `${FHIR_BASE}/Questionnaire/:id`,
    { schema: { tags: ['fhir'], summary: 'A triage pathway as a Questionnaire', params: Params } },
    async (request, reply) => {
      requireRole(request.actor, ...TRIAGE_READ_ROLES);
      const { id } = request.params as { id: string };
      reply.type(FHIR_JSON);
      return pathwayQuestionnaire(content(), pathwayOr404(id));
    },
  );

  app.post(
    `${FHIR_BASE}/Questionnaire/:id/$next-question`,
    {
      schema: {
        tags: ['fhir'],
        summary:
          'Adaptive next question (SDC $next-question style): answers in, next question or disposition out',
        params: Params,
        body: Type.Object({ resourceType: Type.String() }),
      },
    },
    async (request, reply) => {
      requireRole(request.actor, ...TRIAGE_READ_ROLES);
      const { id } = request.params as { id: string };
      const pw = pathwayOr404(id);
      if (pw.kind === 'module0')
        throw invalid('Module 0 runs before every pathway: ask for a symptom pathway’s next question.');
      reply.type(FHIR_JSON);
      return nextQuestion(content(), pw, request.body);
    },
  );

  app.get(
    `${FHIR_BASE}/QuestionnaireResponse/:id`,
    {
      schema: {
        tags: ['fhir'],
        summary: 'A triage session as a QuestionnaireResponse (the triage record)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      const actor = requireRole(request.actor, ...TRIAGE_READ_ROLES);
      const { id } = request.params as { id: string };
      const c = content();
      const s = await readTriageSession(app.ctx.store.db, id, {
        actor,
        at: app.ctx.now(),
        requestId: request.id,
      });
      const state = sessionState(c, s);
      const pw = c.pathways.get(`${s.pathwayId}@${s.pathwayVersion}`) as Pathway;
      const items: QuestionnaireResponseItem[] = state.answers.map((a) => ({
        linkId: linkId(a.pathwayId, a.questionId),
        text: a.question,
        answer: [answerOf(questionFor(c, pw, a.pathwayId, a.questionId), a.value)],
      }));
      const response: QuestionnaireResponse = {
        resourceType: 'QuestionnaireResponse',
        id: s.id,
        meta: {
          tag: [{ system: 'https://open111.dev/fhir/CodeSystem/content-version', code: s.contentVersion }],
        },
        questionnaire: `${QUESTIONNAIRE_URL}/${s.pathwayId}|${s.pathwayVersion}`,
        status: s.status === 'finished' ? 'completed' : 'in-progress',
        authored: s.createdAt.toISOString(),
        author: { display: s.createdBy },
        ...(state.outcome
          ? {
              extension: [
                {
                  url: DISPOSITION_EXTENSION,
                  valueCoding: {
                    system: DISPOSITION_SYSTEM,
                    code: state.outcome.disposition.code,
                    display: state.outcome.disposition.title,
                  },
                },
              ],
            }
          : {}),
        item: items,
      };
      reply.type(FHIR_JSON);
      return response;
    },
  );
}
