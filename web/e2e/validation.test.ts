import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerNoOrNumber,
  answerUntilDisposition,
  type Console,
  SCREENSHOTS,
  signIn,
  startConsole,
} from './browser';

/**
 * Clinical validation through the screens: calls come from the demo's simulated switch (turned on and
 * paused from the wallboard) or the telephony switch's CTI adapter; the adviser works each in the
 * workspace to an ambulance category 3, which waits for a clinician; the clinician validates on the
 * Validation screen, or does not, and the fail-safe dispatches at the breach time on the console's
 * own clock, moved on by the test.
 */
describe('console in Chromium: clinical validation and the clinician’s call-back', () => {
  let c: Console;
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  let adviser: Page;
  let clinician: Page;
  let switchToken = '';

  beforeAll(async () => {
    c = await startConsole(now, {
      failSafeMs: 300,
      demoSwitch: { tickMs: 400, speed: 20_000 },
      sessionIdleMinutes: 12 * 60,
    });
    const res = await fetch(`${c.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'switch', password: 'demo' }),
    });
    switchToken = ((await res.json()) as { token: string }).token;
    adviser = await c.newPage();
    await signIn(adviser, c.baseUrl, 'adviser');
    await adviser.getByRole('link', { name: 'Workspace' }).click();
    clinician = await c.newPage();
    await signIn(clinician, c.baseUrl, 'clinician');
  }, 90_000);
  afterAll(async () => c?.close());

  /** What the telephony switch sends when a call arrives (the CTI adapter, as a switch would). */
  async function switchOffers(callRef: string): Promise<void> {
    const res = await fetch(`${c.baseUrl}/api/telephony/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${switchToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'offered',
        callRef,
        at: now().toISOString(),
        callerNumber: '01582 111222',
        area: '5GC',
      }),
    });
    if (!res.ok) throw new Error(`offer: ${res.status} ${await res.text()}`);
  }

  /** The adviser answers the next call and works it to Dx012 (cannot get up after a fall), then ends the call. */
  async function adviserToCategory3(name: string): Promise<void> {
    const page = adviser;
    await page.getByRole('button', { name: 'Answer next call' }).click();
    await page.getByRole('textbox', { name: 'GP practice' }).fill('LU1');
    await page.getByRole('button', { name: 'Find practice' }).click();
    await page.getByRole('list', { name: 'Practices found' }).getByRole('button').first().click();
    await page.getByLabel('Patient name').fill(name);
    await page.getByLabel('Date of birth').fill('1941-07-09');
    await page.getByLabel('Sex').selectOption('male');
    await page.getByLabel('Postcode').fill('LU1 3JU');
    await page.getByRole('button', { name: 'Start the case' }).click();
    await expect.poll(() => page.getByTestId('location-line').textContent()).toContain('Luton');
    await page.getByLabel('Symptoms').fill('had a fall');
    await page.getByRole('button', { name: 'Find pathway' }).click();
    await page.getByRole('list', { name: 'Pathways found' }).getByRole('button', { name: 'Falls' }).click();
    const triage = page.getByRole('region', { name: 'Triage' });
    await answerUntilDisposition(triage, async (question) => {
      const yes = /unable to get up/.test(
        (await question.getByRole('heading', { level: 2 }).textContent()) ?? '',
      );
      await question.getByRole('button', { name: yes ? 'Yes' : 'No', exact: true }).click();
    });
    await triage.getByRole('button', { name: 'Accept disposition' }).click();
    await expect.poll(() => page.getByTestId('disposition').textContent()).toContain('Dx012');
    await page.getByRole('button', { name: 'Dispatch ambulance' }).click();
    await expect
      .poll(() => page.getByTestId('validation-line').textContent())
      .toContain('clinical validation');
    await page.getByRole('button', { name: /^End call/ }).click();
    await expect
      .poll(() => page.getByTestId('closed').textContent())
      .toContain('waiting for clinical validation');
  }

  async function eventsOf(name: string): Promise<string[]> {
    const rows = await c.store.db
      .selectFrom('case_event')
      .select(['case_id', 'kind', 'body'])
      .orderBy('case_id')
      .orderBy('seq')
      .execute();
    const opened = rows.find((r) => r.kind === 'opened' && JSON.stringify(r.body).includes(name));
    return rows.filter((r) => r.case_id === opened?.case_id).map((r) => r.kind);
  }

  it('a call from the simulated switch, category 3, validated and downgraded by a clinician to a referral: closed', async () => {
    // The floor's administrator turns the demo's switch on, and pauses it once calls have come.
    const admin = await c.newPage();
    await signIn(admin, c.baseUrl, 'admin');
    await admin.getByRole('link', { name: 'Wallboard' }).click();
    await expect.poll(() => admin.getByTestId('demo-switch').textContent()).toContain('paused');
    await admin.getByRole('button', { name: 'Start the simulated switch' }).click();
    await expect
      .poll(() => adviser.getByLabel('Queue').textContent(), { timeout: 30_000 })
      .toMatch(/^[1-9]\d* waiting/);
    await admin.getByRole('button', { name: 'Pause the simulated switch' }).click();
    await expect.poll(() => admin.getByTestId('demo-switch').textContent()).toContain('paused');
    await admin.close();

    await adviserToCategory3('Dora Downgrade');

    await clinician.getByRole('link', { name: 'Validation' }).click();
    const row = clinician.getByRole('row').filter({ hasText: 'Dora Downgrade' });
    await expect.poll(() => row.getByTestId('breach-timer').textContent()).toMatch(/in (29|30) min/);
    expect(await row.getAttribute('class')).toBeNull();
    await clinician.getByRole('button', { name: 'Validate Dora Downgrade' }).click();
    const form = clinician.getByRole('region', { name: 'Validate' });
    expect(await form.getByRole('list', { name: 'Triage answers' }).textContent()).toContain(
      'Cannot get up after a fall',
    );
    // Every question the adviser asked and its answer, as the replay shows them.
    const answers = form.getByRole('table', { name: 'Questions and answers' });
    await expect.poll(() => answers.textContent()).toMatch(/unable to get up/);
    expect(await answers.getByRole('row').count()).toBeGreaterThan(2);
    await clinician.screenshot({ path: `${SCREENSHOTS}/validation.png`, fullPage: true });
    await form.getByLabel('Decision').selectOption('downgraded');
    await form.getByLabel('New disposition').selectOption('Dx03');
    await form.getByLabel('Clinical notes').fill('Got up with help, walking, no injury found.');
    await form.getByRole('button', { name: 'Search the Directory' }).click();
    const services = form.getByRole('table', { name: 'Services for the new disposition' });
    await expect.poll(() => services.getByRole('row').count()).toBeGreaterThan(1);
    await services
      .getByRole('row')
      .nth(1)
      .getByRole('button', { name: /^Choose/ })
      .click();
    await form.getByRole('button', { name: 'Record validation' }).click();
    await expect.poll(() => clinician.getByTestId('validated').textContent()).toContain('case closed');
    expect(await clinician.getByTestId('validated').textContent()).toContain('downgraded to Dx03');
    expect(await eventsOf('Dora Downgrade')).toEqual([
      'opened',
      'triaged',
      'outcome_decided',
      'validation_queued',
      'validated',
      'outcome_decided',
      'referred',
      'post_event_sent',
      'closed',
    ]);
    const sim = await c.store.db
      .selectFrom('call')
      .innerJoin('case_record', 'case_record.call_id', 'call.id')
      .select('call.call_ref')
      .where('case_record.status', '=', 'closed')
      .execute();
    expect(sim.some((r) => r.call_ref?.startsWith('SIM-'))).toBe(true);
  });

  it('left unvalidated: the timer turns amber, then red, and at the breach time the ambulance is dispatched', async () => {
    await switchOffers('E2E-V2');
    await adviserToCategory3('Bree Breach');
    const row = clinician.getByRole('row').filter({ hasText: 'Bree Breach' });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    offsetMs += 21 * 60_000; // 9 minutes left: amber
    await expect.poll(() => row.getAttribute('class'), { timeout: 15_000 }).toBe('amber');
    offsetMs += 5 * 60_000; // 4 minutes left: red
    await expect.poll(() => row.getAttribute('class'), { timeout: 15_000 }).toBe('red');
    offsetMs += 5 * 60_000; // past the breach time: the fail-safe acts
    await expect.poll(() => eventsOf('Bree Breach'), { timeout: 15_000 }).toContain('closed');
    expect((await eventsOf('Bree Breach')).slice(3)).toEqual([
      'validation_queued',
      'validation_breached',
      'ambulance_dispatched',
      'post_event_sent',
      'closed',
    ]);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(0);
    const dispatch = await c.store.db
      .selectFrom('outbox')
      .select('payload')
      .where('kind', '=', 'ambulance_dispatch')
      .execute();
    expect(JSON.stringify(dispatch.map((d) => d.payload))).toContain('"breached":true');
  });

  it('downgraded to a call-back, worked from the clinical queue with the triage report to a closed case', async () => {
    await switchOffers('E2E-V3');
    await adviserToCategory3('Cal Back');
    await clinician.reload();
    await clinician.getByRole('button', { name: 'Validate Cal Back' }).click();
    const form = clinician.getByRole('region', { name: 'Validate' });
    await form.getByLabel('Decision').selectOption('downgraded');
    await form.getByLabel('New disposition').selectOption('Dx11');
    await form.getByRole('button', { name: 'Record validation' }).click();
    await expect.poll(() => clinician.getByTestId('validated').textContent()).toContain('awaiting callback');

    await clinician.getByRole('link', { name: 'Clinical queue' }).click();
    const row = clinician.getByRole('row').filter({ hasText: 'Cal Back' });
    await row.getByRole('button', { name: 'Start call-back' }).click();
    await expect
      .poll(() => row.getByTestId('callback-detail').textContent())
      .toContain('Cannot get up after a fall');
    expect(await row.getByTestId('callback-detail').textContent()).toContain('Care advice given');
    await row.getByLabel('Notes for Cal Back').fill('Spoke to patient; GP visit tomorrow.');
    await row.getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => clinician.getByTestId('callback-closed').textContent()).toContain('case closed');
    expect((await eventsOf('Cal Back')).slice(-5)).toEqual([
      'callback_queued',
      'callback_started',
      'callback_completed',
      'post_event_sent',
      'closed',
    ]);
  });

  it('a call-back the clinician re-triages and ends with a referral from the Directory: GP told, closed', async () => {
    await switchOffers('E2E-V4');
    await adviserToCategory3('Rhea Retriage');
    await clinician.getByRole('link', { name: 'Validation' }).click();
    await clinician.getByRole('button', { name: 'Validate Rhea Retriage' }).click();
    const form = clinician.getByRole('region', { name: 'Validate' });
    await form.getByLabel('Decision').selectOption('downgraded');
    await form.getByLabel('New disposition').selectOption('Dx11');
    await form.getByRole('button', { name: 'Record validation' }).click();
    await expect.poll(() => clinician.getByTestId('validated').textContent()).toContain('awaiting callback');

    await clinician.getByRole('link', { name: 'Clinical queue' }).click();
    const row = clinician.getByRole('row').filter({ hasText: 'Rhea Retriage' });
    await row.getByRole('button', { name: 'Start call-back' }).click();
    await row.getByLabel('Notes for Rhea Retriage').fill('Now a sore throat for 10 days; GP to see.');
    await row.getByRole('button', { name: 'Re-run triage for Rhea Retriage' }).click();
    const triage = clinician.getByRole('region', { name: 'Clinician triage' });
    await triage.getByLabel('Symptoms').fill('sore throat');
    await triage.getByRole('button', { name: 'Find pathway' }).click();
    await triage
      .getByRole('list', { name: 'Pathways found' })
      .getByRole('button', { name: 'Sore throat' })
      .click();
    await answerUntilDisposition(triage, (question) => answerNoOrNumber(question, '10'));
    expect(await triage.getByTestId('clinician-disposition').textContent()).toContain('Dx75');
    await triage.getByRole('button', { name: 'Accept disposition' }).click();
    const services = triage.getByRole('table', { name: 'Services for the clinician’s disposition' });
    await expect.poll(() => services.getByRole('row').count()).toBeGreaterThan(1);
    await services
      .getByRole('row')
      .nth(1)
      .getByRole('button', { name: /^Refer to/ })
      .click();
    await expect
      .poll(() => clinician.getByTestId('callback-closed').textContent())
      .toContain('with the clinician’s triage (Dx75): referred to');
    expect(await clinician.getByTestId('callback-closed').textContent()).toContain('case closed');
    expect((await eventsOf('Rhea Retriage')).slice(-6)).toEqual([
      'callback_started',
      'callback_completed',
      'outcome_decided',
      'referred',
      'post_event_sent',
      'closed',
    ]);
  });
});
