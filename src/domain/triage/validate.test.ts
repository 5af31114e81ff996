import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { contentPath } from '../../content/files';
import { readRawTriageContent } from '../../content/triage';
import { type RawTriageContent, validateTriageContent } from './index';

type Doc = Record<string, unknown> & { questions: Record<string, unknown>[] };
const { raw, version } = readRawTriageContent();

/** The real content with one pathway's document changed by `mutate`. */
function mutated(
  id: string,
  mutate: (doc: Doc) => void,
  extra: Partial<RawTriageContent> = {},
): RawTriageContent {
  return {
    ...raw,
    ...extra,
    pathways: raw.pathways.map((f) => {
      // The first version of the pathway: the tests' pointers name it (later versions are left alone).
      if ((f.doc as Doc).id !== id || (f.doc as Doc).version !== 1) return f;
      const doc = structuredClone(f.doc) as Doc;
      mutate(doc);
      return { ...f, doc };
    }),
  };
}
const q = (doc: Doc, id: string) =>
  doc.questions.find((x) => x.id === id) as Record<string, Record<string, unknown>>;
const problemsOf = (r: RawTriageContent) => validateTriageContent(r, version).problems;

describe('the demonstration content', () => {
  it('is valid: module 0 and at least 25 pathways', () => {
    const report = validateTriageContent(raw, version);
    expect(report.problems).toEqual([]);
    expect(report.content?.current.size).toBeGreaterThanOrEqual(25);
    expect(report.content?.module0.id).toBe('module-0');
  });

  it('labels every pathway file as demonstration content, not for clinical use', () => {
    for (const f of raw.pathways) {
      expect(readFileSync(contentPath(f.file), 'utf8'), f.file).toMatch(
        /DEMONSTRATION CONTENT — NOT FOR CLINICAL USE/,
      );
    }
  });

  it('uses the full range of dispositions, from cardiac arrest to self-care', () => {
    const content = validateTriageContent(raw, version).content;
    const used = new Set<string>();
    for (const pw of content?.pathways.values() ?? [])
      for (const qn of pw.questions.values())
        for (const o of qn.type === 'number' ? qn.bands : [...qn.answers.values()])
          if (o.target.kind === 'disposition') used.add(o.target.code);
    for (const code of [
      'Dx010',
      'Dx011',
      'Dx0116',
      'Dx012',
      'Dx02',
      'Dx03',
      'Dx05',
      'Dx06',
      'Dx08',
      'Dx09',
      'Dx10',
      'Dx11',
      'Dx12',
      'Dx14',
      'Dx15',
      'Dx17',
      'Dx39',
      'Dx75',
    ])
      expect(used, code).toContain(code);
  });
});

describe('the validator rejects broken content with a message naming pathway, node and path', () => {
  it('a removed edge (an answer with no outcome) is a dead end', () => {
    const problems = problemsOf(mutated('chest-pain', (d) => delete q(d, 'sweaty').answers?.no));
    expect(problems).toContainEqual(
      expect.objectContaining({
        pointer: 'pathway chest-pain@1 / question sweaty / answer no',
        rule: 'no-dead-ends',
      }),
    );
  });

  it('an answer leading nowhere is a dead end', () => {
    const problems = problemsOf(
      mutated('chest-pain', (d) => ((q(d, 'sweaty').answers as Record<string, unknown>).no = {})),
    );
    expect(problems.map((p) => p.rule)).toContain('no-dead-ends');
  });

  it('an added cycle is rejected, showing the loop', () => {
    const problems = problemsOf(
      mutated(
        'chest-pain',
        (d) => ((q(d, 'history').answers as Record<string, unknown>).no = { next: 'spreading' }),
      ),
    );
    const cycle = problems.find((p) => p.rule === 'no-cycles');
    expect(cycle?.message).toBe('cycle: spreading → sweaty → breathless → history → spreading');
    expect(cycle?.pointer).toBe('pathway chest-pain@1 / question history');
  });

  it('a question nothing leads to is unreachable', () => {
    const problems = problemsOf(
      mutated(
        'sore-throat',
        (d) => ((q(d, 'breathing').answers as Record<string, unknown>).no = { next: 'days' }),
      ),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ pointer: 'pathway sore-throat@1 / question immune', rule: 'no-unreachable' }),
    );
  });

  it('a dangling next names the path that reaches it', () => {
    const problems = problemsOf(
      mutated(
        'sore-throat',
        (d) => ((q(d, 'breathing').answers as Record<string, unknown>).no = { next: 'nowhere' }),
      ),
    );
    const p = problems.find((x) => x.rule === 'no-dangling');
    expect(p?.pointer).toBe('pathway sore-throat@1 / question breathing / answer no');
    expect(p?.message).toBe(
      'dangling reference: question nowhere does not exist (path: swallow → (no) → breathing (no) → nowhere)',
    );
  });

  it.each([
    [
      'disposition',
      (d: Doc) => ((q(d, 'immune').answers as Record<string, unknown>).yes = { dx: 'Dx999' }),
      'known-disposition',
      /disposition Dx999/,
    ],
    [
      'finding',
      (d: Doc) => (q(d, 'immune').finding = 'no_such_finding' as never),
      'known-finding',
      /finding no_such_finding/,
    ],
    [
      'discriminator',
      (d: Doc) => ((q(d, 'immune').answers as Record<string, unknown>).yes = { dx: 'Dx14', sd: 'SDX999' }),
      'known-discriminator',
      /SDX999/,
    ],
    ['symptom group', (d: Doc) => (d.symptom_group = 'SGX999'), 'known-symptom-group', /SGX999/],
  ])('a dangling %s reference is rejected', (_what, mutate, rule, message) => {
    const problems = problemsOf(mutated('sore-throat', mutate));
    const p = problems.find((x) => x.rule === rule);
    expect(p?.message).toMatch(message);
    expect(p?.pointer).toMatch(/^pathway sore-throat@1/);
  });

  it('overlapping numeric ranges are rejected', () => {
    const problems = problemsOf(
      mutated(
        'chest-pain',
        (d) =>
          ((
            (q(d, 'score').ranges as unknown as Record<string, unknown>[])[1] as Record<string, unknown>
          ).from = 3),
      ),
    );
    expect(problems).toContainEqual({
      pointer: 'pathway chest-pain@1 / question score',
      message:
        'range overlap: −∞–4 and 3–7 overlap (path: crushing → (no) → spreading → (no) → sweaty → (no) → breathless → (no) → history → (no) → score)',
      rule: 'ranges-cover-line',
    });
  });

  it('a gap between numeric ranges is rejected', () => {
    const problems = problemsOf(
      mutated(
        'chest-pain',
        (d) =>
          ((
            (q(d, 'score').ranges as unknown as Record<string, unknown>[])[1] as Record<string, unknown>
          ).from = 5),
      ),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(
          /^range gap: nothing covers 4 up to 5 \(path: crushing → .* → score\)$/,
        ),
        rule: 'ranges-cover-line',
      }),
    );
  });

  it('ranges that stop short of infinity are rejected', () => {
    const problems = problemsOf(
      mutated(
        'chest-pain',
        (d) =>
          ((
            (q(d, 'score').ranges as unknown as Record<string, unknown>[])[2] as Record<string, unknown>
          ).below = 11),
      ),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/^range gap: nothing covers values from 11 up/),
      }),
    );
  });

  it('only module 0 may continue to a pathway, and module 0 must exist', () => {
    const problems = problemsOf(
      mutated(
        'sore-throat',
        (d) => ((q(d, 'immune').answers as Record<string, unknown>).no = { continue: true }),
      ),
    );
    expect(problems.map((p) => p.rule)).toContain('module0-precedes');
    const without = { ...raw, pathways: raw.pathways.filter((f) => (f.doc as Doc).id !== 'module-0') };
    expect(problemsOf(without)).toContainEqual(
      expect.objectContaining({ pointer: 'module 0', rule: 'module0-precedes' }),
    );
  });

  it('an approved pathway may not change: a change is a new version', () => {
    const approvals = new Map([['earache@1', 'a'.repeat(64)]]);
    const problems = problemsOf(mutated('earache', () => undefined, { approvals }));
    expect(problems).toContainEqual(
      expect.objectContaining({ pointer: 'pathway earache@1', rule: 'approved-is-immutable' }),
    );
    expect(problems[0]?.message).toMatch(/save the change as version 2/);
    // A draft may change freely (earache@1 has no text that YAML split, which a draft may not have).
    expect(problemsOf(mutated('earache', (d) => (d.status = 'draft'), { approvals }))).toEqual([]);
  });

  it('an approved pathway names who approved it and when', () => {
    const problems = problemsOf(mutated('sore-throat', (d) => delete d.approved_by));
    expect(problems.map((p) => p.rule)).toContain('approval-recorded');
  });

  it('a question must say why it is asked, and have a safe default it can take', () => {
    expect(
      problemsOf(mutated('sore-throat', (d) => delete q(d, 'immune').rationale)).map((p) => p.message),
    ).toContain('rationale is required: say why the question is asked');
    expect(
      problemsOf(mutated('sore-throat', (d) => (q(d, 'immune').safe_default = 'maybe' as never))).map(
        (p) => p.rule,
      ),
    ).toContain('safe-default');
  });
});

describe('approved pathways are immutable against the real approvals record', () => {
  it('records every approved pathway, and catches a change in meaning but not in layout', async () => {
    const { canonicalJson } = await import('../../content/triage');
    const { createHash } = await import('node:crypto');
    for (const f of raw.pathways)
      expect(raw.approvals.get(`${(f.doc as Doc).id}@${(f.doc as Doc).version}`)).toBe(f.hash);
    const rehash = (r: RawTriageContent): RawTriageContent => ({
      ...r,
      pathways: r.pathways.map((f) => ({
        ...f,
        hash: createHash('sha256').update(canonicalJson(f.doc)).digest('hex'),
      })),
    });
    expect(problemsOf(rehash(raw))).toEqual([]);
    const edited = rehash(mutated('burns', (d) => (q(d, 'blisters').text = 'Has it blistered?' as never)));
    expect(problemsOf(edited)).toEqual([
      expect.objectContaining({ pointer: 'pathway burns@1', rule: 'approved-is-immutable' }),
    ]);
  });
});

describe('versions', () => {
  const shipped = raw.pathways.filter((f) => (f.doc as Doc).id === 'sore-throat');
  const newest = Math.max(...shipped.map((f) => (f.doc as Doc).version as number));
  const next = newest + 1;
  const withV2 = (status: 'draft' | 'approved') => {
    const v1 = shipped.find((f) => (f.doc as Doc).version === 1);
    const doc = structuredClone(v1?.doc) as Doc;
    doc.version = next;
    doc.status = status;
    // Version 1's report line was split by YAML at a comma; a version new sessions use may not be.
    q(doc, 'swallow').answers = {
      ...q(doc, 'swallow').answers,
      yes: { dx: 'Dx02', sd: 'SD4052', report: 'Sore throat, cannot swallow saliva' },
    };
    (q(doc, 'days').ranges as unknown as Record<string, unknown>[]).splice(
      0,
      2,
      { below: 5, dx: 'Dx39' },
      { from: 5, dx: 'Dx75' },
    );
    return {
      ...raw,
      pathways: [...raw.pathways, { file: `pathways/sore-throat.v${next}.yaml`, hash: 'b'.repeat(64), doc }],
    };
  };

  it('new sessions use the newest approved version; a draft waits; old versions stay for replay', async () => {
    const { step } = await import('./index');
    const draft = validateTriageContent(withV2('draft'), version).content;
    expect(draft?.current.get('sore-throat')?.version).toBe(newest);
    const approved = validateTriageContent(withV2('approved'), version).content;
    if (!approved) throw new Error('expected valid content');
    expect(approved.current.get('sore-throat')?.version).toBe(next);
    const answers = [
      ...['unresponsive', 'choking', 'fitting', 'bleeding'].map((questionId) => ({
        pathwayId: 'module-0',
        questionId,
        value: 'no',
      })),
      ...['swallow', 'breathing', 'immune'].map((questionId) => ({
        pathwayId: 'sore-throat',
        questionId,
        value: 'no',
      })),
      { pathwayId: 'sore-throat', questionId: 'days', value: 6 },
    ];
    const on = (v: number) =>
      step(approved, { pathwayId: 'sore-throat', pathwayVersion: v, module0Version: 1, answers });
    expect(on(1)).toMatchObject({ kind: 'disposition', disposition: { code: 'Dx39' } });
    expect(on(next)).toMatchObject({ kind: 'disposition', disposition: { code: 'Dx75' } });
  });

  it('two files may not hold the same pathway version', () => {
    const dup = {
      ...raw,
      pathways: [
        ...raw.pathways,
        { ...(raw.pathways[0] as RawTriageContent['pathways'][number]), file: 'pathways/copy.yaml' },
      ],
    };
    expect(problemsOf(dup).map((p) => p.rule)).toContain('unique-pathway-version');
  });

  it('problems found in a question say how the question is reached', () => {
    const problems = problemsOf(mutated('chest-pain', (d) => delete q(d, 'sweaty').answers?.no));
    expect(problems[0]?.message).toBe(
      'dead end: no outcome for the answer "no" (path: crushing → (no) → spreading → (no) → sweaty)',
    );
  });
});

describe('safe defaults are the cautious answers', () => {
  it('rejects a safe default when another answer can lead somewhere more urgent', () => {
    const problems = problemsOf(mutated('burns', (d) => (q(d, 'blisters').safe_default = 'no' as never)));
    expect(problems).toEqual([
      expect.objectContaining({ pointer: 'pathway burns@1 / question blisters', rule: 'safe-default' }),
    ]);
    const number = problemsOf(mutated('chest-pain', (d) => (q(d, 'score').safe_default = 1 as never)));
    expect(number.map((p) => p.pointer)).toEqual(['pathway chest-pain@1 / question score']);
  });
});

/** The real content with the version new sessions use (the newest) of one pathway changed. */
function mutatedCurrent(id: string, mutate: (doc: Doc) => void): RawTriageContent {
  const newest = Math.max(
    ...raw.pathways.filter((f) => (f.doc as Doc).id === id).map((f) => (f.doc as Doc).version as number),
  );
  return {
    ...raw,
    pathways: raw.pathways.map((f) => {
      if ((f.doc as Doc).id !== id || (f.doc as Doc).version !== newest) return f;
      const doc = structuredClone(f.doc) as Doc;
      mutate(doc);
      return { ...f, doc };
    }),
  };
}

describe('text that YAML split is caught', () => {
  it('an unquoted comma in flow-mapping advice is rejected, naming the cut-off fragment', () => {
    // What YAML makes of the unquoted line: advice "If not allergic" and a field "chew one … aspirin".
    const outcome = parse('{ dx: Dx011, advice: If not allergic, chew one 300 mg aspirin }') as Record<
      string,
      unknown
    >;
    expect(outcome.advice).toBe('If not allergic');
    const problems = problemsOf(
      mutatedCurrent('chest-pain', (d) => {
        q(d, 'crushing').answers = { ...q(d, 'crushing').answers, yes: outcome };
      }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        pointer: expect.stringMatching(/^pathway chest-pain@\d+ \/ question crushing \/ answer yes$/),
        rule: 'text-not-split',
        message: expect.stringContaining('"chew one 300 mg aspirin" is a fragment'),
      }),
    ]);
    // Quoted, the same line is one piece of text and valid.
    const quoted = parse('{ dx: Dx011, advice: "If not allergic, chew one 300 mg aspirin" }');
    expect(
      problemsOf(
        mutatedCurrent('chest-pain', (d) => {
          q(d, 'crushing').answers = { ...q(d, 'crushing').answers, yes: quoted };
        }),
      ),
    ).toEqual([]);
  });

  it('a report given as a list is rejected', () => {
    const problems = problemsOf(
      mutatedCurrent('bleeding', (d) => {
        q(d, 'gaping').answers = {
          ...q(d, 'gaping').answers,
          yes: { dx: 'Dx03', report: ['Gaping wound', 'needs stitches'] },
        };
      }),
    );
    expect(problems.map((p) => [p.rule, p.message])).toEqual([
      ['text-not-split', 'report must be one line of text, not a list'],
    ]);
  });

  it('a superseded approved version keeps its text as approved (old sessions replay exactly)', () => {
    // chest-pain@1 has the historic split aspirin advice and is still loaded, for replay only.
    const v1 = raw.pathways.find((f) => (f.doc as Doc).id === 'chest-pain' && (f.doc as Doc).version === 1);
    expect(JSON.stringify(v1?.doc)).toContain('"chew one 300 mg aspirin; sit down and rest.":null');
    expect(problemsOf(raw)).toEqual([]);
  });
});

describe('a safe default may not contradict what is already known', () => {
  it('rejects a pathway default that assumes what module 0 excluded', () => {
    const problems = problemsOf(
      mutatedCurrent('bleeding', (d) => {
        d.questions.unshift({
          id: 'awake',
          finding: 'unresponsive',
          text: 'Is the patient unconscious?',
          rationale: 'A test question.',
          safe_default: 'yes',
          answers: { yes: { dx: 'Dx011' }, no: { next: d.start } },
        });
        d.start = 'awake';
      }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        rule: 'default-not-contradicting',
        message: expect.stringContaining('unresponsive is already "no"'),
      }),
    ]);
  });

  it('rejects a default that contradicts an earlier answer in the same pathway on some path', () => {
    const problems = problemsOf(
      mutatedCurrent('chest-pain', (d) => {
        // After "breathless: no", ask breathlessness again defaulting to "yes".
        q(d, 'breathless').answers = { ...q(d, 'breathless').answers, no: { next: 'again' } };
        d.questions.push({
          id: 'again',
          finding: 'breathless',
          text: 'Is the patient breathless at all?',
          rationale: 'A test question.',
          safe_default: 'yes',
          answers: { yes: { dx: 'Dx02' }, no: { next: 'history' } },
        });
      }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        pointer: expect.stringMatching(/question again$/),
        rule: 'default-not-contradicting',
        message: expect.stringContaining('breathless is already "no" (path: crushing → (no) → spreading'),
      }),
    ]);
  });
});
