import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, STAFF_PASSWORD, type TestApi, testApi } from '../../test/api';
import { freshStore } from '../../test/engines';
import { finishedTriage, type PostJson, routeTo, startTriage } from '../../test/triage';
import {
  type Actor,
  decide,
  type OrganisationTree,
  type Permission,
  type RecordRef,
  type Role,
  scopeOf,
} from '../domain/auth/index';
import type { Store } from '../store/db';
import type { RouteAccess } from './context';

/**
 * The route table against the policy: every /api and /fhir route, as every role, on a record of the
 * user's own organisation and on another's. What the policy allows must not be refused (401, 403, 404);
 * what it refuses must be (403, or 404 for another provider's patient record) and leave a 'denied' row
 * on the audit trail. A route added without an entry here fails the first test.
 *
 * The policy is the same on both engines, so this walk runs on PGlite only.
 */

type Headers = { authorization: string };

/** Which of the two fixtures a request names: ours (A) or another organisation's (B). */
type Side = 'A' | 'B';

/** What a request's record is, for the policy: a patient record, a service, an area, or a list. */
type Target =
  | { readonly kind: 'list' }
  | { readonly kind: 'area-filter'; readonly areaCode: string }
  | { readonly kind: 'record'; readonly ref: RecordRef };

interface Probe {
  readonly target: Target;
  readonly request: InjectOptions;
}

/** One side's records, made through the API as its own staff would make them. */
interface Fixture {
  readonly provider: string;
  readonly area: string;
  readonly callId: string;
  readonly callArea: string | null;
  readonly caseId: string;
  readonly caseArea: string;
  readonly callbackCaseId: string;
  readonly openSession: string;
  readonly finishedSession: string;
  readonly messageId: number;
  readonly serviceId: string;
  readonly serviceRef: RecordRef;
  /** A case in the review queue, an incident about the dispatched case and one of its actions. */
  readonly reviewId: number;
  readonly incidentId: number;
  readonly actionId: number;
}

const patient = {
  name: 'Pat Example',
  birthDate: '1950-02-03',
  sex: 'female',
  postcode: 'LU1 3JU',
  gpPracticeCode: 'Y5GC1',
  phone: '01582 000000',
};

const serviceBody = (id: string, areaCode: string, organisationCode: string) => ({
  id,
  name: `Access test walk-in ${id}`,
  typeId: 40,
  status: 'active',
  organisationCode,
  odsCode: null,
  latitude: areaCode === '5ND' ? 54.77 : 51.8801,
  longitude: areaCode === '5ND' ? -1.57 : -0.4201,
  address: '1 High Street',
  postcode: areaCode === '5ND' ? 'DH1 1AA' : 'LU1 2AA',
  publicPhone: '01000 000000',
  professionalPhone: null,
  publicReferralInstructions: 'Walk in.',
  professionalReferralInstructions: 'Phone ahead.',
  openingTimes: { alwaysOpen: true, weekly: {}, bankHolidays: [], specifiedDates: [] },
  ageMinDays: 0,
  ageMaxDays: 45656,
  sexes: ['female', 'male'],
  dispositions: ['Dx05', 'Dx06'],
  symptoms: [],
  referralRoles: ['health_adviser', 'clinician'],
  areaCode,
  limited: false,
  endpoints: [{ kind: 'phone', address: '01000 000000', order: 1 }],
});

const plan = {
  status: 'planned',
  operatingModel: 'partnership',
  providerCodes: ['NHSD', 'RYC', 'OOH-Q35'],
  procurementDate: null,
  goLiveDate: null,
};

const provider = (f: Fixture): RecordRef => ({ providerCode: f.provider });
const record = (ref: RecordRef): Target => ({ kind: 'record', ref });
const list: Target = { kind: 'list' };

/** What a probe may use to make the record it names: a fresh id, and the administrator's hands. */
interface ProbeTools {
  fresh(): string;
  /** Makes a service like the fixture's (same area and owner) and returns its id. */
  serviceLike(f: Fixture): Promise<string>;
  /** Makes a user no one else signs in as, for the routes that disable one or reset a password. */
  throwawayUser(): Promise<string>;
}

/** How to reach each route, for a fixture: the route table's entries, kept beside the routes' keys. */
/** The SHAs of the fixtures' areas (Bedfordshire, Luton, County Durham). */
const REGION_OF: Record<string, string> = { '5P2': 'Q35', '5GC': 'Q35', '5ND': 'Q30' };

const PROBES: Record<string, (f: Fixture, tools: ProbeTools) => Probe | Promise<Probe>> = {
  'POST /api/auth/logout': () => ({ target: list, request: { method: 'POST', url: '/api/auth/logout' } }),
  'GET /api/auth/me': () => ({ target: list, request: { url: '/api/auth/me' } }),
  // With no area, the call joins the offerer's own provider's queue: whoever may offer at all may.
  'POST /api/calls': () => ({
    target: list,
    request: { method: 'POST', url: '/api/calls', payload: {} },
  }),
  'POST /api/calls/:id/events': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.callArea }),
    request: { method: 'POST', url: `/api/calls/${f.callId}/events`, payload: { kind: 'ended' } },
  }),
  'GET /api/calls': () => ({ target: list, request: { url: '/api/calls' } }),
  'POST /api/calls/answer-next': () => ({
    target: list,
    request: { method: 'POST', url: '/api/calls/answer-next' },
  }),
  // With no location, the switch's call joins its own provider's queue; the switch may report any.
  'POST /api/telephony/events': (_f, { fresh }) => ({
    target: list,
    request: {
      method: 'POST',
      url: '/api/telephony/events',
      payload: {
        type: 'offered',
        callRef: fresh(),
        at: new Date().toISOString(),
        callerNumber: '01582 000000',
      },
    },
  }),
  'GET /api/queue': () => ({ target: list, request: { url: '/api/queue' } }),
  'GET /api/queue/stream': () => ({ target: list, request: { url: '/api/queue/stream?once=true' } }),
  'GET /api/calls/:id/repeat': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.callArea }),
    request: { url: `/api/calls/${f.callId}/repeat` },
  }),
  'GET /api/calls/:id/events': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.callArea }),
    request: { url: `/api/calls/${f.callId}/events` },
  }),
  'POST /api/cases': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.callArea }),
    request: { method: 'POST', url: '/api/cases', payload: { callId: f.callId, patient } },
  }),
  'GET /api/cases': () => ({ target: list, request: { url: '/api/cases' } }),
  'GET /api/cases/:id': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/api/cases/${f.caseId}` },
  }),
  'POST /api/cases/:id/triage': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: {
      method: 'POST',
      url: `/api/cases/${f.caseId}/triage`,
      payload: { triageSessionId: f.finishedSession, dispositionCode: 'Dx0116' },
    },
  }),
  'POST /api/cases/:id/outcome': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { method: 'POST', url: `/api/cases/${f.caseId}/outcome`, payload: {} },
  }),
  'POST /api/cases/:id/callback/start': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { method: 'POST', url: `/api/cases/${f.callbackCaseId}/callback/start` },
  }),
  'POST /api/cases/:id/callback/complete': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: {
      method: 'POST',
      url: `/api/cases/${f.callbackCaseId}/callback/complete`,
      payload: { notes: 'Called back.' },
    },
  }),
  'POST /api/cases/:id/close': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { method: 'POST', url: `/api/cases/${f.caseId}/close` },
  }),
  'GET /api/cases/:id/replay': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/api/cases/${f.caseId}/replay` },
  }),
  'GET /api/clinical-queue': () => ({ target: list, request: { url: '/api/clinical-queue' } }),
  'GET /api/demo/switch': () => ({ target: list, request: { url: '/api/demo/switch' } }),
  // The test API serves in demo mode; pausing is what a probe may safely do.
  'PUT /api/demo/switch': () => ({
    target: list,
    request: { method: 'PUT', url: '/api/demo/switch', payload: { running: false } },
  }),
  'GET /api/dispositions': () => ({ target: list, request: { url: '/api/dispositions' } }),
  'GET /api/validation-queue': () => ({ target: list, request: { url: '/api/validation-queue' } }),
  'GET /api/referral-alerts': () => ({ target: list, request: { url: '/api/referral-alerts' } }),
  // The fixture's case is dispatched, not waiting: an allowed clinician gets 409, anyone else a refusal.
  'POST /api/cases/:id/validate': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: {
      method: 'POST',
      url: `/api/cases/${f.caseId}/validate`,
      payload: { result: 'confirmed', dispositionCode: 'Dx0116', notes: '' },
    },
  }),
  // A case with no referral belongs to no receiving service: only a reach of "any" gets past (to a 409).
  // The receiving service's own referrals are tested in cases-validation.int.test.ts.
  'POST /api/referrals/:id/acknowledge': (f) => ({
    target: record({ providerCode: null, areaCode: null }),
    request: { method: 'POST', url: `/api/referrals/${f.caseId}/acknowledge` },
  }),
  'POST /api/referrals/:id/outcome': (f) => ({
    target: record({ providerCode: null, areaCode: null }),
    request: { method: 'POST', url: `/api/referrals/${f.caseId}/outcome`, payload: { outcome: 'seen' } },
  }),
  'GET /fhir/R4/Encounter/:id': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/fhir/R4/Encounter/${f.caseId}` },
  }),
  'GET /fhir/R4/ServiceRequest/:id': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/fhir/R4/ServiceRequest/${f.caseId}-dispatch` },
  }),
  'GET /fhir/R4/Task/:id': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/fhir/R4/Task/${f.callbackCaseId}-callback` },
  }),
  'GET /fhir/R4/Communication/:id': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/fhir/R4/Communication/${f.caseId}-post-event` },
  }),
  'GET /fhir/R4/Patient/:id': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/fhir/R4/Patient/${f.caseId}-patient` },
  }),
  // A search: another provider's case is left out of it (200, no match), a role without case.read refused.
  'GET /fhir/R4/ServiceRequest': (f) => ({
    target: list,
    request: { url: `/fhir/R4/ServiceRequest?_id=${f.caseId}-referral&_include=ServiceRequest:subject` },
  }),
  'POST /api/directory/import': () => ({
    target: list,
    request: { method: 'POST', url: '/api/directory/import', payload: [] },
  }),
  'GET /openreferral/': () => ({ target: list, request: { url: '/openreferral/' } }),
  'GET /openreferral/services': () => ({
    target: list,
    request: { url: '/openreferral/services?per_page=2' },
  }),
  'GET /openreferral/services/:id': (f) => ({
    target: record(f.serviceRef),
    request: { url: `/openreferral/services/${f.serviceId}` },
  }),
  // The rest of the Open Referral API is public too (the walk checks only that each route is known).
  'GET /openreferral/service_at_locations': () => ({
    target: list,
    request: { url: '/openreferral/service_at_locations?per_page=2' },
  }),
  'GET /openreferral/service_at_locations/:id': () => ({
    target: list,
    request: { url: '/openreferral/service_at_locations/00000000-0000-4000-8000-000000000000' },
  }),
  'GET /openreferral/organizations': () => ({
    target: list,
    request: { url: '/openreferral/organizations' },
  }),
  'GET /openreferral/organizations/:id': (f) => ({
    target: list,
    request: { url: `/openreferral/organizations/${f.provider}` },
  }),
  'GET /openreferral/taxonomies': () => ({ target: list, request: { url: '/openreferral/taxonomies' } }),
  'GET /openreferral/taxonomy_terms': () => ({
    target: list,
    request: { url: '/openreferral/taxonomy_terms' },
  }),
  'GET /api/messages': () => ({ target: list, request: { url: '/api/messages' } }),
  'GET /api/messages/:id': (f) => ({
    target: record(provider(f)),
    request: { url: `/api/messages/${f.messageId}` },
  }),
  'GET /api/demo-receivers': () => ({ target: list, request: { url: '/api/demo-receivers' } }),
  'PUT /api/demo-receivers/:kind': () => ({
    target: list,
    request: { method: 'PUT', url: '/api/demo-receivers/referral', payload: { mode: 'normal' } },
  }),
  'POST /api/messages/:id/retry': (f) => ({
    target: record(provider(f)),
    request: { method: 'POST', url: `/api/messages/${f.messageId}/retry` },
  }),
  // Pathway change control is national content (reach any): steps on the shipped first release of a
  // pathway are refused as conflicts (409) for whoever may take them, so the walk changes nothing.
  'GET /api/governance/pathway-versions': () => ({
    target: list,
    request: { url: '/api/governance/pathway-versions?status=in_review' },
  }),
  'GET /api/governance/pathway-versions/:pathwayId/:version': () => ({
    target: list,
    request: { url: '/api/governance/pathway-versions/rash/1' },
  }),
  'GET /api/governance/pathway-versions/:pathwayId/:version/yaml': () => ({
    target: list,
    request: { url: '/api/governance/pathway-versions/rash/1/yaml' },
  }),
  'POST /api/governance/pathway-versions': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/api/governance/pathway-versions',
      payload: { yaml: 'id: access-probe\n', summary: 'probe (not a valid pathway)' },
    },
  }),
  'POST /api/governance/pathway-versions/:pathwayId/:version/review': () => ({
    target: list,
    request: { method: 'POST', url: '/api/governance/pathway-versions/rash/1/review' },
  }),
  'POST /api/governance/pathway-versions/:pathwayId/:version/approve': () => ({
    target: list,
    request: { method: 'POST', url: '/api/governance/pathway-versions/rash/1/approve', payload: {} },
  }),
  'POST /api/governance/pathway-versions/:pathwayId/:version/return': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/api/governance/pathway-versions/rash/1/return',
      payload: { note: 'probe' },
    },
  }),
  'POST /api/governance/pathway-versions/:pathwayId/:version/release': () => ({
    target: list,
    request: { method: 'POST', url: '/api/governance/pathway-versions/rash/1/release', payload: {} },
  }),
  'POST /api/governance/pathways/:pathwayId/rollback': () => ({
    target: list,
    request: { method: 'POST', url: '/api/governance/pathways/rash/rollback' },
  }),
  // Case review and incidents: the provider's own. Scoring a review twice, finishing an action twice and
  // closing an incident with open actions are conflicts (409), so the walk may repeat them.
  'GET /api/review/rules': (f) => ({
    target: record(provider(f)),
    request: { url: `/api/review/rules?provider=${f.provider}` },
  }),
  'PUT /api/review/rules/:rule': (f) => ({
    target: record(provider(f)),
    request: {
      method: 'PUT',
      url: '/api/review/rules/sample',
      payload: { enabled: true, provider: f.provider, params: { percent: 100, seed: 'access' } },
    },
  }),
  'POST /api/review/queue/fill': (f) => ({
    target: record(provider(f)),
    request: {
      method: 'POST',
      url: '/api/review/queue/fill',
      payload: { provider: f.provider, week: '2001-01-01' },
    },
  }),
  'GET /api/review/queue': () => ({ target: list, request: { url: '/api/review/queue' } }),
  'GET /api/review/mine': () => ({ target: list, request: { url: '/api/review/mine' } }),
  'GET /api/review/reviews/:id': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/api/review/reviews/${f.reviewId}` },
  }),
  'POST /api/review/reviews/:id/score': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: {
      method: 'POST',
      url: `/api/review/reviews/${f.reviewId}/score`,
      payload: { disposition: 'correct', safety: 'safe', communication: 5, findings: '', learning: '' },
    },
  }),
  'POST /api/incidents': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/api/incidents',
      payload: { about: 'pathway_version', subject: 'rash@1', title: 'Probe', description: 'Access probe.' },
    },
  }),
  'GET /api/incidents': () => ({ target: list, request: { url: '/api/incidents' } }),
  'GET /api/incidents/:id': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { url: `/api/incidents/${f.incidentId}` },
  }),
  'POST /api/incidents/:id/grade': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { method: 'POST', url: `/api/incidents/${f.incidentId}/grade`, payload: { grade: 'low' } },
  }),
  'POST /api/incidents/:id/actions': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: {
      method: 'POST',
      url: `/api/incidents/${f.incidentId}/actions`,
      payload: { description: 'Probe action', owner: 'Probe owner' },
    },
  }),
  'POST /api/incidents/:id/actions/:actionId': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: {
      method: 'POST',
      url: `/api/incidents/${f.incidentId}/actions/${f.actionId}`,
      payload: { status: 'done' },
    },
  }),
  'POST /api/incidents/:id/links': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: {
      method: 'POST',
      url: `/api/incidents/${f.incidentId}/links`,
      payload: { kind: 'pathway_version', ref: 'rash@1' },
    },
  }),
  'POST /api/incidents/:id/close': (f) => ({
    target: record({ providerCode: f.provider, areaCode: f.caseArea }),
    request: { method: 'POST', url: `/api/incidents/${f.incidentId}/close`, payload: { reason: 'Probe.' } },
  }),
  'GET /api/governance/reports/monthly': (f) => ({
    target: record(provider(f)),
    request: { url: `/api/governance/reports/monthly?month=2026-01&provider=${f.provider}` },
  }),
  'GET /api/triage/pathways': () => ({ target: list, request: { url: '/api/triage/pathways?q=rash' } }),
  'POST /api/triage/sessions': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/api/triage/sessions',
      payload: { pathwayId: 'sore-throat', patient: { ageYears: 30, sex: 'female' } },
    },
  }),
  'GET /api/triage/sessions/:id': (f) => ({
    target: record(provider(f)),
    request: { url: `/api/triage/sessions/${f.openSession}` },
  }),
  'POST /api/triage/sessions/:id/answers': (f) => ({
    target: record(provider(f)),
    request: {
      method: 'POST',
      url: `/api/triage/sessions/${f.openSession}/answers`,
      payload: { pathwayId: 'module-0', questionId: 'nope', value: 'no' },
    },
  }),
  'POST /api/triage/sessions/:id/back': (f) => ({
    target: record(provider(f)),
    request: { method: 'POST', url: `/api/triage/sessions/${f.openSession}/back`, payload: {} },
  }),
  'POST /api/triage/sessions/:id/finish': (f) => ({
    target: record(provider(f)),
    request: { method: 'POST', url: `/api/triage/sessions/${f.openSession}/finish` },
  }),
  'POST /api/triage/evidence': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/api/triage/evidence',
      payload: { age: 58, sex: 'male', complaint: 'crushing chest pain', present: ['chest_pain_crushing'] },
    },
  }),
  'GET /fhir/R4/Questionnaire': () => ({ target: list, request: { url: '/fhir/R4/Questionnaire' } }),
  'GET /fhir/R4/Questionnaire/:id': () => ({
    target: list,
    request: { url: '/fhir/R4/Questionnaire/sore-throat' },
  }),
  'POST /fhir/R4/Questionnaire/:id/$next-question': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/fhir/R4/Questionnaire/sore-throat/$next-question',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({ resourceType: 'QuestionnaireResponse', status: 'in-progress', item: [] }),
    },
  }),
  'POST /fhir/R4/QuestionnaireResponse/$validate': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/fhir/R4/QuestionnaireResponse/$validate',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({
        resourceType: 'QuestionnaireResponse',
        status: 'in-progress',
        questionnaire: 'https://open111.dev/fhir/Questionnaire/sore-throat',
      }),
    },
  }),
  'POST /fhir/R4/Questionnaire/$next-question': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/fhir/R4/Questionnaire/$next-question',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          {
            name: 'in',
            resource: {
              resourceType: 'QuestionnaireResponse',
              status: 'in-progress',
              questionnaire: 'https://open111.dev/fhir/Questionnaire/sore-throat',
            },
          },
        ],
      }),
    },
  }),
  'GET /fhir/R4/QuestionnaireResponse/:id': (f) => ({
    target: record(provider(f)),
    request: { url: `/fhir/R4/QuestionnaireResponse/${f.finishedSession}` },
  }),
  'POST /api/directory/search': () => ({
    target: list,
    request: {
      method: 'POST',
      url: '/api/directory/search',
      payload: { postcode: 'LU1 3JU', age: { value: 40, unit: 'years' }, sex: 'male', disposition: 'Dx05' },
    },
  }),
  'GET /api/directory/types': () => ({ target: list, request: { url: '/api/directory/types' } }),
  'GET /api/directory/services': () => ({
    target: list,
    request: { url: '/api/directory/services?limit=5' },
  }),
  'GET /api/directory/services/:id': (f) => ({
    target: record(f.serviceRef),
    request: { url: `/api/directory/services/${f.serviceId}` },
  }),
  'POST /api/directory/services': (f, { fresh }) => ({
    target: record(f.serviceRef),
    request: {
      method: 'POST',
      url: '/api/directory/services',
      payload: serviceBody(fresh(), f.serviceRef.areaCode ?? '', f.serviceRef.providerCode ?? ''),
    },
  }),
  'PUT /api/directory/services/:id': (f) => ({
    target: record(f.serviceRef),
    request: {
      method: 'PUT',
      url: `/api/directory/services/${f.serviceId}`,
      payload: {
        version: 999,
        service: serviceBody(f.serviceId, f.serviceRef.areaCode ?? '', f.serviceRef.providerCode ?? ''),
      },
    },
  }),
  // A delete takes a service made for it, so the fixture's own stays for the routes after.
  'DELETE /api/directory/services/:id': async (f, { serviceLike }) => ({
    target: record(f.serviceRef),
    request: { method: 'DELETE', url: `/api/directory/services/${await serviceLike(f)}` },
  }),
  'PUT /api/directory/services/:id/capacity': (f) => ({
    target: record(f.serviceRef),
    request: {
      method: 'PUT',
      url: `/api/directory/services/${f.serviceId}/capacity`,
      payload: { status: 'green' },
    },
  }),
  'PUT /api/directory/type-ranks/:area/:typeId': (f) => ({
    target: record({ areaCode: f.area }),
    request: { method: 'PUT', url: `/api/directory/type-ranks/${f.area}/40`, payload: { rank: null } },
  }),
  'GET /api/directory/gaps': (f) => ({
    target: { kind: 'area-filter', areaCode: f.area },
    request: { url: `/api/directory/gaps?area=${f.area}` },
  }),
  'GET /fhir/R4/HealthcareService/:id': (f) => ({
    target: record(f.serviceRef),
    request: { url: `/fhir/R4/HealthcareService/${f.serviceId}` },
  }),
  'GET /fhir/R4/Location/:id': (f) => ({
    target: record(f.serviceRef),
    request: { url: `/fhir/R4/Location/${f.serviceId}` },
  }),
  'GET /fhir/R4/HealthcareService': () => ({
    target: list,
    request: { url: '/fhir/R4/HealthcareService?_count=2' },
  }),
  'GET /fhir/R4/Location': () => ({ target: list, request: { url: '/fhir/R4/Location?_count=2' } }),
  'GET /fhir/R4/Organization/:id': () => ({ target: list, request: { url: '/fhir/R4/Organization/Q35' } }),
  'GET /fhir/R4/Organization': () => ({ target: list, request: { url: '/fhir/R4/Organization?_id=Q35' } }),
  'GET /api/geography/postcodes/:postcode': () => ({
    target: list,
    request: { url: '/api/geography/postcodes/LU13JU' },
  }),
  'GET /api/geography/regions': () => ({ target: list, request: { url: '/api/geography/regions' } }),
  'GET /api/geography/areas': () => ({ target: list, request: { url: '/api/geography/areas' } }),
  'GET /api/geography/areas/:code': (f) => ({
    target: list,
    request: { url: `/api/geography/areas/${f.area}` },
  }),
  'GET /api/geography/districts': () => ({
    target: list,
    request: { url: '/api/geography/districts?area=5GC' },
  }),
  'GET /api/reports/kpis': (f) => ({
    target: { kind: 'area-filter', areaCode: f.area },
    request: { url: `/api/reports/kpis?area=${f.area}` },
  }),
  'GET /api/reports/areas': () => ({ target: list, request: { url: '/api/reports/areas' } }),
  'GET /api/reports/capacity': (f) => ({
    target: { kind: 'area-filter', areaCode: f.area },
    request: { url: `/api/reports/capacity?area=${f.area}&day=weekday` },
  }),
  'GET /api/reports/monthly': (f) => ({
    target: { kind: 'area-filter', areaCode: f.area },
    request: { url: `/api/reports/monthly?month=2011-01&area=${f.area}` },
  }),
  'GET /api/reports/monthly.csv': (f) => ({
    target: { kind: 'area-filter', areaCode: f.area },
    request: { url: `/api/reports/monthly.csv?month=2011-01&area=${f.area}` },
  }),
  // The evaluation is of an area, not of a provider's calls: provider staff are refused.
  'GET /api/reports/pilot-evaluation': (f) => ({
    target: record({ areaCode: f.area, providerCode: null }),
    request: { url: `/api/reports/pilot-evaluation?area=${f.area}` },
  }),
  'GET /api/reports/pilot-evaluation.csv': (f) => ({
    target: record({ areaCode: f.area, providerCode: null }),
    request: { url: `/api/reports/pilot-evaluation.csv?area=${f.area}` },
  }),
  // An SHA's submission is checked on its areas: any of them gives the region's answer.
  'GET /api/rollout/submissions/:region': (f) => ({
    target: record({ areaCode: f.area }),
    request: { url: `/api/rollout/submissions/${REGION_OF[f.area]}` },
  }),
  'POST /api/rollout/submissions/:region/send': (f) => ({
    target: record({ areaCode: f.area }),
    request: { method: 'POST', url: `/api/rollout/submissions/${REGION_OF[f.area]}/send` },
  }),
  'GET /api/reports/scenarios': () => ({ target: list, request: { url: '/api/reports/scenarios' } }),
  'GET /api/reports/scenarios/:id/run': () => ({
    target: list,
    request: { url: '/api/reports/scenarios/boxing-day/run?days=1' },
  }),
  'GET /api/rollout/config': () => ({ target: list, request: { url: '/api/rollout/config' } }),
  'GET /api/rollout/plans': () => ({ target: list, request: { url: '/api/rollout/plans' } }),
  'GET /api/rollout/plans/:area': (f) => ({
    target: record({ areaCode: f.area }),
    request: { url: `/api/rollout/plans/${f.area}` },
  }),
  'PUT /api/rollout/plans/:area': (f) => ({
    target: record({ areaCode: f.area }),
    request: {
      method: 'PUT',
      url: `/api/rollout/plans/${f.area}`,
      payload: plan,
      headers: { 'if-match': '"999"' },
    },
  }),
  'DELETE /api/rollout/plans/:area': (f) => ({
    target: record({ areaCode: f.area }),
    request: { method: 'DELETE', url: `/api/rollout/plans/${f.area}`, headers: { 'if-match': '"999"' } },
  }),
  'POST /api/rollout/plans/:area/submit': (f) => ({
    target: record({ areaCode: f.area }),
    request: { method: 'POST', url: `/api/rollout/plans/${f.area}/submit`, headers: { 'if-match': '"999"' } },
  }),
  'POST /api/rollout/plans/:area/approve': (f) => ({
    target: record({ areaCode: f.area }),
    request: {
      method: 'POST',
      url: `/api/rollout/plans/${f.area}/approve`,
      headers: { 'if-match': '"999"' },
    },
  }),
  'POST /api/rollout/plans/:area/withdraw': (f) => ({
    target: record({ areaCode: f.area }),
    request: {
      method: 'POST',
      url: `/api/rollout/plans/${f.area}/withdraw`,
      headers: { 'if-match': '"999"' },
    },
  }),
  'GET /api/rollout/plans/:area/history': (f) => ({
    target: record({ areaCode: f.area }),
    request: { url: `/api/rollout/plans/${f.area}/history` },
  }),
  'POST /api/rollout/deadline/apply': () => ({
    target: record({}),
    request: { method: 'POST', url: '/api/rollout/deadline/apply' },
  }),
  'GET /api/rollout/coverage': () => ({ target: list, request: { url: '/api/rollout/coverage' } }),
  'GET /api/rollout/coverage/timeline': () => ({
    target: list,
    request: { url: '/api/rollout/coverage/timeline' },
  }),
  'GET /api/rollout/export.csv': () => ({ target: list, request: { url: '/api/rollout/export.csv' } }),
  'GET /api/routing': (f) => ({ target: list, request: { url: `/api/routing?area=${f.area}` } }),
  'GET /api/admin/users': () => ({ target: list, request: { url: '/api/admin/users' } }),
  'POST /api/admin/users': (_f, { fresh }) => ({
    target: record({}),
    request: {
      method: 'POST',
      url: '/api/admin/users',
      payload: {
        username: fresh().toLowerCase(),
        displayName: 'Access Probe',
        role: 'health_adviser',
        organisation: 'NHSD',
        password: 'a long enough password',
      },
    },
  }),
  'POST /api/admin/users/:username/disable': async (_f, { throwawayUser }) => ({
    target: record({}),
    request: { method: 'POST', url: `/api/admin/users/${await throwawayUser()}/disable` },
  }),
  'POST /api/admin/users/:username/password': async (_f, { throwawayUser }) => ({
    target: record({}),
    request: {
      method: 'POST',
      url: `/api/admin/users/${await throwawayUser()}/password`,
      payload: { password: 'another long password' },
    },
  }),
  'GET /api/admin/organisations': () => ({ target: list, request: { url: '/api/admin/organisations' } }),
  'POST /api/admin/organisations': (_f, { fresh }) => ({
    target: record({}),
    request: {
      method: 'POST',
      url: '/api/admin/organisations',
      payload: { code: fresh(), name: 'Access probe provider', kind: 'provider' },
    },
  }),
};

/** Everyone the walk signs in as: each role at its own organisation, provider roles at two providers. */
const STAFF: readonly { username: string; role: Role; organisation: string; demo?: boolean }[] = [
  { username: 'adviser', role: 'health_adviser', organisation: 'NHSD', demo: true },
  { username: 'clinician', role: 'clinician', organisation: 'NHSD', demo: true },
  { username: 'governance', role: 'governance', organisation: 'NHSD', demo: true },
  { username: 'author', role: 'clinical_author', organisation: 'NHSD', demo: true },
  { username: 'reviewer', role: 'reviewer', organisation: 'NHSD', demo: true },
  { username: 'ryc-reviewer', role: 'reviewer', organisation: 'RYC' },
  { username: 'nhsd-admin', role: 'provider_admin', organisation: 'NHSD' },
  { username: 'provider', role: 'provider_admin', organisation: '5GC-ACUTE', demo: true },
  { username: 'ryc-adviser', role: 'health_adviser', organisation: 'RYC' },
  { username: 'ryc-clinician', role: 'clinician', organisation: 'RYC' },
  { username: 'ryc-governance', role: 'governance', organisation: 'RYC' },
  { username: 'ryc-admin', role: 'provider_admin', organisation: 'RYC' },
  { username: 'commissioner', role: 'commissioner', organisation: 'Q35', demo: true },
  { username: 'ccg', role: 'commissioner', organisation: '06F', demo: true },
  { username: 'national', role: 'commissioner', organisation: 'DH', demo: true },
  { username: 'doslead', role: 'dos_lead', organisation: 'Q35', demo: true },
  { username: 'ne-doslead', role: 'dos_lead', organisation: 'Q30' },
  { username: 'admin', role: 'system_admin', organisation: 'DH', demo: true },
  { username: 'nhsd-sysadmin', role: 'system_admin', organisation: 'NHSD' },
  { username: 'switch', role: 'telephony', organisation: 'NHSD', demo: true },
  { username: 'receiving', role: 'receiving_service', organisation: '5GC-ACUTE', demo: true },
];

const routeKey = (method: string, url: string) => `${method} ${url}`;

function expectedAllowed(actor: Actor, access: RouteAccess, target: Target, tree: OrganisationTree): boolean {
  if (access === 'public' || access === 'signed-in') return true;
  const permission: Permission = access;
  if (target.kind === 'record') return decide(actor, permission, target.ref, tree).allowed;
  const scope = scopeOf(actor, permission, tree);
  if (!('kind' in scope)) return false;
  if (target.kind === 'list' || scope.kind !== 'areas') return true;
  return scope.areaCodes.has(target.areaCode);
}

describe('every route × every role × own organisation and another’s, against the policy', () => {
  let store: Store;
  let api: TestApi;
  let tree: OrganisationTree;
  const tokens = new Map<string, Headers>();
  const actors = new Map<string, Actor>();
  const fixtures = new Map<Side, Fixture>();
  let serial = 0;
  let adminHeaders: Headers = { authorization: '' };
  const fresh = () => `PROBE-${++serial}`;
  const tools: ProbeTools = {
    fresh,
    async serviceLike(f) {
      const id = fresh();
      const body = serviceBody(id, f.serviceRef.areaCode ?? '', f.serviceRef.providerCode ?? '');
      const made = await as('admin', { method: 'POST', url: '/api/directory/services', payload: body });
      if (made.statusCode !== 201) throw new Error(`service ${id}: ${made.statusCode} ${made.body}`);
      return id;
    },
    async throwawayUser() {
      const username = fresh().toLowerCase();
      await createStaff(api, adminHeaders, { username, role: 'health_adviser', organisation: 'NHSD' });
      return username;
    },
  };

  const as = async (username: string, request: InjectOptions) => {
    const headers = tokens.get(username);
    if (!headers) throw new Error(`${username} is not signed in`);
    return api.app.inject({ ...request, headers: { ...request.headers, ...headers } });
  };
  const postJson =
    (username: string): PostJson =>
    async (url, body) => {
      const res = await as(username, { method: 'POST', url, payload: body });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };

  async function fixture(
    adviser: string,
    clinician: string,
    lead: string,
    providerCode: string,
    area: string,
    service: { id: string; ref: RecordRef },
  ): Promise<Fixture> {
    const post = postJson(adviser);
    const answeredCall = async () => {
      const call = (await post('/api/calls', {})) as { id: string; areaCode: string | null };
      await post(`/api/calls/${call.id}/events`, { kind: 'answered' });
      return call;
    };
    const triaged = async (dispositionCode: string) => {
      const call = await answeredCall();
      const opened = (await post('/api/cases', { callId: call.id, patient })) as {
        id: string;
        areaCode: string;
      };
      const session = await finishedTriage(post, dispositionCode);
      await post(`/api/cases/${opened.id}/triage`, { triageSessionId: session, dispositionCode });
      await post(`/api/cases/${opened.id}/outcome`, {});
      return { caseId: opened.id, caseArea: opened.areaCode, session };
    };
    const dispatched = await triaged('Dx0116');
    const callback = await triaged('Dx11');
    const call = await answeredCall();
    const openSession = await startTriage(postJson(clinician), routeTo('Dx39'), 1);
    const messages = await as('admin', { url: `/api/messages?subject=${dispatched.caseId}` });
    const messageId = messages.json<{ messages: { id: number }[] }>().messages[0]?.id;
    if (messageId === undefined) throw new Error('the dispatch left no message');
    // The lead samples every case of this week into the review queue; an incident about the dispatch.
    const leadPost = postJson(lead);
    await as(lead, {
      method: 'PUT',
      url: '/api/review/rules/sample',
      payload: { enabled: true, params: { percent: 100, seed: 'access' } },
    });
    await leadPost('/api/review/queue/fill', {});
    const queue = await as(lead, { url: '/api/review/queue' });
    const reviewId = queue
      .json<{ id: number; caseId: string }[]>()
      .find((r) => r.caseId === dispatched.caseId)?.id;
    if (reviewId === undefined)
      throw new Error(`the dispatched case was not queued for review: ${queue.body}`);
    const incident = (await post('/api/incidents', {
      about: 'case',
      subject: dispatched.caseId,
      title: 'Access fixture',
      description: 'An incident for the access walk.',
    })) as { id: number };
    const withAction = (await leadPost(`/api/incidents/${incident.id}/actions`, {
      description: 'Fixture action',
      owner: 'Fixture owner',
    })) as { actions: { id: number }[] };
    const actionId = withAction.actions[0]?.id;
    if (actionId === undefined) throw new Error('the incident has no action');
    return {
      provider: providerCode,
      area,
      callId: call.id,
      callArea: call.areaCode,
      caseId: dispatched.caseId,
      caseArea: dispatched.caseArea,
      callbackCaseId: callback.caseId,
      openSession,
      finishedSession: dispatched.session,
      messageId,
      serviceId: service.id,
      serviceRef: service.ref,
      reviewId,
      incidentId: incident.id,
      actionId,
    };
  }

  beforeAll(async () => {
    store = await freshStore('pglite');
    api = await testApi(store);
    tree = await api.app.ctx.organisations();
    adminHeaders = await api.login('admin');
    tokens.set('admin', adminHeaders);
    for (const s of STAFF) {
      const headers = s.demo
        ? await api.login(s.username)
        : await createStaff(api, adminHeaders, {
            username: s.username,
            role: s.role,
            organisation: s.organisation,
          });
      tokens.set(s.username, headers);
      actors.set(s.username, {
        userId: 0,
        username: s.username,
        displayName: s.username,
        role: s.role,
        organisationCode: s.organisation,
      });
    }
    // A plan for our area (Bedfordshire has none in the demo), so the plan routes have one to act on.
    const bedfordPlan = await as('commissioner', {
      method: 'PUT',
      url: '/api/rollout/plans/5P2',
      payload: plan,
    });
    expect(bedfordPlan.statusCode, bedfordPlan.body).toBeLessThan(300);
    // Another SHA's service, owned by the other provider.
    const north = await as('admin', {
      method: 'POST',
      url: '/api/directory/services',
      payload: serviceBody('ACCESS-B', '5ND', 'RYC'),
    });
    expect(north.statusCode, north.body).toBe(201);
    fixtures.set(
      'A',
      await fixture('adviser', 'clinician', 'governance', 'NHSD', '5P2', {
        id: '5GC-105-1',
        ref: { providerCode: '5GC-ACUTE', areaCode: '5GC' },
      }),
    );
    fixtures.set(
      'B',
      await fixture('ryc-adviser', 'ryc-clinician', 'ryc-governance', 'RYC', '5ND', {
        id: 'ACCESS-B',
        ref: { providerCode: 'RYC', areaCode: '5ND' },
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await api?.app.close();
    await store?.close();
  });

  it('knows every route, and every route declares its access', () => {
    const unknown = api.app.routeTable
      .filter((r) => r.access !== 'public')
      .map((r) => routeKey(r.method, r.url))
      .filter((k) => !(k in PROBES));
    expect(unknown, 'routes with no entry in PROBES: add one for each').toEqual([]);
    const gone = Object.keys(PROBES).filter(
      (k) => !api.app.routeTable.some((r) => routeKey(r.method, r.url) === k),
    );
    expect(gone, 'entries for routes that no longer exist').toEqual([]);
  });

  it('allows exactly what the policy allows, and audits every refusal', async () => {
    const wrong: string[] = [];
    let refusals = 0;
    for (const route of api.app.routeTable) {
      const probeOf = PROBES[routeKey(route.method, route.url)];
      if (!probeOf || route.access === 'public') continue;
      for (const side of ['A', 'B'] as const) {
        const f = fixtures.get(side);
        if (!f) throw new Error('fixture missing');
        for (const s of STAFF) {
          const actor = actors.get(s.username);
          if (!actor) throw new Error('actor missing');
          // Signing out ends the session the walk goes on with: sign in afresh for that one request.
          if (route.url === '/api/auth/logout')
            tokens.set(s.username, await api.login(s.username, s.demo ? 'demo' : STAFF_PASSWORD));
          const probe = await probeOf(f, tools);
          const requestId = `access-${fresh()}`;
          const res = await as(s.username, {
            ...probe.request,
            headers: { ...probe.request.headers, 'x-request-id': requestId },
          });
          if (route.url === '/api/auth/logout')
            tokens.set(s.username, await api.login(s.username, s.demo ? 'demo' : STAFF_PASSWORD));
          const allowed = expectedAllowed(actor, route.access, probe.target, tree);
          const label = `${route.method} ${route.url} as ${s.username} (${s.role} at ${s.organisation}) on ${side}: ${res.statusCode}`;
          if (res.statusCode >= 500) wrong.push(`${label} — a server error: ${res.body.slice(0, 200)}`);
          else if (allowed && [401, 403, 404].includes(res.statusCode))
            wrong.push(`${label}, but the policy allows it: ${res.body.slice(0, 200)}`);
          else if (!allowed && ![403, 404].includes(res.statusCode))
            wrong.push(`${label}, but the policy refuses it`);
          else if (!allowed) {
            refusals++;
            const audited = await store.db
              .selectFrom('audit_log')
              .select('id')
              .where('request_id', '=', requestId)
              .where('action', '=', 'denied')
              .executeTakeFirst();
            if (!audited) wrong.push(`${label}: refused, but no 'denied' row on the audit trail`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(refusals).toBeGreaterThan(100);
  }, 600_000);
});
