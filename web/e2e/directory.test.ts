import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

// Wednesday 6 June 2012, 11:00 BST.
const NOW = new Date('2012-06-06T10:00:00Z');

describe('console in Chromium: the Directory of Services', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole(() => NOW);
  }, 60_000);
  afterAll(async () => c?.close());

  it('searches as an adviser: ranked results, why, and a map', { timeout: 90_000 }, async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.getByRole('link', { name: 'Directory' }).click();
    await page.getByLabel('Postcode', { exact: true }).fill('LU1 3JU');
    await page.getByLabel('Disposition').selectOption('Dx05');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Results' });
    await results.waitFor();
    const items = results.locator(':scope > li');
    expect(await items.count()).toBeGreaterThan(2);
    expect(await items.first().textContent()).toMatch(/km · about \d+ min/);
    await items.first().getByText('Why here').click();
    expect(await items.first().textContent()).toMatch(/type rank/);
    expect(await page.locator('svg.map g.result-pin').count()).toBe(await items.count());
    await page.screenshot({ path: `${SCREENSHOTS}/directory.png`, fullPage: true });
    // A bad distance is shown as an error, not a crash.
    await page.getByLabel('Distance (km)').fill('150');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/distanceKm/);
    await page.close();
  });

  it('lets the DoS lead edit opening times and set capacity, and the commissioner see gaps', {
    timeout: 90_000,
  }, async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'doslead');
    await page.goto(`${c.baseUrl}/#/directory`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('button', { name: /^Open 5GC-/ })
      .first()
      .click();
    const editor = page.getByRole('region', { name: 'Service editor' });
    await editor.waitFor();
    await page.getByLabel('Sessions sat').fill('09:00-12:00');
    await page.getByLabel('Sessions sat').blur();
    await page.getByRole('button', { name: 'Save service' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Saved version 2/);
    await page.getByLabel('Reset after (minutes, 15–7200)').fill('30');
    await page.getByRole('button', { name: 'amber' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Capacity is now amber/);
    await page.close();

    const commissioner = await c.newPage();
    await signIn(commissioner, c.baseUrl, 'commissioner');
    await commissioner.goto(`${c.baseUrl}/#/directory`);
    await commissioner.getByRole('button', { name: 'Search' }).click();
    await commissioner.getByRole('list', { name: 'Results' }).waitFor();
    await commissioner.getByRole('button', { name: 'Show gaps' }).click();
    const table = commissioner.getByRole('table', { name: 'Gaps by service' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
    await commissioner.close();
  });
});
