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
 * One call, driven through the call workspace only: the switch offers it (as the telephony switch
 * does, through the CTI adapter), and the adviser does the rest on one screen with no id typed.
 */
describe('console in Chromium: the call workspace', () => {
  let c: Console;
  let switchToken = '';
  beforeAll(async () => {
    c = await startConsole();
    const res = await fetch(`${c.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'switch', password: 'demo' }),
    });
    switchToken = ((await res.json()) as { token: string }).token;
  }, 60_000);
  afterAll(async () => c?.close());

  /** What the telephony switch sends when a call arrives. */
  async function switchOffers(callRef: string, callerNumber: string): Promise<void> {
    const res = await fetch(`${c.baseUrl}/api/telephony/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${switchToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'offered',
        callRef,
        at: new Date().toISOString(),
        callerNumber,
        area: '5GC',
      }),
    });
    if (!res.ok) throw new Error(`offer: ${res.status} ${await res.text()}`);
  }

  /** Answers "No" to every yes/no question, and a number of days, until a disposition is reached. */
  async function triageTo(page: Page, days: string): Promise<void> {
    const triage = page.getByRole('region', { name: 'Triage' });
    if (!(await answerUntilDisposition(triage, (question) => answerNoOrNumber(question, days))))
      throw new Error('no disposition reached');
  }

  it('answer next → patient → location → triage → refer from the Directory → GP message → closed', async () => {
    await switchOffers('E2E-1', '01582 700700');
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.getByRole('link', { name: 'Workspace' }).click();
    await expect.poll(() => page.getByLabel('Queue').textContent()).toContain('1 waiting');
    await page.getByRole('button', { name: 'Answer next call' }).click();
    await expect.poll(() => page.getByTestId('caller-number').textContent()).toBe('01582 700700');
    // The call-back number comes from the switch: not typed again.
    expect(await page.getByLabel('Call-back number').inputValue()).toBe('01582 700700');
    expect(await page.getByTestId('repeat-caller').count()).toBe(0);

    await page.getByRole('textbox', { name: 'GP practice' }).fill('LU1');
    await page.getByRole('button', { name: 'Find practice' }).click();
    await page.getByRole('list', { name: 'Practices found' }).getByRole('button').first().click();
    expect(await page.getByTestId('gp-chosen').textContent()).toContain('GP practice');
    await page.getByLabel('Patient name').fill('Sam Throat');
    await page.getByLabel('Date of birth').fill('1985-04-02');
    await page.getByLabel('Sex').selectOption('female');
    await page.getByLabel('Postcode').fill('LU1 3JU');
    await page.getByRole('button', { name: 'Start the case' }).click();
    await expect.poll(() => page.getByTestId('location-line').textContent()).toContain('Luton');

    await page.getByLabel('Symptoms').fill('sore throat');
    await page.getByRole('button', { name: 'Find pathway' }).click();
    await page
      .getByRole('list', { name: 'Pathways found' })
      .getByRole('button', { name: 'Sore throat' })
      .click();
    await triageTo(page, '10');
    await page.getByRole('button', { name: 'Accept disposition' }).click();
    await expect.poll(() => page.getByTestId('disposition').textContent()).toContain('Dx75');

    // The own-GP disposition finds the patient's practice first, searched with the case's details.
    const services = page.getByRole('table', { name: 'Services for this disposition' });
    await expect.poll(() => services.getByRole('row').count()).toBeGreaterThan(1);
    const first = services.getByRole('row').nth(1);
    expect(await first.textContent()).toContain("the patient's own GP practice");
    await page.screenshot({ path: `${SCREENSHOTS}/workspace.png`, fullPage: true });
    await first.getByRole('button', { name: /^Refer to/ }).click();
    await expect.poll(() => page.getByTestId('outcome-line').textContent()).toContain('Referred to');
    expect(await page.getByTestId('post-event').textContent()).toContain('sent');

    await page.getByRole('button', { name: 'End call and close case' }).click();
    await expect.poll(() => page.getByTestId('closed').textContent()).toContain('case closed');
    const call = await c.store.db
      .selectFrom('call')
      .select(['status', 'id'])
      .where('call_ref', '=', 'E2E-1')
      .executeTakeFirstOrThrow();
    expect(call.status).toBe('ended');
    const kinds = await c.store.db
      .selectFrom('case_event')
      .innerJoin('case_record', 'case_record.id', 'case_event.case_id')
      .select('case_event.kind')
      .where('case_record.call_id', '=', call.id)
      .orderBy('case_event.seq')
      .execute();
    expect(kinds.map((k) => k.kind)).toEqual([
      'opened',
      'triaged',
      'outcome_decided',
      'referred',
      'post_event_sent',
      'closed',
    ]);
    await page.close();
  });

  it('flags a repeat caller: the same number rang within 72 hours', async () => {
    await switchOffers('E2E-2', '01582 700700');
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.getByRole('link', { name: 'Workspace' }).click();
    await page.getByRole('button', { name: 'Answer next call' }).click();
    await expect
      .poll(() => page.getByTestId('repeat-caller').textContent())
      .toContain('rang 1 time in the last 72 hours');
    await page.close();
  });

  it('the wallboard shows the queue and today’s 60-second line and abandonment rate', async () => {
    await switchOffers('E2E-3', '01582 300300');
    await switchOffers('E2E-4', 'withheld');
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.getByRole('link', { name: 'Wallboard' }).click();
    await expect.poll(() => page.getByTestId('tile-waiting').textContent()).toContain('2');
    expect(await page.getByRole('table', { name: 'Calls waiting' }).getByRole('row').count()).toBe(3);
    // Two calls answered today by this suite, both at once: 100% within the line; none abandoned.
    expect(await page.getByTestId('tile-60s').textContent()).toContain('100.0%');
    expect(await page.getByTestId('tile-abandoned').textContent()).toContain('0.0%');
    await page.screenshot({ path: `${SCREENSHOTS}/wallboard.png`, fullPage: true });
    await page.close();
  });
});
