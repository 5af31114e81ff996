import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every control test the hazard log names: `file` › “title”. */
function namedControls(markdown: string): { hazard: string; file: string; title: string }[] {
  const out: { hazard: string; file: string; title: string }[] = [];
  for (const line of markdown.split('\n')) {
    const hazard = /^\| (H\d+) \|/.exec(line)?.[1];
    if (!hazard) continue;
    for (const m of line.matchAll(/`([^`]+\.test\.ts)` › “([^”]+)”/g))
      out.push({ hazard, file: m[1] as string, title: m[2] as string });
  }
  return out;
}

/** The named controls whose test file, or whose test of that title in it, no longer exists. */
function missingControls(markdown: string, read: (file: string) => string | undefined): string[] {
  return namedControls(markdown).flatMap(({ hazard, file, title }) => {
    const source = read(file);
    if (source === undefined) return [`${hazard}: ${file} does not exist`];
    const declared = [`'${title}'`, `"${title}"`, `\`${title}\``].some((q) => source.includes(q));
    return declared ? [] : [`${hazard}: ${file} has no test “${title}”`];
  });
}

const readRepo = (file: string) =>
  existsSync(`${root}${file}`) ? readFileSync(`${root}${file}`, 'utf8') : undefined;

describe('the safety case', () => {
  const doc = readFileSync(`${root}docs/safety-case.md`, 'utf8');

  it('names a test for a control of every hazard in the log', () => {
    const hazards = [...doc.matchAll(/^\| (H\d+) \|/gm)].map((m) => m[1]);
    const controlled = new Set(namedControls(doc).map((c) => c.hazard));
    expect(hazards.length).toBeGreaterThanOrEqual(9);
    expect(hazards.filter((h) => !controlled.has(h as string))).toEqual([]);
  });

  it('every control test it names exists in the repository', () => {
    expect(missingControls(doc, readRepo)).toEqual([]);
  });

  it('reports a control whose test has gone, or whose file has', () => {
    const log = [
      '| H1 | hazard | cause | `a.test.ts` › “kept” and `a.test.ts` › “gone” | 3 | 1 |',
      '| H2 | hazard | cause | `b.test.ts` › “anything” | 3 | 1 |',
    ].join('\n');
    const files: Record<string, string> = { 'a.test.ts': "it('kept', () => {});" };
    expect(missingControls(log, (f) => files[f])).toEqual([
      'H1: a.test.ts has no test “gone”',
      'H2: b.test.ts does not exist',
    ]);
  });
});
