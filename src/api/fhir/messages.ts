import type {
  Bundle,
  BundleEntry,
  CarePlan,
  Encounter,
  MessageHeader,
  Patient,
  QuestionnaireResponse,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import type { Case } from '../../domain/cases/index';
import type { Disposition } from '../../domain/dispositions/index';
import type { WireMessage } from '../../domain/messaging/index';
import { BARS_EVENT_SYSTEM, BARS_REQUEST_EVENT, type BundleSource, requestIdOf } from '../../messaging/bars';
import { readCase } from '../../services/cases';
import type { ServiceContext } from '../../services/context';
import { readTriage, triageContentInForce } from '../../services/triage';
import { systemCaller } from '../../services/use-case';
import { DOS_ID_SYSTEM } from '../directory-fhir';
import { caseEncounter, casePatient, caseServiceRequest } from './cases';
import { ODS_SYSTEM } from './resources';
import { sessionResponse } from './triage';

/** BaRS names why a message is sent: `new` for a first request (an update or a cancellation otherwise). */
export const BARS_REASON_SYSTEM = 'https://fhir.nhs.uk/CodeSystem/message-reason-bars';

export interface BarsParts {
  readonly case: Case;
  readonly disposition: Disposition | undefined;
  /** `dispatch`: the ambulance request; `referral`: the referral to the chosen service. */
  readonly kind: 'dispatch' | 'referral';
  /** The outbox message's idempotency key: the message's X-Request-ID is drawn from it. */
  readonly idempotencyKey: string;
  /** When the request was made (the outbox message's time): the Bundle's timestamp, the same on every retry. */
  readonly at: string;
  /** The triage record, when the case has one. */
  readonly triage: QuestionnaireResponse | undefined;
  /** Where open111's FHIR resources live (`https://…/fhir/R4`): the entries' full URLs. */
  readonly fhirBase: string;
}

/**
 * A referral or an ambulance request as a BaRS message Bundle: the MessageHeader first (the event, who
 * sends it and to whom, its focus the ServiceRequest), then the ServiceRequest, the Patient, the
 * Encounter (the 111 case), the triage record as a QuestionnaireResponse, and the care advice given as a
 * CarePlan. Each entry's full URL is where open111 serves it, so the references inside resolve.
 */
export function barsBundle(p: BarsParts): Bundle {
  const c = p.case;
  const request = caseServiceRequest(c, p.kind, p.disposition, undefined);
  if (!request) throw new Error(`case ${c.id} has no ${p.kind} to send`);
  const requestId = requestIdOf(p.idempotencyKey);
  const patient: Patient = casePatient(c);
  const encounter: Encounter = caseEncounter(c, p.disposition);
  const carePlan: CarePlan | undefined = p.disposition?.careAdvice
    ? {
        resourceType: 'CarePlan',
        id: `${c.id}-care-advice`,
        status: 'active',
        intent: 'plan',
        title: 'Care advice given by 111',
        description: p.disposition.careAdvice,
        subject: { reference: `Patient/${patient.id}` },
        encounter: { reference: `Encounter/${encounter.id}` },
        created: p.at,
      }
    : undefined;
  const destination: NonNullable<MessageHeader['destination']>[number] =
    p.kind === 'dispatch' && c.dispatch
      ? {
          name: c.dispatch.trust.name,
          endpoint: `urn:open111:ambulance-trust:${c.dispatch.trust.code}`,
          receiver: {
            reference: `Organization/${c.dispatch.trust.code}`,
            identifier: { system: ODS_SYSTEM, value: c.dispatch.trust.code },
            display: c.dispatch.trust.name,
          },
        }
      : {
          name: c.referral?.name ?? 'Referral service',
          endpoint: c.referral?.endpoint || `urn:open111:dos:${c.referral?.id ?? 'unknown'}`,
          // The service chosen from the directory; the ServiceRequest's performer is its HealthcareService.
          receiver: {
            identifier: { system: DOS_ID_SYSTEM, value: c.referral?.id ?? 'unknown' },
            ...(c.referral?.name ? { display: c.referral.name } : {}),
          },
        };
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: requestId,
    eventCoding: { system: BARS_EVENT_SYSTEM, code: BARS_REQUEST_EVENT, display: 'Request for a service' },
    destination: [destination],
    sender: {
      reference: `Organization/${c.providerCode}`,
      identifier: { system: ODS_SYSTEM, value: c.providerCode },
    },
    source: { name: 'open111', software: 'open111', version: '0.1.0', endpoint: p.fhirBase },
    reason: { coding: [{ system: BARS_REASON_SYSTEM, code: 'new', display: 'New' }] },
    focus: [{ reference: `ServiceRequest/${request.id}` }],
  };
  const resources: Resource[] = [
    header,
    request satisfies ServiceRequest,
    patient,
    encounter,
    ...(p.triage ? [p.triage] : []),
    ...(carePlan ? [carePlan] : []),
  ];
  const entry: BundleEntry[] = resources.map((r) => ({
    fullUrl: `${p.fhirBase}/${r.resourceType}/${r.id ?? ''}`,
    resource: r,
  }));
  return {
    resourceType: 'Bundle',
    id: requestId,
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${requestId}` },
    type: 'message',
    timestamp: p.at,
    entry,
  };
}

/**
 * Draws the BaRS Bundle for an outbox message from the case it belongs to, as it is when sent, read
 * as the system (each read audited as "BaRS message"). The time is the one the message was made with.
 */
export function barsBundleSource(ctx: ServiceContext, fhirBase: string): BundleSource {
  return async (wire: WireMessage) => {
    const caseId = wire.body.subject;
    if (!caseId) throw new Error(`the ${wire.body.kind} message names no case`);
    const caller = systemCaller('BaRS message');
    const record = await readCase(ctx, caller, caseId, 'BaRS message');
    const c = record.case;
    const kind = wire.body.kind === 'ambulance_dispatch' ? 'dispatch' : 'referral';
    const payload = wire.body.payload;
    const at =
      (typeof payload.requestedAt === 'string' && payload.requestedAt) ||
      (typeof payload.referredAt === 'string' && payload.referredAt) ||
      (kind === 'dispatch' ? c.dispatch?.at.toISOString() : c.outcomeAt?.toISOString()) ||
      c.updatedAt.toISOString();
    const triage = c.triage
      ? sessionResponse(
          await triageContentInForce(ctx),
          await readTriage(ctx, caller, c.triage.triageSessionId),
        )
      : undefined;
    return barsBundle({
      case: c,
      disposition: record.disposition,
      kind,
      idempotencyKey: wire.body.idempotencyKey,
      at,
      triage,
      fhirBase,
    });
  };
}
