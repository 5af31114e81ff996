import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

describe('console in Chromium: sign-in and geography', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  }, 60_000);
  afterAll(async () => c?.close());

  it('refuses a wrong password with a readable message', async () => {
    const page = await c.newPage();
    await page.goto(c.baseUrl);
    await page.getByLabel('Username').fill('adviser');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/username or password is not right/);
    await page.close();
  });

  it('signs in as the adviser, looks up LU1 3JU and shows Luton on the map', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.getByRole('link', { name: 'Geography' }).click();
    await page.getByLabel('Postcode', { exact: true }).fill('lu1 3ju');
    await page.getByRole('button', { name: 'Look up' }).click();
    const facts = page.getByLabel('Postcode location');
    await facts.waitFor();
    const text = (await facts.textContent()) ?? '';
    expect(text).toContain('LU1 3JU');
    expect(text).toContain('Luton');
    expect(text).toContain('NHS East of England');
    expect(text).toContain('East of England Ambulance Service NHS Trust');
    // The map draws one dot per district and rings the one looked up.
    expect(await page.locator('svg.map circle').count()).toBeGreaterThan(2000);
    expect(await page.getByTestId('map-highlight').textContent()).toBe('LU1');
    await page.screenshot({ path: `${SCREENSHOTS}/geography.png`, fullPage: true });
    await page.close();
  });

  it('shows a malformed postcode as an error on the page, not a crash', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.goto(`${c.baseUrl}/#/geography`);
    await page.getByLabel('Postcode', { exact: true }).fill('not a postcode');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not a UK postcode/);
    await page.close();
  });
});
