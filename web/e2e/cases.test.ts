import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAdapters } from '../../src/messaging/demo-receivers';
import { deliverDue } from '../../src/messaging/worker';
import { finishedTriage } from '../../test/triage';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

describe('console in Chromium: cases, dispatch and the clinical queue', () => {
  let c: Console;
  // The service's clock, moved forward by the test to make a call-back overdue.
  let clock = new Date();
  beforeAll(async () => {
    c = await startConsole(() => clock);
  }, 60_000);
  afterAll(async () => c?.close());

  /** Drives the API as the telephony switch and an adviser would, for the second case. */
  async function http<T>(path: string, token: string | null, body?: unknown): Promise<T> {
    const res = await fetch(`${c.baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** A triage run through the API by `username` to the disposition and finished; its session id. */
  async function triageSession(username: string, dispositionCode: string): Promise<string> {
    const { token } = await http<{ token: string }>('/api/auth/login', null, { username, password: 'demo' });
    return finishedTriage((url, body) => http(url, token, body), dispositionCode);
  }

  it('an adviser opens a case for an answered call, records an ambulance disposition and sees the dispatch delivered', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.getByLabel('Caller’s postcode').fill('LU1 3JU');
    await page.getByRole('button', { name: 'Take a new call' }).click();
    const row = page.getByRole('table', { name: 'Call queue' }).getByRole('row').filter({ hasText: '5GC' });
    await row.getByRole('button', { name: 'Answer' }).click();
    await row.getByRole('button', { name: 'Case' }).click();

    const panel = page.getByRole('region', { name: 'Case' });
    await panel.getByLabel('Patient name').fill('Sam Patient');
    await panel.getByLabel('Date of birth').fill('1948-05-17');
    await panel.getByLabel('Sex').selectOption('male');
    await panel.getByLabel('Patient postcode').fill('LU1 3JU');
    // A practice code the Directory of Services does not know is refused with a sentence, not opened.
    await panel.getByLabel('GP practice code').fill('E81001');
    await panel.getByLabel('Call-back number').fill('01582 123456');
    await panel.getByRole('button', { name: 'Open case' }).click();
    await expect
      .poll(() => panel.getByRole('alert').textContent())
      .toContain('There is no GP practice with the code E81001 in the Directory of Services');
    await panel.getByLabel('GP practice code').fill('Y5GC1');
    await panel.getByRole('button', { name: 'Open case' }).click();
    await expect.poll(() => panel.getByTestId('case-status').textContent()).toBe('open');

    // The disposition must be the one a finished triage ended in: a made-up session is refused.
    await panel.getByLabel('Disposition code').fill('Dx011');
    await panel.getByLabel('Triage session').fill('made-up-session');
    await panel.getByRole('button', { name: 'Record disposition' }).click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toContain('no triage session');
    expect(await panel.getByTestId('case-status').textContent()).toBe('open');
    await panel.getByLabel('Triage session').fill(await triageSession('adviser', 'Dx011'));
    await panel.getByRole('button', { name: 'Record disposition' }).click();
    await panel.getByRole('button', { name: 'Dispatch ambulance' }).click();
    const messages = panel.getByRole('table', { name: 'Case messages' });
    const dispatch = messages.getByRole('row').filter({ hasText: 'ambulance dispatch' });
    await expect.poll(() => dispatch.textContent()).toContain('RYC');
    expect(await dispatch.textContent()).toContain('pending');
    expect(await panel.textContent()).toContain('Category 2 dispatched to East of England');

    // The delivery worker's pass (serve runs it every second; here the test runs it once).
    const report = await deliverDue(c.store.db, demoAdapters(c.store.db), () => clock);
    expect(report.delivered).toBe(2);
    await expect.poll(() => dispatch.textContent(), { timeout: 10_000 }).toContain('delivered');
    expect(await messages.getByRole('row').filter({ hasText: 'gp post' }).textContent()).toContain('Y5GC1');
    const received = await c.store.db
      .selectFrom('received_message')
      .select(['kind', 'destination'])
      .where('kind', '=', 'ambulance_dispatch')
      .execute();
    expect(received).toEqual([{ kind: 'ambulance_dispatch', destination: 'RYC' }]);

    await panel.getByRole('button', { name: 'Close case' }).click();
    await expect.poll(() => panel.getByTestId('case-status').textContent()).toBe('closed');
    await page.screenshot({ path: `${SCREENSHOTS}/case-dispatch.png`, fullPage: true });
    await page.close();
  });

  it('a clinician sees a failed warm transfer in the queue, red once overdue, and completes the call-back', async () => {
    const { token } = await http<{ token: string }>('/api/auth/login', null, {
      username: 'adviser',
      password: 'demo',
    });
    const call = await http<{ id: string }>('/api/calls', token, { postcode: 'LU2 7AA' });
    await http(`/api/calls/${call.id}/events`, token, { kind: 'answered' });
    const opened = await http<{ id: string }>('/api/cases', token, {
      callId: call.id,
      patient: { name: 'Robin Callback', birthDate: '1990-01-01', sex: 'female', postcode: 'LU2 7AA' },
    });
    await http(`/api/cases/${opened.id}/triage`, token, {
      triageSessionId: await finishedTriage((url, body) => http(url, token, body), 'Dx11'),
      dispositionCode: 'Dx11',
    });
    await http(`/api/cases/${opened.id}/outcome`, token, { warmTransfer: 'failed' });

    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'clinician');
    await page.getByRole('link', { name: 'Clinical queue' }).click();
    const queue = page.getByRole('table', { name: 'Clinical queue' });
    const row = queue.getByRole('row').filter({ hasText: 'Robin Callback' });
    await expect.poll(() => row.textContent()).toContain('Warm transfer failed');
    expect(await row.textContent()).toMatch(/in 10 min/);
    expect(await row.getAttribute('class')).toBeNull();

    clock = new Date(clock.getTime() + 11 * 60_000);
    await page.reload();
    await expect.poll(() => row.getAttribute('class')).toContain('overdue');
    expect(await row.textContent()).toMatch(/overdue by 1 min/);
    const red = await row
      .locator('td')
      .first()
      .evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(red).toBe('rgb(253, 232, 232)');
    await page.screenshot({ path: `${SCREENSHOTS}/clinical-queue.png`, fullPage: true });

    await row.getByRole('button', { name: 'Start call-back' }).click();
    await row.getByLabel('Notes for Robin Callback').fill('Reassured; see own GP if no better.');
    await row.getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => queue.textContent()).not.toContain('Robin Callback');
    const events = await c.store.db
      .selectFrom('case_event')
      .select('kind')
      .where('case_id', '=', opened.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.kind)).toEqual([
      'opened',
      'triaged',
      'outcome_decided',
      'callback_queued',
      'callback_started',
      'callback_completed',
      'post_event_not_sent',
      // A completed call-back closes its case.
      'closed',
    ]);
    await page.close();
  });
});
