import type {
  Communication,
  Encounter,
  Patient as FhirPatient,
  Reference,
  Resource,
  ServiceRequest,
  Task,
} from '@medplum/fhirtypes';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Case } from '../../domain/cases/index';
import type { Disposition } from '../../domain/dispositions/index';
import { DomainError, invalid, notFound } from '../../domain/errors';
import type { MessageStatus } from '../../domain/messaging/index';
import { type CaseRecord, mayReadCases, readCase } from '../../services/cases';
import { callerOf, typed } from '../context';
import { addReferenceReader, FHIR_BASE, FHIR_JSON, fhirCapabilities, readReferences } from './index';
import { ODS_SYSTEM } from './resources';
import { alternatives, pageOf, searchControl, searchPage, searchQuery } from './search';

export const DX_SYSTEM = 'https://open111.dev/fhir/CodeSystem/disposition';
export const CASE_ID_SYSTEM = 'https://open111.dev/fhir/Id/case';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** The FHIR ids of the resources a case gives rise to (all within FHIR's 64-character id limit). */
export const fhirIds = {
  dispatch: (caseId: string) => `${caseId}-dispatch`,
  referral: (caseId: string) => `${caseId}-referral`,
  callback: (caseId: string) => `${caseId}-callback`,
  postEvent: (caseId: string) => `${caseId}-post-event`,
  patient: (caseId: string) => `${caseId}-patient`,
};

// Generic, so each reference takes the target type its field asks for.
const encounterRef = <T extends Resource>(c: Case): Reference<T> => ({ reference: `Encounter/${c.id}` });
/** The case's patient: a Patient resource served under the case (`Patient/<case>-patient`). */
const patientRef = <T extends Resource>(c: Case): Reference<T> => ({
  reference: `Patient/${fhirIds.patient(c.id)}`,
  display: c.patient.name,
});
/** The triage record the outcome rests on: the session as a QuestionnaireResponse. */
const triageRecord = <T extends Resource>(c: Case): Reference<T>[] =>
  c.triage ? [{ reference: `QuestionnaireResponse/${c.triage.triageSessionId}` }] : [];
const org = <T extends Resource>(code: string, display?: string): Reference<T> => ({
  identifier: { system: ODS_SYSTEM, value: code },
  ...(display ? { display } : {}),
});

/**
 * The patient as the case records them. open111 holds no NHS number for a caller yet (the patient is
 * named, born, of a sex and at a postcode), so no NHS number identifier is given.
 */
export function casePatient(c: Case): FhirPatient {
  return {
    resourceType: 'Patient',
    id: fhirIds.patient(c.id),
    name: [{ text: c.patient.name }],
    birthDate: c.patient.birthDate,
    gender: c.patient.sex,
    address: [{ postalCode: c.patient.postcode }],
    ...(c.patient.phone ? { telecom: [{ system: 'phone', value: c.patient.phone }] } : {}),
    ...(c.patient.gpPracticeCode
      ? { generalPractitioner: [{ identifier: { system: ODS_SYSTEM, value: c.patient.gpPracticeCode } }] }
      : {}),
  };
}

const dxCoding = (code: string, d: Disposition | undefined) => ({
  coding: [{ system: DX_SYSTEM, code, ...(d ? { display: d.title } : {}) }],
});

/** The case as an Encounter: a virtual (telephone) encounter with its disposition as the reason. */
export function caseEncounter(c: Case, d: Disposition | undefined): Encounter {
  return {
    resourceType: 'Encounter',
    id: c.id,
    identifier: [{ system: CASE_ID_SYSTEM, value: c.id }],
    status: c.status === 'closed' ? 'finished' : c.status === 'open' ? 'arrived' : 'in-progress',
    class: { system: ACT_CODE, code: 'VR', display: 'virtual' },
    subject: patientRef(c),
    serviceProvider: org(c.providerCode),
    period: { start: c.openedAt.toISOString(), ...(c.closedAt ? { end: c.closedAt.toISOString() } : {}) },
    ...(c.triage ? { reasonCode: [dxCoding(c.triage.dispositionCode, d)] } : {}),
  };
}

/** The ambulance dispatch or the referral as a ServiceRequest; `undefined` when the case has neither. */
export function caseServiceRequest(
  c: Case,
  kind: 'dispatch' | 'referral',
  d: Disposition | undefined,
  delivery: MessageStatus | undefined,
): ServiceRequest | undefined {
  const base: ServiceRequest = {
    resourceType: 'ServiceRequest',
    intent: 'order',
    status: delivery === 'delivered' ? 'completed' : 'active',
    subject: patientRef(c),
    encounter: encounterRef(c),
    requester: org(c.providerCode),
    ...(c.triage ? { supportingInfo: triageRecord(c) } : {}),
    ...(c.triage ? { reasonCode: [dxCoding(c.triage.dispositionCode, d)] } : {}),
  };
  if (kind === 'dispatch' && c.dispatch) {
    return {
      ...base,
      id: fhirIds.dispatch(c.id),
      priority: 'stat',
      code: { text: `Emergency ambulance response, category ${c.dispatch.category}` },
      // The ambulance trust: an Organization open111 serves (`GET /fhir/R4/Organization/<ODS code>`).
      performer: [
        {
          reference: `Organization/${c.dispatch.trust.code}`,
          ...org(c.dispatch.trust.code, c.dispatch.trust.name),
        },
      ],
      authoredOn: c.dispatch.at.toISOString(),
      note: [{ text: 'Dispatched on the 111 assessment: no re-triage by the ambulance service.' }],
    };
  }
  if (kind === 'referral' && c.referral) {
    return {
      ...base,
      id: fhirIds.referral(c.id),
      priority: 'urgent',
      code: { text: d ? d.title : 'Referral' },
      // The service chosen from the directory: its HealthcareService (`GET /fhir/R4/HealthcareService/<id>`).
      performer: [{ reference: `HealthcareService/${c.referral.id}`, display: c.referral.name }],
      ...(c.outcomeAt ? { authoredOn: c.outcomeAt.toISOString() } : {}),
    };
  }
  return undefined;
}

/** The clinician call-back as a Task, due by its due time. */
export function callbackTask(c: Case): Task | undefined {
  const cb = c.callback;
  if (!cb) return undefined;
  return {
    resourceType: 'Task',
    id: fhirIds.callback(c.id),
    status: cb.completedAt ? 'completed' : cb.startedAt ? 'in-progress' : 'requested',
    intent: 'order',
    priority: cb.priority === 1 ? 'asap' : 'urgent',
    code: { text: cb.reason === 'warm_transfer' ? 'Warm transfer to a clinician' : 'Clinician call-back' },
    focus: encounterRef(c),
    encounter: encounterRef(c),
    for: patientRef(c),
    owner: org(c.providerCode),
    ...(c.triage ? { reasonReference: triageRecord(c)[0] } : {}),
    restriction: { period: { end: cb.dueAt.toISOString() } },
    ...(cb.startedAt
      ? {
          executionPeriod: {
            start: cb.startedAt.toISOString(),
            ...(cb.completedAt ? { end: cb.completedAt.toISOString() } : {}),
          },
        }
      : {}),
    ...(cb.notes ? { note: [{ text: cb.notes }] } : {}),
  };
}

/** The post-event message to the GP as a Communication; `not-done` with the reason when none could be sent. */
export function postEventCommunication(
  c: Case,
  delivery: MessageStatus | undefined,
): Communication | undefined {
  const pe = c.postEvent;
  if (!pe) return undefined;
  const base: Omit<Communication, 'status'> = {
    resourceType: 'Communication',
    id: fhirIds.postEvent(c.id),
    encounter: encounterRef(c),
    subject: patientRef(c),
    sender: org(c.providerCode),
    ...(c.triage ? { about: triageRecord(c) } : {}),
    category: [{ text: 'Post-event message' }],
  };
  if (!pe.sent) return { ...base, status: 'not-done', statusReason: { text: pe.reason } };
  return {
    ...base,
    status: delivery === 'delivered' ? 'completed' : 'in-progress',
    recipient: [org(pe.practiceCode)],
    sent: pe.at.toISOString(),
    payload: [{ contentString: `111 case ${c.id}: outcome ${c.outcome ?? 'none'}.` }],
  };
}

/** Each FHIR type a case gives rise to: how its id follows the case id, and how it is drawn from the case. */
const CASE_RESOURCES = {
  Encounter: { suffix: '', draw: (r: CaseRecord) => caseEncounter(r.case, r.disposition) },
  ServiceRequest: {
    suffix: '-(dispatch|referral)',
    draw: (r: CaseRecord, part: string | undefined) => {
      const kind = part === 'dispatch' ? 'dispatch' : 'referral';
      return caseServiceRequest(
        r.case,
        kind,
        r.disposition,
        delivery(r, kind === 'dispatch' ? 'ambulance_dispatch' : 'referral'),
      );
    },
  },
  Task: { suffix: fhirIds.callback(''), draw: (r: CaseRecord) => callbackTask(r.case) },
  Communication: {
    suffix: fhirIds.postEvent(''),
    draw: (r: CaseRecord) => postEventCommunication(r.case, delivery(r, 'gp_post_event')),
  },
  Patient: { suffix: fhirIds.patient(''), draw: (r: CaseRecord) => casePatient(r.case) },
} satisfies Record<
  string,
  { suffix: string; draw: (r: CaseRecord, part: string | undefined) => Resource | undefined }
>;

const delivery = (r: CaseRecord, kind: string): MessageStatus | undefined =>
  r.messages.find((m) => m.kind === kind)?.status;

const SERVICE_REQUEST_PARAMS = {
  _id: Type.Optional(Type.String({ maxLength: 2000 })),
  encounter: Type.Optional(Type.String({ maxLength: 2000 })),
};

/** What a ServiceRequest search may bring with its matches. */
const SERVICE_REQUEST_INCLUDES = [
  'ServiceRequest:performer',
  'ServiceRequest:subject',
  'ServiceRequest:patient',
  'ServiceRequest:encounter',
  'ServiceRequest:supporting-info',
];

/** FHIR R4 reads: the case as an Encounter; its dispatch or referral, call-back and post-event message. */
export async function caseFhirRoutes(app: FastifyInstance): Promise<void> {
  const r = typed(app);
  const patterns = new Map<string, RegExp>();
  for (const type of ['Encounter', 'ServiceRequest', 'Task', 'Communication', 'Patient'] as const) {
    const { suffix, draw } = CASE_RESOURCES[type];
    if (!fhirCapabilities.some((c) => c.type === type))
      fhirCapabilities.push(
        type === 'ServiceRequest'
          ? {
              type,
              interactions: ['read', 'search-type'],
              searchParams: [
                { name: '_id', type: 'token' },
                { name: 'encounter', type: 'reference' },
              ],
              searchInclude: SERVICE_REQUEST_INCLUDES,
            }
          : { type, interactions: ['read'], searchParams: [] },
      );
    const idPattern = new RegExp(`^(CASE-[0-9a-f-]{36})${suffix}$`);
    patterns.set(type, idPattern);
    // Another type's search may include this one (a ServiceRequest's subject, its encounter).
    addReferenceReader(app, type, async (caller, id) => {
      const m = idPattern.exec(id);
      if (!m?.[1]) return undefined;
      return draw(await readCase(app.ctx, caller, m[1], `fhir ${type} (included)`), m[2]);
    });
    r.get(
      `${FHIR_BASE}/${type}/:id`,
      {
        schema: {
          tags: ['fhir'],
          summary: `Read a ${type} of a case`,
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        },
        config: { access: 'case.read' },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw invalid(`"${id}" is not a valid FHIR id.`);
        const m = idPattern.exec(id);
        // An id not of this type's form names no case: the use case answers "not found" for it, after
        // refusing a role that may not read cases at all.
        const found = await readCase(app.ctx, callerOf(request), m?.[1] ?? id, `fhir ${type}`);
        // A bare case id names the Encounter only, not the case's other resources.
        const resource = m ? draw(found, m[2]) : undefined;
        if (!resource) throw notFound(`${type}/${id} is not known.`);
        reply.type(FHIR_JSON);
        return resource;
      },
    );
  }

  const srPattern = patterns.get('ServiceRequest');
  r.get(
    `${FHIR_BASE}/ServiceRequest`,
    {
      schema: {
        tags: ['fhir'],
        summary:
          'Search the ServiceRequests of cases by _id or encounter (the case), with _include of their performer, subject, encounter and supporting-info',
        querystring: searchQuery(SERVICE_REQUEST_PARAMS),
      },
      config: { access: 'case.read' },
    },
    async (request, reply) => {
      const q = request.query;
      const control = searchControl(request, Object.keys(SERVICE_REQUEST_PARAMS), {
        include: SERVICE_REQUEST_INCLUDES,
      });
      const ids = alternatives(q._id);
      const encounters = alternatives(q.encounter, 'Encounter/');
      if (!ids && !encounters)
        throw invalid(
          'Search ServiceRequests by _id or by encounter (the case): a search of every case is not served.',
        );
      const caller = callerOf(request);
      await mayReadCases(app.ctx, caller);
      // Each case is read as the caller may: another provider's is left out, as one that never was.
      const caseIds = new Set<string>([
        ...(ids ?? []).flatMap((id) => srPattern?.exec(id)?.[1] ?? []),
        ...(encounters ?? []),
      ]);
      const matches: ServiceRequest[] = [];
      for (const caseId of [...caseIds].sort()) {
        let found: CaseRecord;
        try {
          found = await readCase(app.ctx, caller, caseId, 'fhir ServiceRequest search');
        } catch (e) {
          if (e instanceof DomainError && e.code === 'not_found') continue;
          throw e;
        }
        for (const part of ['dispatch', 'referral'] as const) {
          const sr = CASE_RESOURCES.ServiceRequest.draw(found, part);
          if (sr && (!ids || ids.includes(sr.id ?? '')) && (!encounters || encounters.includes(caseId)))
            matches.push(sr);
        }
      }
      const page = pageOf(matches, control);
      const refs = page.page.flatMap((sr) => [
        ...(control.include.has('ServiceRequest:performer')
          ? (sr.performer ?? []).map((p) => p.reference)
          : []),
        ...(control.include.has('ServiceRequest:subject') || control.include.has('ServiceRequest:patient')
          ? [sr.subject.reference]
          : []),
        ...(control.include.has('ServiceRequest:encounter') ? [sr.encounter?.reference] : []),
        ...(control.include.has('ServiceRequest:supporting-info')
          ? (sr.supportingInfo ?? []).map((s) => s.reference)
          : []),
      ]);
      const included = await readReferences(app, caller, refs);
      return reply.type(FHIR_JSON).send(searchPage(request, 'ServiceRequest', control, page, included));
    },
  );
}
