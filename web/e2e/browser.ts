import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildApp, defaultWebRoot } from '../../src/api/app';
import { createContext } from '../../src/api/context';
import { startDemoSwitch } from '../../src/services/demo-switch';
import { startFailSafes } from '../../src/services/fail-safe';
import type { Store } from '../../src/store/db';
import { freshStore } from '../../test/engines';

export const CHROMIUM = process.env.OPEN111_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = 'test-results/screenshots';

export interface Console {
  readonly baseUrl: string;
  readonly browser: Browser;
  readonly store: Store;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * The real thing end to end: the built console and the API on a loopback port over a fresh PGlite
 * store, driven by Debian's Chromium (never a downloaded browser).
 */
export async function startConsole(
  now?: () => Date,
  options: {
    /** Run the clinical fail-safes every this many ms, on the console's clock (off unless asked). */
    readonly failSafeMs?: number;
    /** Run the simulated switch (it stays paused until turned on from the wallboard). */
    readonly demoSwitch?: { readonly tickMs: number; readonly speed: number };
    /** For tests that move the clock on by more than the 30-minute idle timeout. */
    readonly sessionIdleMinutes?: number;
  } = {},
): Promise<Console> {
  const store = await freshStore('pglite');
  const ctx = createContext(store, {
    demo: true,
    ...(now ? { now } : {}),
    ...(options.sessionIdleMinutes ? { sessionIdleMinutes: options.sessionIdleMinutes } : {}),
  });
  const app: FastifyInstance = await buildApp(ctx, { webRoot: defaultWebRoot() });
  const onError = (e: unknown) => console.error('background job failed', e);
  const jobs = [
    ...(options.failSafeMs ? [startFailSafes(ctx, { intervalMs: options.failSafeMs, onError })] : []),
    ...(options.demoSwitch ? [startDemoSwitch(ctx, { ...options.demoSwitch, onError })] : []),
  ];
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    browser,
    store,
    newPage: async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      return page;
    },
    async close() {
      for (const job of jobs) await job.stop();
      await browser.close();
      await app.close();
      await store.close();
    },
  };
}

/** Signs in through the log-in form, as a person would. */
export async function signIn(
  page: Page,
  baseUrl: string,
  username: string,
  password = 'demo',
): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Answers triage questions in `triage` until its disposition can be accepted, `answer` choosing each
 * answer from the question shown; true when a disposition was reached within 30 questions. Each answer
 * waits for the next question (or the disposition) before the next is read: read too soon, under load,
 * the last question's text picks the answer to the next.
 */
export async function answerUntilDisposition(
  triage: Locator,
  answer: (question: Locator) => Promise<void>,
): Promise<boolean> {
  const accept = triage.getByRole('button', { name: 'Accept disposition' });
  const question = triage.locator('section.question');
  const shown = async () => ((await question.count()) ? await question.getAttribute('data-question') : null);
  for (let i = 0; i < 30; i++) {
    if (await accept.isVisible()) return true;
    const asked = await shown();
    await answer(question);
    await expect.poll(async () => (await accept.isVisible()) || (await shown()) !== asked).toBe(true);
  }
  return accept.isVisible();
}

/** "No" to a yes/no question, `value` to a number question. */
export async function answerNoOrNumber(question: Locator, value: string): Promise<void> {
  const number = question.getByLabel(/^Answer/);
  if (await number.isVisible()) {
    await number.fill(value);
    await question.getByRole('button', { name: 'Answer', exact: true }).click();
  } else {
    await question.getByRole('button', { name: 'No', exact: true }).click();
  }
}
