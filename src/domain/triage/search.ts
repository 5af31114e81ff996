import type { Pathway, Sex, TriageContent } from './types';

const STOP = new Set([
  'a',
  'an',
  'the',
  'i',
  'my',
  'me',
  'is',
  'am',
  'have',
  'has',
  'got',
  'and',
  'of',
  'in',
  'on',
  'with',
  'to',
  'it',
  'he',
  'she',
  'they',
  'their',
  'his',
  'her',
  'very',
  'really',
  'bad',
  'feel',
  'feeling',
  'some',
  'been',
]);

/** Lower case, apostrophes dropped ("can't" → "cant"), everything else not a letter or digit a space. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’'`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const tokens = (text: string): string[] =>
  normalise(text)
    .split(' ')
    .filter((t) => t && !STOP.has(t));

export interface PathwayMatch {
  readonly pathway: Pathway;
  readonly score: number;
  /** The words or phrases that matched, for showing why. */
  readonly matched: readonly string[];
}

/** Whether the pathway is for a patient of this age (years) and sex. */
export function pathwayFits(pw: Pathway, ageYears: number | undefined, sex: Sex | undefined): boolean {
  if (ageYears !== undefined && (ageYears < pw.age.minYears || ageYears >= pw.age.maxYears)) return false;
  if (sex !== undefined && pw.sex !== 'any' && pw.sex !== sex) return false;
  return true;
}

interface Index {
  readonly phrases: readonly { readonly text: string; readonly weight: number }[];
  readonly words: ReadonlySet<string>;
}
const indexes = new WeakMap<Pathway, Index>();

function indexOf(content: TriageContent, pw: Pathway): Index {
  const had = indexes.get(pw);
  if (had) return had;
  // Phrases are compared without their small words, so "heart is racing" matches "heart racing" and
  // "pain in my chest" matches "pain in chest".
  const phrases: { text: string; weight: number }[] = [{ text: tokens(pw.title).join(' '), weight: 12 }];
  for (const k of pw.keywords) {
    const text = tokens(k).join(' ');
    if (!phrases.some((p) => p.text === text)) phrases.push({ text, weight: 10 });
  }
  // The first question's finding describes the pathway's presenting symptom too.
  const first = pw.questions.get(pw.start);
  const finding = first ? content.findings.get(first.finding) : undefined;
  if (finding) for (const s of finding.synonyms) phrases.push({ text: tokens(s).join(' '), weight: 3 });
  const words = new Set(phrases.filter((p) => p.weight >= 10).flatMap((p) => tokens(p.text)));
  const idx = { phrases, words };
  indexes.set(pw, idx);
  return idx;
}

/**
 * Finds pathways by the caller's words: whole phrases from titles, keywords and synonyms score most,
 * single words less. Only pathways for the patient's age and sex are returned, best first.
 */
export function searchPathways(
  content: TriageContent,
  query: string,
  patient: { ageYears?: number; sex?: Sex } = {},
): PathwayMatch[] {
  const qWords = tokens(query);
  const q = ` ${qWords.join(' ')} `;
  const out: PathwayMatch[] = [];
  for (const pw of content.current.values()) {
    if (!pathwayFits(pw, patient.ageYears, patient.sex)) continue;
    const idx = indexOf(content, pw);
    let score = 0;
    const matched: string[] = [];
    for (const p of idx.phrases) {
      if (p.text && q.includes(` ${p.text} `)) {
        score += p.weight * p.text.split(' ').length;
        matched.push(p.text);
      }
    }
    for (const w of qWords) {
      if (
        idx.words.has(w) ||
        (w.length >= 5 && [...idx.words].some((x) => x.startsWith(w) || (w.startsWith(x) && x.length >= 5)))
      ) {
        score += 2;
        if (!matched.some((m) => m.split(' ').includes(w))) matched.push(w);
      }
    }
    if (score > 0) out.push({ pathway: pw, score, matched });
  }
  return out.sort((a, b) => b.score - a.score || a.pathway.title.localeCompare(b.pathway.title));
}

/** Every current pathway that fits the patient, by title (for browsing without words). */
export function pathwaysFor(
  content: TriageContent,
  patient: { ageYears?: number; sex?: Sex } = {},
): Pathway[] {
  return [...content.current.values()]
    .filter((pw) => pathwayFits(pw, patient.ageYears, patient.sex))
    .sort((a, b) => a.title.localeCompare(b.title));
}
