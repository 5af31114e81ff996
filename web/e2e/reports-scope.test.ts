import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, signIn, startConsole } from './browser';

describe('console in Chromium: each commissioner’s reports cover its own areas', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  }, 60_000);
  afterAll(async () => c?.close());

  const openReports = async (username: string) => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, username);
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByTestId('kpi-scope').waitFor();
    return page;
  };
  const picker = (page: Awaited<ReturnType<typeof openReports>>) =>
    page.getByRole('form', { name: 'KPI period' }).getByLabel('Area');

  it('shows Bedfordshire CCG the KPIs of its own area, and offers no other', async () => {
    const page = await openReports('ccg');
    expect(await page.getByTestId('kpi-scope').textContent()).toContain('Bedfordshire');
    const options = await picker(page).locator('option').allTextContents();
    expect(options).toEqual(['All my areas', 'Bedfordshire (5P2)']);
    // The demo week has no 111 calls from Bedfordshire (it was not live): the tiles say so, not an error.
    const offered = page.getByRole('figure').filter({ hasText: 'Calls offered' });
    expect(await offered.locator('.tile-value').textContent()).toBe('0');
    expect(await page.getByRole('alert').count()).toBe(0);
    await picker(page).selectOption('5P2');
    await page.getByRole('button', { name: 'Show KPIs' }).click();
    await expect.poll(() => page.getByTestId('kpi-scope').textContent()).toBe('KPIs: Bedfordshire');
    // Capacity is planned for its own area.
    await expect.poll(() => page.getByTestId('capacity-chart').count()).toBe(1);
    expect(await page.locator('p', { hasText: 'people): about' }).textContent()).toContain('Bedfordshire');
    await page.close();
  });

  it('shows the Department of Health England’s KPIs, over every area’s calls', async () => {
    const page = await openReports('national');
    expect(await page.getByTestId('kpi-scope').textContent()).toBe('KPIs: England');
    expect(await picker(page).locator('option').first().textContent()).toBe('All England');
    expect(await picker(page).locator('option').count()).toBeGreaterThan(140);
    const offered = page.getByRole('figure').filter({ hasText: 'Calls offered' });
    const total = Number.parseInt(
      ((await offered.locator('.tile-value').textContent()) ?? '').replace(/,/g, ''),
      10,
    );
    const stored = await c.store.db
      .selectFrom('call')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .where('offered_at', '>=', new Date('2012-03-05T00:00:00Z'))
      .where('offered_at', '<', new Date('2012-03-12T00:00:00Z'))
      .executeTakeFirstOrThrow();
    expect(total).toBe(Number(stored.n));
    expect(total).toBeGreaterThan(0);
    await picker(page).selectOption('5ND');
    await page.getByRole('button', { name: 'Show KPIs' }).click();
    await expect.poll(() => page.getByTestId('kpi-scope').textContent()).toContain('County Durham');
    await page.close();
  });
});
