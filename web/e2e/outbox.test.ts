import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAdapters } from '../../src/messaging/demo-receivers';
import { deliverDue } from '../../src/messaging/worker';
import { inTransaction } from '../../src/store/db';
import { enqueue } from '../../src/store/outbox';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

/**
 * The Outbox screen as an operator meets an ambulance receiver outage: the administrator switches the
 * demo ambulance receiver to fail, a dispatch fails, the screen raises the alert by itself (it refreshes
 * every 5 s) well within 30 s, shows the failure in the message's history, and once the receiver is back
 * the administrator tries it now and the alert clears.
 */
describe('console in Chromium: the outbox alerts on a failing dispatch', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  }, 60_000);
  afterAll(async () => c?.close());

  const deliver = () => deliverDue(c.store.db, demoAdapters(c.store.db), () => new Date());

  it('raises the alert within 30 s of the first failure, shows the history, and clears on delivery', async () => {
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'admin');
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('heading', { name: 'Outbox' }).waitFor();
    // The dispatch is queued first so the receivers table lists the ambulance receiver and its switch.
    await inTransaction(c.store.db, (tx) =>
      enqueue(
        tx,
        {
          kind: 'ambulance_dispatch',
          destination: 'RRU',
          idempotencyKey: 'e2e-dispatch',
          payload: { demonstration: true },
          subject: 'e2e-case',
          priority: 10,
        },
        new Date(Date.now() + 60_000),
      ),
    );
    const ambulanceSwitch = page.getByLabel('Demo ambulance dispatch receiver');
    await ambulanceSwitch.waitFor({ timeout: 15_000 });
    await ambulanceSwitch.selectOption('fail');
    await expect
      .poll(
        async () => (await c.store.db.selectFrom('demo_receiver_switch').select('mode').execute())[0]?.mode,
      )
      .toBe('fail');
    await c.store.db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date() })
      .where('idempotency_key', '=', 'e2e-dispatch')
      .execute();
    expect((await deliver()).failed).toBe(1);
    const failedAt = Date.now();
    const banner = page.getByTestId('dispatch-alert');
    await banner.waitFor({ timeout: 30_000 });
    expect(Date.now() - failedAt).toBeLessThan(30_000);
    expect(await banner.textContent()).toMatch(/Ambulance dispatch \d+ to RRU .* still retrying/);
    expect(await banner.textContent()).toContain('switched to fail');
    await page.screenshot({ path: `${SCREENSHOTS}/outbox-alert.png`, fullPage: true });

    const row = page.locator('tr[data-status="pending"]', { hasText: 'RRU' });
    await row.getByRole('button', { name: 'History' }).click();
    const history = page.getByRole('table', { name: /Delivery history of message/ });
    await history.waitFor();
    expect(await history.locator('tr[data-outcome="failed"]').count()).toBe(1);

    await ambulanceSwitch.selectOption('normal');
    await expect
      .poll(
        async () => (await c.store.db.selectFrom('demo_receiver_switch').select('mode').execute())[0]?.mode,
      )
      .toBe('normal');
    await row.getByRole('button', { name: 'Try now' }).click();
    await expect.poll(async () => (await deliver()).delivered, { timeout: 10_000 }).toBe(1);
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('tr[data-status="delivered"]', { hasText: 'RRU' }).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('shows a governance reviewer (read only) no receiver switch and no resend buttons', async () => {
    // A held message of governance's own provider: governance sees it, but may not send it again.
    await inTransaction(c.store.db, (tx) =>
      enqueue(
        tx,
        {
          kind: 'gp_post_event',
          destination: 'Y5GC1',
          idempotencyKey: 'e2e-held',
          payload: {},
          subject: 'e2e-case-2',
          providerCode: 'NHSD',
        },
        new Date(),
      ),
    );
    await c.store.db
      .updateTable('outbox')
      .set({ status: 'dead', last_error: 'GP system down', failing_since: new Date() })
      .where('idempotency_key', '=', 'e2e-held')
      .execute();
    const page = await c.newPage();
    await signIn(page, c.baseUrl, 'governance');
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.locator('tr[data-status="dead"]', { hasText: 'Y5GC1' }).waitFor();
    expect(await page.getByTestId('held-alert').textContent()).toMatch(/1 message is held for a person/);
    expect(await page.getByLabel('Demo ambulance dispatch receiver').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Send again|Try now/ }).count()).toBe(0);
    await page.close();
  });
});
