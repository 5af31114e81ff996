import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishedTriage, type PostJson } from '../../test/triage';
import { type Console, SCREENSHOTS, signIn, startConsole } from './browser';

describe('console in Chromium: a case sampled for review, replayed and scored; an incident raised and closed', () => {
  let c: Console;
  let caseId = '';
  beforeAll(async () => {
    c = await startConsole();
    // The call itself is the workspace's business (its own browser tests): here it is made through the API.
    const login = await fetch(`${c.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'adviser', password: 'demo' }),
    });
    const { token } = (await login.json()) as { token: string };
    const post: PostJson = async (url, body) => {
      const res = await fetch(`${c.baseUrl}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const call = (await post('/api/calls', {})) as { id: string };
    await post(`/api/calls/${call.id}/events`, { kind: 'answered' });
    const patient = { name: 'Pat Review', birthDate: '1960-01-01', sex: 'female', postcode: 'LU1 3JU' };
    caseId = ((await post('/api/cases', { callId: call.id, patient })) as { id: string }).id;
    const session = await finishedTriage(post, 'Dx39');
    await post(`/api/cases/${caseId}/triage`, { triageSessionId: session, dispositionCode: 'Dx39' });
    await post(`/api/cases/${caseId}/outcome`, {});
  }, 90_000);
  afterAll(async () => c?.close());

  it('the lead samples every call, a reviewer replays one and scores it, the adviser reads it', async () => {
    const lead = await c.newPage();
    await signIn(lead, c.baseUrl, 'governance');
    await lead.getByRole('link', { name: 'Review' }).click();
    const percent = lead.getByLabel('sample percent');
    await percent.fill('100');
    await percent.blur();
    await expect.poll(() => lead.getByRole('status').textContent()).toBe('Rule random sample saved.');
    await lead.getByRole('button', { name: 'Fill this week’s queue' }).click();
    await expect.poll(() => lead.getByRole('status').textContent()).toMatch(/^1 case\(s\) queued/);

    const reviewer = await c.newPage();
    await signIn(reviewer, c.baseUrl, 'reviewer');
    await reviewer.getByRole('link', { name: 'Review' }).click();
    const queue = reviewer.getByRole('table', { name: 'Review queue' });
    await expect.poll(() => queue.textContent()).toMatch(/random sample/);
    await reviewer.getByRole('button', { name: `Review ${caseId}` }).click();
    const answers = reviewer.getByRole('table', { name: 'Questions and answers' });
    await expect.poll(() => answers.locator('tbody tr').count()).toBeGreaterThan(3);
    expect(await answers.textContent()).toMatch(/adviser/);
    expect(await reviewer.getByRole('region', { name: 'Rationale shown' }).textContent()).toMatch(/Dx39/);
    const form = reviewer.getByRole('form', { name: 'Score the review' });
    await form.getByLabel('Communication').selectOption('4');
    await form.getByLabel('Learning').fill('Safety-net advice given clearly.');
    await form.getByRole('button', { name: 'Save the score' }).click();
    await expect
      .poll(() => reviewer.getByRole('status').textContent())
      .toBe(`The review of case ${caseId} is scored.`);
    expect(await queue.textContent()).toMatch(/Disposition correct, safe, communication 4 very good/);
    await reviewer.screenshot({ path: `${SCREENSHOTS}/review-scored.png`, fullPage: true });

    const adviser = await c.newPage();
    await signIn(adviser, c.baseUrl, 'adviser');
    await adviser.getByRole('link', { name: 'Review' }).click();
    await expect
      .poll(() => adviser.getByRole('region', { name: 'My reviews' }).textContent())
      .toMatch(/Safety-net advice given clearly/);
  }, 120_000);

  it('an adviser raises an incident from the case; the lead grades it, and closes it once its action is done', async () => {
    const adviser = await c.newPage();
    await signIn(adviser, c.baseUrl, 'adviser');
    await adviser.getByRole('link', { name: 'Review' }).click();
    await adviser.getByRole('button', { name: `Raise an incident about ${caseId}` }).click();
    const report = adviser.getByRole('form', { name: 'Report an incident' });
    expect(await report.getByLabel('Which').inputValue()).toBe(caseId);
    await report.getByLabel('Title').fill('Wrong pharmacy given');
    await report.getByLabel('What happened').fill('The pharmacy named was closed.');
    await report.getByRole('button', { name: 'Report' }).click();
    await expect
      .poll(() => adviser.getByRole('status').textContent())
      .toMatch(/^Reported as incident \d+\.$/);
    const id = (await adviser.getByRole('status').textContent())?.match(/\d+/)?.[0];

    const lead = await c.newPage();
    await signIn(lead, c.baseUrl, 'governance');
    await lead.getByRole('link', { name: 'Incidents' }).click();
    await lead.getByRole('button', { name: `Open incident ${id}` }).click();
    const incident = lead.getByRole('region', { name: `Incident ${id}` });
    expect(await incident.getByRole('list', { name: 'Links' }).textContent()).toContain(caseId);
    await incident.getByLabel('Grade', { exact: true }).selectOption('low');
    await incident.getByRole('button', { name: 'Save the grade' }).click();
    await expect.poll(() => incident.textContent()).toMatch(/Status: investigating/);
    await incident.getByLabel('Action', { exact: true }).fill('Check the pharmacy’s opening times');
    await incident.getByLabel('Owner', { exact: true }).fill('DoS lead');
    await incident.getByRole('button', { name: 'Add the action' }).click();
    await incident.getByLabel('Reason for closing').fill('Opening times corrected.');
    await incident.getByRole('button', { name: 'Close the incident' }).click();
    await expect.poll(() => incident.getByRole('alert').textContent()).toMatch(/1 open action/);
    await incident.getByRole('button', { name: 'Done: Check the pharmacy’s opening times' }).click();
    await expect.poll(() => incident.getByRole('list', { name: 'Actions' }).textContent()).toMatch(/· done/);
    await incident.getByRole('button', { name: 'Close the incident' }).click();
    await expect.poll(() => incident.textContent()).toMatch(/Status: closed/);
    expect(await incident.textContent()).toMatch(/Opening times corrected\./);
  }, 120_000);
});
