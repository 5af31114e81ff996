import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStateBody } from '../../src/api/triage';
import { SORE_THROAT_SHIPPED } from '../../test/pathway-drafts';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

const M0 = ['unresponsive', 'choking', 'fitting', 'bleeding'];

/** The sore-throat version shipped and in force, and the next one the test writes. */
const S = SORE_THROAT_SHIPPED.version;
const N = S + 1;

describe('console in Chromium: a pathway change from draft to release, and triage on both versions', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  }, 60_000);
  afterAll(async () => c?.close());

  async function http<T>(path: string, token: string | null, body?: unknown): Promise<T> {
    const res = await fetch(`${c.baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** An adviser's sore-throat triage through the API, answered up to how many days it has been sore. */
  async function soreThroatToDays(token: string): Promise<SessionStateBody> {
    let s = await http<SessionStateBody>('/api/triage/sessions', token, {
      pathwayId: 'sore-throat',
      patient: { ageYears: 30, sex: 'female' },
    });
    for (const _ of M0) s = await answer(token, s, 'no');
    // Then "no" to each red flag of the pathway until the question of how many days.
    for (let i = 0; i < 10 && s.next && s.next.id !== 'days'; i++) s = await answer(token, s, 'no');
    return s;
  }
  const answer = (token: string, s: SessionStateBody, value: string | number) =>
    http<SessionStateBody>(`/api/triage/sessions/${s.id}/answers`, token, {
      pathwayId: s.next?.pathwayId,
      questionId: s.next?.id,
      value,
    });

  it('a clinician edits a draft, a governance lead reads its diff, signs it off and releases it', async () => {
    const { token } = await http<{ token: string }>('/api/auth/login', null, {
      username: 'adviser',
      password: 'demo',
    });
    const older = await soreThroatToDays(token);
    expect(older.pathway.version).toBe(S);

    // The clinician edits the sore-throat pathway in the console: five days, not seven, is enough for a GP.
    const author = await c.newPage();
    await signIn(author, c.baseUrl, 'clinician');
    await author.getByRole('link', { name: 'Governance' }).click();
    const edit = author.getByRole('form', { name: 'Edit a pathway' });
    await edit.getByLabel('Pathway').selectOption('sore-throat');
    await edit.getByRole('button', { name: 'Edit as a new draft' }).click();
    const yaml = author.getByLabel('Pathway YAML');
    await expect.poll(() => yaml.inputValue()).toMatch(/id: sore-throat/);
    const text = await yaml.inputValue();
    await yaml.fill(
      text.replace('below: 7,', 'below: 5,').replace('{ from: 7, dx: Dx75', '{ from: 5, dx: Dx75'),
    );
    await author.getByLabel('What changes and why').fill('Five days of sore throat is enough for a GP');
    await author.getByRole('button', { name: 'Save draft' }).click();
    await expect
      .poll(() => author.getByRole('status').textContent())
      .toBe(`Draft sore-throat version ${N} saved.`);
    const paths = author.getByRole('table', { name: 'Changed paths' });
    // The same band on each way to the question of days (with and without pus on the tonsils).
    await expect.poll(() => paths.locator('tbody tr').count()).toBe(2);
    for (const row of await paths.locator('tbody tr').allTextContents()) {
      expect(row).toMatch(/from 5 to under 7 days/);
      expect(row).toMatch(/Dx39/);
      expect(row).toMatch(/Dx75/);
      expect(row).toMatch(/more urgent/);
    }
    // The author may not sign their own draft: the console does not offer it, and the server refuses it.
    expect(await author.getByRole('button', { name: 'Sign off' }).count()).toBe(0);
    await author.getByRole('button', { name: 'Send for review' }).click();
    await expect.poll(() => author.getByRole('status').textContent()).toBe('Sent for review.');
    await author.screenshot({ path: `${SCREENSHOTS}/governance-diff.png`, fullPage: true });

    // A governance lead — a second user — signs it off and releases it now.
    const lead = await c.newPage();
    await signIn(lead, c.baseUrl, 'governance');
    await lead.getByRole('link', { name: 'Governance' }).click();
    await lead.getByRole('button', { name: `sore-throat v${N}` }).click();
    const version = lead.getByRole('article', { name: 'Pathway version' });
    await expect.poll(() => version.getByRole('heading', { level: 2 }).textContent()).toMatch(/In review/);
    expect(await version.getByRole('table', { name: 'Changed paths' }).textContent()).toMatch(/Dx75/);
    await lead.getByRole('button', { name: 'Sign off' }).click();
    await expect.poll(() => lead.getByRole('status').textContent()).toBe('Signed off.');
    await lead.getByRole('button', { name: 'Release' }).click();
    await expect.poll(() => lead.getByRole('status').textContent()).toBe('Released.');
    expect(await version.getByRole('heading', { level: 2 }).textContent()).toMatch(/Released \(in force\)/);

    // A new call is triaged on the new version; the older one goes on, and replays, on the shipped one.
    const newer = await soreThroatToDays(token);
    expect(newer.pathway.version).toBe(N);
    expect((await answer(token, newer, 5)).outcome?.disposition.code).toBe('Dx75');
    expect((await answer(token, older, 5)).outcome?.disposition.code).toBe('Dx39');
    const replayed = await http<SessionStateBody>(`/api/triage/sessions/${older.id}`, token);
    expect(replayed.pathway.version).toBe(S);

    // One step back, from the console.
    await lead.getByRole('button', { name: 'Roll back' }).click();
    await expect
      .poll(() => lead.getByRole('status').textContent())
      .toBe(`Rolled back: version ${S} is in force again.`);
    expect((await soreThroatToDays(token)).pathway.version).toBe(S);
    // Four sign-ins and every change-control step validate the whole content: more than the default 30 s
    // on two shared cores.
  }, 120_000);
});
