import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { triageEvidenceCommand, validatePathwaysCommand } from './triage';

const dir = mkdtempSync(join(tmpdir(), 'open111-triage-'));
const caseFile = (name: string, body: string) => {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
};
const printed = () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  return () => log.mock.calls.map((c) => c.join(' ')).join('\n');
};

describe('open111 CLI: triage commands', () => {
  afterEach(() => vi.restoreAllMocks());

  it('validate-pathways passes on the shipped content and says how much it checked', () => {
    const out = printed();
    expect(validatePathwaysCommand({})).toBe(0);
    // Every version is checked (old ones stay for replay): at least the 45 symptom pathways and module 0.
    const checked = /(\d+) pathways \(module 0 included\), \d+ questions, valid/.exec(out());
    expect(Number(checked?.[1])).toBeGreaterThanOrEqual(46);
  });

  it('triage --evidence prints the disposition, the path and what was assumed', () => {
    const out = printed();
    triageEvidenceCommand(
      caseFile(
        'chest.json',
        JSON.stringify({
          age: 58,
          sex: 'male',
          complaint: 'central crushing chest pain',
          present: ['chest_pain_crushing', 'sweating_clammy'],
        }),
      ),
      {},
    );
    const text = out();
    expect(text).toMatch(
      /disposition {2}Dx011 {2}Emergency ambulance response \(category 2\) {2}\[within 18 minutes\]/,
    );
    expect(text).toMatch(/chest-pain\/crushing .* → yes/);
    expect(text).toMatch(
      /assumed \(4, unreported: unknown\): unresponsive=no, choking=no, fitting_now=no, severe_bleeding=no/,
    );
  });

  it('triage --evidence --json gives a machine-readable result', () => {
    const out = printed();
    triageEvidenceCommand(
      caseFile(
        'throat.json',
        JSON.stringify({
          age: 30,
          sex: 'female',
          complaint: 'sore throat',
          absent: ['drooling_cannot_swallow', 'breathless', 'immunosuppressed', 'tonsil_pus'],
          values: { symptom_days: 2 },
        }),
      ),
      { json: true },
    );
    expect(JSON.parse(out())).toMatchObject({
      pathway: { id: 'sore-throat' },
      disposition: { code: 'Dx39' },
    });
  });

  it('refuses a file that is not JSON, or evidence that is not valid, with a clear message', () => {
    expect(() => triageEvidenceCommand(caseFile('bad.json', '{ nope'), {})).toThrow(/is not readable JSON/);
    expect(() =>
      triageEvidenceCommand(
        caseFile('bad2.json', '{"age": 30, "sex": "male", "complaint": "headache", "present": ["x"]}'),
        {},
      ),
    ).toThrow(/x is not a known finding/);
  });
});
