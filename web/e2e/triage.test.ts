import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

/** Answers the focused question from the keyboard only: Tab to the answer button, Enter. */
async function answerWithKeyboard(page: Page, label: 'Yes' | 'No'): Promise<void> {
  const answered = await page.locator('ol[aria-label="Answers given"] li').count();
  // The question heading has the focus; Yes is the next stop, No the one after.
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
  await page.keyboard.press('Tab');
  if (label === 'No') await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(label);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('ol[aria-label="Answers given"] li').count()).toBe(answered + 1);
}

describe('console in Chromium: the adviser triages a caller from the keyboard', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  }, 60_000);
  afterAll(async () => c?.close());

  it('finds the pathway by symptom, asks one question at a time, goes back, and shows the disposition', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.goto(`${c.baseUrl}/#/triage`);
    await page.getByLabel('Age (years)').fill('34');
    await page.getByLabel('Sex').selectOption('male');
    await page.getByLabel('Symptoms').fill("can't breathe");
    await page.keyboard.press('Enter');
    const first = page.getByRole('region', { name: 'Pathways found' }).getByRole('button').first();
    await first.waitFor();
    expect(await first.textContent()).toBe('Breathing problems');
    await first.focus();
    await page.keyboard.press('Enter');

    // Module 0 comes first, one question at a time, each with why it is asked.
    const question = page.getByRole('region', { name: 'Question' });
    await expect.poll(() => question.getByRole('heading', { level: 2 }).textContent()).toMatch(/unconscious/);
    expect(await question.textContent()).toMatch(/Why we ask:/);
    for (let i = 0; i < 4; i++) await answerWithKeyboard(page, 'No');
    await expect
      .poll(() => question.getByRole('heading', { level: 2 }).textContent())
      .toMatch(/cannot say a full sentence/);

    // Yes to a red flag: an ambulance, with its timeframe and care advice.
    await answerWithKeyboard(page, 'Yes');
    const outcome = page.getByRole('region', { name: 'Disposition' });
    await expect.poll(() => outcome.getByRole('heading', { level: 2 }).textContent()).toMatch(/^Dx011/);
    expect(await outcome.textContent()).toMatch(/Within 18 minutes/);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Dx011/);

    // Back: the question is asked again; a different answer re-evaluates from there.
    await page.getByRole('button', { name: 'Back' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => question.getByRole('heading', { level: 2 }).textContent())
      .toMatch(/cannot say a full sentence/);
    // "No" to every red flag the pathway asks, however many it has, until the disposition.
    for (let i = 0; i < 15 && (await question.count()) > 0; i++) await answerWithKeyboard(page, 'No');
    await expect.poll(() => outcome.getByRole('heading', { level: 2 }).textContent()).toMatch(/^Dx06/);
    expect(await outcome.textContent()).toMatch(/Within 6 hours/);
    expect(await outcome.textContent()).toMatch(/Care advice/);

    // Change an earlier answer from the list: the triage goes back to that question.
    await page
      .getByRole('button', { name: 'Change the answer to: Are the lips or tongue blue or grey?' })
      .focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => question.getByRole('heading', { level: 2 }).textContent())
      .toMatch(/lips or tongue blue/);
    expect(await page.locator('ol[aria-label="Answers given"] li').count()).toBe(5);
    await answerWithKeyboard(page, 'Yes');
    await expect.poll(() => outcome.getByRole('heading', { level: 2 }).textContent()).toMatch(/^Dx011/);
    await page.screenshot({ path: `${SCREENSHOTS}/triage.png`, fullPage: true });

    await page.getByRole('button', { name: 'Finish triage' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Triage finished.');
    await page.close();
  });

  it('offers the body map as another way in: an adult’s regions, and a child’s with the baby pathways', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.goto(`${c.baseUrl}/#/triage`);
    await page.getByLabel('Age (years)').fill('40');
    await page.getByLabel('Sex').selectOption('female');
    const adult = page.getByRole('figure', { name: 'Body map (adult)' });
    await adult.getByRole('button', { name: 'Chest' }).click();
    const found = page.getByRole('region', { name: 'Pathways found' });
    await expect.poll(() => found.getByRole('button').first().textContent()).toBe('Chest pain');
    expect(await found.getByRole('button').allTextContents()).toEqual([
      'Chest pain',
      'Breathing problems',
      'Palpitations',
      'Cough, cold and flu',
    ]);
    // From the keyboard: a region takes the focus and Enter chooses it.
    await adult.getByRole('button', { name: 'Eyes' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => found.getByRole('button').allTextContents())
      .toEqual(['Eye problems', 'Eyelid problems']);
    // A baby: the child's map, whose whole-body region leads to the pathways for babies.
    await page.getByLabel('Age (years)').fill('0.5');
    const child = page.getByRole('figure', { name: 'Body map (child)' });
    await child.getByRole('button', { name: 'Whole body: fever or crying' }).click();
    await expect
      .poll(() => found.getByRole('button').allTextContents())
      .toEqual([
        'Fever in children and babies',
        'Crying baby',
        'Vomiting, diarrhoea or feeding problems under 1 year',
      ]);
    await found.getByRole('button', { name: 'Crying baby' }).click();
    await expect
      .poll(() =>
        page.getByRole('region', { name: 'Question' }).getByRole('heading', { level: 2 }).textContent(),
      )
      .toMatch(/unconscious/);
    await page.close();
  });

  it('does not search until the patient’s age and sex are given', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'adviser');
    await page.goto(`${c.baseUrl}/#/triage`);
    await page.getByLabel('Symptoms').fill('sore throat');
    await page.getByRole('button', { name: 'Find pathway' }).click();
    // The browser's own validation stops the search: nothing is sent, nothing is found.
    expect(await page.getByRole('region', { name: 'Pathways found' }).count()).toBe(0);
    await page.close();
  });
});
