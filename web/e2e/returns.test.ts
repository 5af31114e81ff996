import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

describe('console in Chromium: the monthly return and the pilot evaluation', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  }, 60_000);
  afterAll(async () => c?.close());

  it('runs a scenario beside the real figures, shows a commissioner its areas’ return, downloads it, and evaluates Luton’s pilot', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'commissioner');
    await page.getByRole('link', { name: 'Reports' }).click();
    // A shipped scenario beside the real week; with the rota cut to 60%, the simulated service level falls.
    const scenario = page.getByRole('form', { name: 'Scenario' });
    await scenario.getByLabel('Days').fill('1');
    await scenario.getByRole('button', { name: 'Run scenario' }).click();
    const compared = page.getByRole('table', { name: 'Scenario beside the real figures' });
    const simulatedSl = async () => {
      const row = compared.getByRole('row').filter({ hasText: 'Answered within 60 s' });
      return Number.parseFloat((await row.locator('td').nth(2).textContent()) ?? '');
    };
    await expect.poll(simulatedSl).toBeGreaterThan(80);
    const full = await simulatedSl();
    expect(await compared.textContent()).toContain('Real: East of England');
    await scenario.getByLabel('Rota (% of the scenario’s staff)').fill('60');
    await scenario.getByRole('button', { name: 'Run scenario' }).click();
    await expect.poll(() => compared.textContent()).toContain('rota at 60%');
    expect(await simulatedSl()).toBeLessThan(full - 10);
    await expect
      .poll(() => page.getByTestId('scenario-chart').locator('.recharts-reference-line').count())
      .toBe(2);

    const form = page.getByRole('form', { name: 'Monthly return' });
    await form.getByLabel('Month').fill('2010-12');
    await form.getByRole('button', { name: 'Show return' }).click();
    const table = page.getByRole('table', { name: 'Monthly return' });
    await expect.poll(() => table.textContent()).toContain('Luton (5GC)');
    // Luton went live on 3 December 2010: NHS Direct 0845 before, 111 after, in the same month.
    expect(await table.textContent()).toContain('NHS Direct 0845');
    expect(await table.textContent()).not.toContain('County Durham');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      form.getByRole('button', { name: 'Download return (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('monthly-return-2010-12.csv');
    const csv = await readFile((await download.path()) ?? '', 'utf8');
    expect(csv.split('\r\n')[0]).toContain('answered_within_60s');
    expect(csv).toContain('Luton');

    const pilot = page.getByRole('form', { name: 'Pilot evaluation' });
    await pilot.getByRole('button', { name: 'Evaluate' }).click();
    await expect
      .poll(() => page.getByTestId('pilot-summary').textContent())
      .toContain('went live on 2010-12-03');
    const results = page.getByRole('table', { name: 'Pilot evaluation' });
    expect(await results.textContent()).toContain('Ambulance dispositions');
    // Two lines (the pilot and the areas not yet live) and the go-live marker.
    await expect.poll(() => page.getByTestId('pilot-chart').locator('.recharts-line').count()).toBe(2);
    await page.getByLabel('Chart').selectOption('answered_within_60s_pct');
    await expect
      .poll(() => page.getByTestId('pilot-chart').locator('.recharts-reference-line').count())
      .toBe(2);
    await page.screenshot({ path: `${SCREENSHOTS}/pilot-evaluation.png`, fullPage: true });
    await page.close();
  });
});
