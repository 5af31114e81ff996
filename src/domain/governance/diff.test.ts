import { describe, expect, it } from 'vitest';
import { SORE_THROAT_CHANGED, SORE_THROAT_SHIPPED } from '../../../test/pathway-drafts';
import { contentFromDocuments, shippedPathwayFiles, stampPathwayYaml } from '../../content/triage';
import { type GivenAnswer, step, type TriageContent } from '../triage/index';
import { diffPathways } from './diff';

const S = SORE_THROAT_SHIPPED.version;
const FILE = SORE_THROAT_SHIPPED.file;

/** The shipped content with the changed YAML (the next version) in force in place of the shipped one. */
function contentWithChange(): { before: TriageContent; after: TriageContent } {
  // In force: the newest shipped version of each pathway (`x.yaml` is version 1, `x.vN.yaml` version N).
  const files = shippedPathwayFiles().map((f) => {
    const m = /^(.+?)(?:\.v(\d+))?\.yaml$/.exec(f.file);
    return { ...f, id: m?.[1] ?? f.file, version: Number(m?.[2] ?? 1) };
  });
  const newest = (f: (typeof files)[number]) => files.every((g) => g.id !== f.id || g.version <= f.version);
  const shipped = files.map(({ file, yaml, ...f }) => ({
    file,
    yaml,
    inForce: newest({ file, yaml, ...f }),
  }));
  const v2 = stampPathwayYaml(SORE_THROAT_CHANGED, {
    version: S + 1,
    status: 'approved',
    approvedBy: 'test reviewer',
    approvedAt: '2026-12-02',
  });
  const after = contentFromDocuments([
    ...shipped.map((d) => (d.file === FILE ? { ...d, inForce: false } : d)),
    { file: FILE, yaml: v2.yaml, inForce: true },
  ]);
  return { before: contentFromDocuments(shipped), after };
}

/** Module 0 answered with no threat to life, then the path's answers: what an adviser would enter. */
function engineDisposition(content: TriageContent, answers: readonly GivenAnswer[]): string {
  const input = {
    pathwayId: 'sore-throat',
    pathwayVersion: content.current.get('sore-throat')?.version ?? 0,
    module0Version: content.module0.version,
  };
  const given: GivenAnswer[] = [];
  for (;;) {
    const r = step(content, { ...input, answers: given });
    if (r.kind === 'disposition') return r.disposition.code;
    if (r.pathwayId === content.module0.id) {
      // Module 0's safe defaults are "no threat to life": the way on to the symptom pathway.
      given.push({ pathwayId: r.pathwayId, questionId: r.question.id, value: r.question.safeDefault });
      continue;
    }
    const a = answers.find((x) => x.questionId === r.question.id);
    if (!a) throw new Error(`the path does not answer ${r.question.id}`);
    given.push(a);
  }
}

describe('the review diff of a pathway change', () => {
  const { before, after } = contentWithChange();
  const v1 = before.current.get('sore-throat');
  const v2 = after.current.get('sore-throat');

  it('lists each changed answer, and every path whose disposition changes with old and new urgency', () => {
    if (!v1 || !v2) throw new Error('sore-throat missing');
    const diff = diffPathways(v1, v2, after.dispositions);
    expect(diff.fromVersion).toBe(S);
    expect(diff.toVersion).toBe(S + 1);
    expect(diff.questionsAdded).toEqual([]);
    expect(diff.questionsRemoved).toEqual([]);
    expect(diff.questionsChanged.map((q) => q.id)).toEqual(['immune', 'days']);
    expect(diff.dispositionsAdded.map((d) => d.code)).toEqual(['Dx05']);
    expect(diff.dispositionsRemoved.map((d) => d.code)).toEqual(['Dx14']);
    const paths = diff.changedPaths.map((p) => ({
      answers: p.answers.map((a) => `${a.questionId}=${a.label}`).join(', '),
      before: p.before?.kind === 'disposition' ? p.before.code : p.before?.kind,
      after: p.after.kind === 'disposition' ? p.after.code : p.after.kind,
      change: p.change,
    }));
    expect(paths).toEqual([
      {
        answers: 'swallow=No, breathing=No, immune=Yes',
        before: 'Dx14',
        after: 'Dx05',
        change: 'more urgent',
      },
      {
        answers:
          'swallow=No, breathing=No, immune=No, tonsils=Yes, tonsils-fever=No, days=from 5 to under 7 days',
        before: 'Dx39',
        after: 'Dx75',
        change: 'more urgent',
      },
      {
        answers: 'swallow=No, breathing=No, immune=No, tonsils=No, days=from 5 to under 7 days',
        before: 'Dx39',
        after: 'Dx75',
        change: 'more urgent',
      },
    ]);
    // Paths whose disposition is the same are compared but not listed.
    expect(diff.pathsCompared).toBe(10);
  });

  it('says what the engine itself decides on each version for every changed path', () => {
    if (!v1 || !v2) throw new Error('sore-throat missing');
    for (const path of diffPathways(v1, v2, after.dispositions).changedPaths) {
      const answers = path.answers.map((a) => ({
        pathwayId: 'sore-throat',
        questionId: a.questionId,
        value: a.value,
      }));
      expect(engineDisposition(before, answers)).toBe(
        path.before?.kind === 'disposition' ? path.before.code : '',
      );
      expect(engineDisposition(after, answers)).toBe(
        path.after.kind === 'disposition' ? path.after.code : '',
      );
    }
  });

  it('lists every path of a new pathway as new, and no change against itself', () => {
    if (!v1) throw new Error('sore-throat missing');
    expect(diffPathways(v1, v1, before.dispositions).changedPaths).toEqual([]);
    const fresh = diffPathways(undefined, v1, before.dispositions);
    expect(fresh.questionsAdded).toHaveLength(v1.questions.size);
    expect(fresh.changedPaths.every((p) => p.change === 'new')).toBe(true);
    expect(fresh.changedPaths).toHaveLength(8);
  });
});
