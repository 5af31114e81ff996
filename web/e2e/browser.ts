import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
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
