import type { Bundle, MessageHeader, OperationOutcome, ServiceRequest } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestApi, testApi } from '../../../test/api';
import { describeEachEngine } from '../../../test/engines';
import { validateFhir } from '../../../test/fhir-validate';
import { finishedTriage, type PostJson } from '../../../test/triage';
import { toWire } from '../../domain/messaging/index';
import {
  acknowledgement,
  BARS_EVENT_SYSTEM,
  barsAdapter,
  type ProcessMessageRequest,
  processMessageRequest,
  requestIdOf,
  type Transport,
} from '../../messaging/bars';
import { demoAdapters, demoProcessMessage } from '../../messaging/demo-receivers';
import { deliverDue } from '../../messaging/worker';
import { loadServices } from '../../store/directory';
import { listMessages } from '../../store/outbox';
import { barsBundleSource } from './messages';

type Headers = { authorization: string };
const BASE = 'https://111.example.nhs.uk/fhir/R4';

describeEachEngine('BaRS messages', (use) => {
  let api: TestApi;
  let adviser: Headers;
  const clock = new Date('2012-06-02T21:00:00Z');
  const patient = {
    name: 'Pat Example',
    birthDate: '1950-02-03',
    sex: 'female',
    postcode: 'LU1 3JU',
    gpPracticeCode: 'Y5GC1',
    phone: '01582 000000',
  };

  beforeAll(async () => {
    api = await testApi(use(), () => clock);
    adviser = await api.login('adviser');
  });
  afterAll(async () => api.app.close());

  const post = (url: string, payload: Record<string, unknown>) =>
    api.app.inject({ method: 'POST', url, headers: adviser, payload });
  const postJson: PostJson = async (url, body) => {
    const res = await post(url, body);
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  async function caseWithOutcome(dispositionCode: string, service?: string): Promise<string> {
    const call = (await post('/api/calls', { areaCode: '5GC', at: clock.toISOString() })).json<{
      id: string;
    }>();
    await post(`/api/calls/${call.id}/events`, { kind: 'answered', at: clock.toISOString() });
    const id = (await post('/api/cases', { callId: call.id, patient })).json<{ id: string }>().id;
    const triageSessionId = await finishedTriage(postJson, dispositionCode);
    expect((await post(`/api/cases/${id}/triage`, { triageSessionId, dispositionCode })).statusCode).toBe(
      200,
    );
    const res = await post(`/api/cases/${id}/outcome`, service ? { service: { id: service } } : {});
    expect(res.statusCode, res.body).toBe(200);
    return id;
  }

  /** The demo receiver, with every call it answers kept, so the test sees what went over the wire. */
  function recording(kind: string) {
    const calls: { request: ProcessMessageRequest; status: number; body: unknown }[] = [];
    const inner = demoProcessMessage(use().db, kind);
    const transport: Transport = async (request, signal) => {
      const response = await inner(request, signal);
      calls.push({ request, status: response.status, body: response.body });
      return response;
    };
    return { calls, transport };
  }

  const entryOf = (b: Bundle, type: string) => b.entry?.find((e) => e.resource?.resourceType === type);

  it('sends an ambulance request as a valid BaRS message Bundle, focus the ServiceRequest, with the triage record', async () => {
    const id = await caseWithOutcome('Dx0116');
    const source = barsBundleSource(api.app.ctx, BASE);
    const message = (await listMessages(use().db, { subject: id })).find(
      (m) => m.kind === 'ambulance_dispatch',
    );
    if (!message) throw new Error('no dispatch queued');
    const bundle = await source(toWire(message));
    await validateFhir(bundle);
    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      type: 'message',
      id: requestIdOf(`${id}/ambulance_dispatch`),
    });
    const header = bundle.entry?.[0]?.resource as MessageHeader;
    expect(header.resourceType).toBe('MessageHeader');
    expect(header.eventCoding).toMatchObject({ system: BARS_EVENT_SYSTEM, code: 'servicerequest-request' });
    expect(header.destination?.[0]?.receiver?.reference).toBe('Organization/RYC');
    expect(header.sender?.identifier?.value).toBeTruthy();
    const focus = header.focus?.[0]?.reference;
    expect(focus).toBe(`ServiceRequest/${id}-dispatch`);
    // Every reference between the entries resolves inside the Bundle.
    const urls = new Set(bundle.entry?.map((e) => e.fullUrl));
    expect(urls.has(`${BASE}/${focus}`)).toBe(true);
    const sr = entryOf(bundle, 'ServiceRequest')?.resource as ServiceRequest;
    for (const ref of [sr.subject?.reference, sr.encounter?.reference, sr.supportingInfo?.[0]?.reference])
      expect(urls.has(`${BASE}/${ref}`), ref).toBe(true);
    expect(sr.priority).toBe('stat');
    for (const type of ['Patient', 'Encounter', 'QuestionnaireResponse', 'CarePlan'])
      expect(entryOf(bundle, type), type).toBeDefined();
    // The same message drawn again (a retry) is the same message: same ids, same time.
    expect(await source(toWire(message))).toEqual(bundle);
  });

  it('sends a referral with $process-message; the receiver echoes both ids and refuses a repeat with 409 duplicate', async () => {
    const services = await loadServices(use().db);
    const utc = services.find((x) => x.status === 'active' && x.dispositions.includes('Dx03'));
    if (!utc) throw new Error('the demo directory has no service for this test');
    const id = await caseWithOutcome('Dx03', utc.id);
    const { calls, transport } = recording('referral');
    const source = barsBundleSource(api.app.ctx, BASE);
    const adapters = demoAdapters(use().db, { source });
    adapters.set(
      'referral',
      barsAdapter(source, transport, () => utc.id),
    );
    await deliverDue(use().db, adapters, () => clock);
    const sent = calls[0];
    if (!sent) throw new Error('nothing was sent');
    expect(sent.request.url).toBe(`${utc.id}/$process-message`);
    expect(sent.status).toBe(200);
    expect(sent.request.headers['X-Request-ID']).toBe(requestIdOf(`${id}/referral`));
    await validateFhir(sent.request.body);
    const header = sent.request.body.entry?.[0]?.resource as MessageHeader;
    expect(header.focus?.[0]?.reference).toBe(`ServiceRequest/${id}-referral`);
    expect(header.destination?.[0]?.receiver?.identifier?.value).toBe(utc.id);
    const sr = entryOf(sent.request.body, 'ServiceRequest')?.resource as ServiceRequest;
    expect(sr.performer?.[0]?.reference).toBe(`HealthcareService/${utc.id}`);
    const referral = (await listMessages(use().db, { subject: id })).find((m) => m.kind === 'referral');
    expect(referral?.status).toBe('delivered');

    // The same request again (a sender whose lease lapsed): 409 duplicate, which the sender takes as delivered.
    const again = await transport(sent.request, new AbortController().signal);
    expect(again.status).toBe(409);
    expect((again.body as OperationOutcome).issue?.[0]?.code).toBe('duplicate');
    expect(again.headers).toMatchObject({
      'X-Request-ID': sent.request.headers['X-Request-ID'],
      'X-Correlation-ID': sent.request.headers['X-Correlation-ID'],
    });
    expect(acknowledgement(sent.request, again)).toMatch(/already received/);
    const kept = await use()
      .db.selectFrom('received_message')
      .select(['kind', 'duplicates_refused'])
      .where('idempotency_key', '=', sent.request.headers['X-Request-ID'])
      .execute();
    expect(kept).toEqual([{ kind: 'referral', duplicates_refused: 1 }]);
  });

  it('searches a case’s ServiceRequest with its performer, patient, encounter and triage record included', async () => {
    const services = await loadServices(use().db);
    const utc = services.find((x) => x.status === 'active' && x.dispositions.includes('Dx03'));
    if (!utc) throw new Error('the demo directory has no service for this test');
    const id = await caseWithOutcome('Dx03', utc.id);
    const url =
      `/fhir/R4/ServiceRequest?_id=${id}-referral&_include=ServiceRequest:performer&_include=ServiceRequest:subject` +
      '&_include=ServiceRequest:encounter&_include=ServiceRequest:supporting-info';
    const res = await api.app.inject({ url, headers: adviser });
    expect(res.statusCode, res.body).toBe(200);
    const bundle = res.json<Bundle>();
    await validateFhir(bundle);
    const included = (bundle.entry ?? [])
      .filter((e) => e.search?.mode === 'include')
      .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    expect(included.sort()).toEqual(
      [
        `HealthcareService/${utc.id}`,
        `Patient/${id}-patient`,
        `Encounter/${id}`,
        expect.stringMatching(/^QuestionnaireResponse\//),
      ].sort(),
    );
    const byCase = await api.app.inject({
      url: `/fhir/R4/ServiceRequest?encounter=Encounter/${id}`,
      headers: adviser,
    });
    expect(byCase.json<Bundle>().total).toBe(1);
    expect((await api.app.inject({ url: '/fhir/R4/ServiceRequest', headers: adviser })).statusCode).toBe(400);
  });

  it('refuses a message without its ids or not a BaRS message (400), and a sender retries an answer that does not echo them', async () => {
    const receiver = demoProcessMessage(use().db, 'referral');
    const wire = toWire({
      kind: 'referral',
      destination: 'X',
      idempotencyKey: 'k-1',
      subject: 'CASE-x',
      payload: {},
    });
    const notMessage: Bundle = { resourceType: 'Bundle', type: 'collection' };
    const request = processMessageRequest(wire, notMessage, 'https://receiver.example/fhir');
    const signal = new AbortController().signal;
    const bad = await receiver(request, signal);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('REC_BAD_REQUEST');
    expect(() => acknowledgement(request, bad)).toThrow(/HTTP 400/);
    const noIds = await receiver({ ...request, headers: { ...request.headers, 'X-Request-ID': '' } }, signal);
    expect(noIds.status).toBe(400);
    expect(() => acknowledgement(request, { status: 200, headers: {}, body: {} })).toThrow(/did not echo/);
  });
});
