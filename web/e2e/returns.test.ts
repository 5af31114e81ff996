import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

describe('console in Chromium: the monthly return and the pilot evaluation', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  }, 60_000);
  afterAll(async () => c?.close());

  it('shows a commissioner its areas’ return, downloads it, and evaluates Luton’s pilot with a chart', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'commissioner');
    await page.getByRole('link', { name: 'Reports' }).click();
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
