import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

const populationCovered = async (page: Page): Promise<number> =>
  Number(((await page.getByTestId('population-covered').textContent()) ?? '').replaceAll(',', ''));

describe('console in Chromium: the rollout workflow', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  }, 60_000);
  afterAll(async () => c?.close());

  it('edits a plan into a rule violation, fixes it, submits and approves it, and coverage grows', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'commissioner');
    await page.getByRole('link', { name: 'Rollout' }).click();
    const beds = page.getByRole('row', { name: 'Bedfordshire' });
    await beds.waitFor();
    expect(await beds.textContent()).toContain('no plan');
    // The SHA opens on its own areas, names beside codes, issues as sentences rather than rule ids.
    expect(await page.getByTestId('plans-count').textContent()).toMatch(/^13 area/);
    expect(await page.getByLabel('SHA').locator('option:checked').textContent()).toBe(
      'NHS East of England (Q35)',
    );
    const table = (await page.locator('table.plans').textContent()) ?? '';
    expect(table).not.toContain('confirmed-by-submission-deadline');
    expect(table).toContain('opted in to the default provider');

    await beds.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Plan for Bedfordshire' });
    await form.getByLabel('Status').selectOption('planned');
    await form.getByLabel('Operating model').selectOption('partnership');
    await form.getByLabel('Provider that answers the calls').selectOption('NHSD');
    await form.getByRole('checkbox', { name: /\(RYC\)/ }).check();
    await form.getByRole('checkbox', { name: /\(OOH-Q35\)/ }).check();
    await form.getByLabel('Procurement date').fill('2012-05-01');
    await form.getByLabel('Go-live date').fill('2012-10-01');
    await form.getByRole('button', { name: 'Save plan' }).click();
    const alert = form.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('on or before 2012-04-01');
    expect(await alert.textContent()).toContain('six months from contract to go-live');
    expect(await alert.textContent()).not.toContain('procurement-six-months-before-go-live');
    await form.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/rollout-rule.png` });

    await form.getByLabel('Procurement date').fill('2012-04-01');
    await form.getByRole('button', { name: 'Save plan' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Saved the plan for Bedfordshire');
    await expect.poll(() => beds.textContent()).toContain('draft');
    await beds.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => beds.textContent()).toContain('submitted');
    // The SHA reviews its submission to the Department of Health and sends it, after a confirmation.
    await page.getByRole('button', { name: 'Review the submission' }).click();
    await expect.poll(() => page.getByTestId('submission-status').textContent()).toContain('not sent yet');
    expect(await page.getByRole('table', { name: 'Submission' }).textContent()).toContain('Bedfordshire');
    await page.getByRole('button', { name: 'Send to the Department of Health' }).click();
    await page
      .getByRole('alertdialog', { name: 'Confirm' })
      .getByRole('button', { name: 'Send the submission' })
      .click();
    await expect.poll(() => page.getByTestId('submission-status').textContent()).toMatch(/Status: sent/);
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The CCG for Bedfordshire approves; on 1 December 2012 coverage then includes Bedfordshire.
    await signIn(page, c.baseUrl, 'ccg');
    await page.goto(`${c.baseUrl}/#/rollout`);
    await page.getByLabel('Coverage date', { exact: true }).fill('2012-12-01');
    await expect.poll(() => page.getByTestId('coverage-summary').textContent()).toContain('2012-12-01');
    const before = await populationCovered(page);
    expect(before).toBeGreaterThan(0);
    // The CCG opens on what awaits its approval; approving asks first, naming the plan.
    expect(await page.getByTestId('plans-count').textContent()).toMatch(/^1 area/);
    await page.getByRole('row', { name: 'Bedfordshire' }).getByRole('button', { name: 'Approve' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Confirm' });
    expect(await confirm.textContent()).toContain('go-live on 2012-10-01');
    expect(await page.getByRole('row', { name: 'Bedfordshire' }).textContent()).toContain('submitted');
    await confirm.getByRole('button', { name: 'Approve Bedfordshire' }).click();
    await page.getByLabel('Show').selectOption('all');
    await expect
      .poll(() => page.getByRole('row', { name: 'Bedfordshire' }).textContent())
      .toContain('approved');
    await expect.poll(() => populationCovered(page)).toBe(before + 422_015);
    expect(await page.locator('svg.map circle').count()).toBeGreaterThan(2000);
    expect(await page.getByTestId('coverage-chart').locator('svg').count()).toBeGreaterThan(0);

    // Who answers a call from Bedford (MK40) on 1 October 2012? Bedfordshire's own new service.
    await page.getByLabel("Caller's postcode").fill('MK40 1AA');
    await page.getByLabel('Call date').fill('2012-10-01');
    await page.getByRole('button', { name: 'Route' }).click();
    await expect.poll(() => page.getByTestId('route-answer').textContent()).toContain('NHS Direct NHS Trust');
    expect(await page.getByTestId('route-answer').textContent()).toContain('live contract');
    await page.getByTestId('coverage-summary').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/rollout.png` });
    await page.close();
  });
});
