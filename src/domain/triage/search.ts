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

/** Whether the pathway is for a patient of this age (years) and sex. */
export function pathwayFits(pw: Pathway, ageYears: number | undefined, sex: Sex | undefined): boolean {
  if (ageYears !== undefined && (ageYears < pw.age.minYears || ageYears >= pw.age.maxYears)) return false;
  if (sex !== undefined && pw.sex !== 'any' && pw.sex !== sex) return false;
  return true;
}

export interface PathwayMatch {
  readonly pathway: Pathway;
  readonly score: number;
  /** The words or phrases that matched, for showing why. */
  readonly matched: readonly string[];
}

/**
 * Words that say how something is, not what or where: they describe symptoms of any pathway, so on their
 * own they cannot choose one ("painful", "swollen" or "bad" anything must not all go to one pathway).
 * They still count inside a phrase ("sore throat"), but the phrase's weight comes from its other words.
 */
const GENERIC = new Set([
  'pain',
  'pains',
  'painful',
  'sore',
  'swollen',
  'swelling',
  'swell',
  'hurt',
  'hurts',
  'hurting',
  'ache',
  'aching',
  'achy',
  'red',
  'itchy',
  'severe',
  'mild',
  'worse',
  'sudden',
  'suddenly',
  'lot',
  'bit',
  'little',
  'problem',
  'problems',
  'days',
  'since',
  'today',
  'yesterday',
  'now',
  'still',
  'all',
  'over',
  'keeps',
  'cant',
  'not',
  'no',
  'wont',
  'after',
  'from',
  'high',
  'low',
  'short',
  'one',
  'both',
  'side',
  'left',
  'right',
  'off',
  'out',
  'up',
  'down',
  'again',
  'coming',
  'going',
  'gone',
  'lost',
  'blood',
  'hot',
  'should',
  'what',
  'do',
  'can',
  'could',
  'would',
  'think',
  'again',
]);

/** How much a word says about which pathway: a body site or symptom word 3, a generic word 0.5. */
export const wordWeight = (w: string): number => (GENERIC.has(w) ? 0.5 : 3);

/** Endings that make another form of the same word ("bleed", "bleeding"; "burn", "burnt"). */
const ENDINGS = ['s', 'es', 'd', 'ed', 't', 'ing', 'er', 'ers', 'y', 'ly', 'ness', 'less'];
const withEnding = (long: string, short: string): boolean =>
  short.length >= 4 && long.startsWith(short) && ENDINGS.includes(long.slice(short.length));

/** Whether two words are the same word: equal, or one is the other with an ending ("table" is not "tablets"). */
const sameWord = (q: string, k: string): boolean =>
  q !== '' && (q === k || withEnding(q, k) || withEnding(k, q));

/**
 * Everyday phrases whose words name no body site or symptom: "it keeps coming back" is not back pain, "on
 * and off" not a cut. They are taken out of the caller's words, as phrases, before anything is matched
 * (compared without small words, as the query is).
 */
const IDIOMS = [
  'keeps coming back',
  'coming back',
  'came back',
  'comes back',
  'back again',
  'back to normal',
  'back from',
  'get back',
  'go back',
  'went back',
  'on and off',
  'all over',
  'cut down',
  'cut back',
  'cutting down',
  'sick and tired',
]
  .map((t) => tokens(t))
  // An idiom of one word left after the small words go would take that word out everywhere.
  .filter((t) => t.length >= 2);

/** The words with each idiom taken out; a gap ("") is left so that no phrase joins across it. */
function withoutIdioms(words: readonly string[]): string[] {
  const out = [...words];
  for (const idiom of IDIOMS)
    for (let i = 0; i + idiom.length <= out.length; i++)
      if (idiom.every((w, j) => out[i + j] === w)) for (let j = 0; j < idiom.length; j++) out[i + j] = '';
  return out;
}

interface Phrase {
  readonly words: readonly string[];
  /** Title 4, keyword 3, a synonym of the first question's finding 1. */
  readonly weight: number;
}

interface Index {
  readonly title: readonly string[];
  readonly phrases: readonly Phrase[];
  readonly words: ReadonlySet<string>;
}
const indexes = new WeakMap<Pathway, Index>();

function indexOf(content: TriageContent, pw: Pathway): Index {
  const had = indexes.get(pw);
  if (had) return had;
  // Phrases are compared without their small words, so "heart is racing" matches "heart racing" and
  // "pain in my chest" matches "pain in chest".
  const phrases: Phrase[] = [];
  const add = (text: string, weight: number) => {
    const words = tokens(text);
    const key = words.join(' ');
    if (words.length > 0 && !phrases.some((p) => p.words.join(' ') === key)) phrases.push({ words, weight });
  };
  add(pw.title, 4);
  for (const k of pw.keywords) add(k, 3);
  // The first question's finding describes the pathway's presenting symptom too.
  const first = pw.questions.get(pw.start);
  const finding = first ? content.findings.get(first.finding) : undefined;
  if (finding) for (const syn of finding.synonyms) add(syn, 1);
  const words = new Set(phrases.filter((p) => p.weight >= 3).flatMap((p) => p.words));
  const idx = { title: tokens(pw.title), phrases, words };
  indexes.set(pw, idx);
  return idx;
}

/** Where `phrase` occurs in `query` as whole consecutive words (word endings allowed), or -1. */
function findPhrase(query: readonly string[], phrase: readonly string[]): number {
  for (let i = 0; i + phrase.length <= query.length; i++)
    if (phrase.every((w, j) => sameWord(query[i + j] as string, w))) return i;
  return -1;
}

/**
 * Finds pathways by the caller's words. A phrase from a pathway's title or keywords found in the words
 * as a phrase (whole words, in order) scores its weight times the sum of its word weights, so "sore
 * throat" counts for "throat" far more than for "sore"; a query word no phrase covered scores its word
 * weight if the pathway's title or keywords have it. Body-site and symptom words therefore decide, and a
 * generic word ("painful", "swollen") alone barely counts. Only pathways for the patient's age and sex
 * are returned, best first; ties go to the more specific pathway (the longer phrase matched, then the
 * narrower age band, then the fewer keywords), never to alphabetical order.
 */
export function searchPathways(
  content: TriageContent,
  query: string,
  patient: { ageYears?: number; sex?: Sex } = {},
): PathwayMatch[] {
  const qWords = withoutIdioms(tokens(query));
  const scored: { m: PathwayMatch; longest: number }[] = [];
  for (const pw of content.current.values()) {
    if (!pathwayFits(pw, patient.ageYears, patient.sex)) continue;
    const idx = indexOf(content, pw);
    let score = 0;
    let longest = 0;
    const matched: string[] = [];
    const covered = new Set<number>();
    // Each of the caller's words counts once: the phrases found, best first, each on words no better
    // phrase has taken ("short of breath" and "shortness of breath" do not both count).
    const found = idx.phrases
      .map((p) => ({ p, at: findPhrase(qWords, p.words) }))
      .filter((x) => x.at >= 0)
      // Weighed by the caller's own words: "short" of breath is generic even where "shortness" matched it.
      .map((x) => ({ ...x, said: qWords.slice(x.at, x.at + x.p.words.length) }))
      .filter((x) => !x.said.every((w) => GENERIC.has(w)))
      .map((x) => ({ ...x, value: x.p.weight * x.said.reduce((sum, w) => sum + wordWeight(w), 0) }))
      .sort((a, b) => b.value - a.value || b.p.words.length - a.p.words.length);
    for (const { p, at, value } of found) {
      const span = p.words.map((_, j) => at + j);
      if (span.some((i) => covered.has(i))) continue;
      // The caller says first what they call about: a phrase at the start counts up to a quarter more.
      score += value * (1 + 0.25 * (1 - at / Math.max(1, qWords.length)));
      longest = Math.max(longest, p.words.length);
      matched.push(p.words.join(' '));
      for (const i of span) covered.add(i);
    }
    qWords.forEach((w, i) => {
      if (covered.has(i) || GENERIC.has(w)) return;
      if ([...idx.words].some((x) => sameWord(w, x))) {
        // A word of the title names what the pathway is about ("eye" for Eye problems, not Eyelid).
        score += wordWeight(w) * (idx.title.some((x) => sameWord(w, x)) ? 1.5 : 1);
        if (!matched.includes(w)) matched.push(w);
      }
    });
    if (score > 0) scored.push({ m: { pathway: pw, score, matched }, longest });
  }
  const width = (pw: Pathway) => pw.age.maxYears - pw.age.minYears;
  return scored
    .sort(
      (a, b) =>
        b.m.score - a.m.score ||
        b.longest - a.longest ||
        Number(b.m.pathway.sex !== 'any') - Number(a.m.pathway.sex !== 'any') ||
        width(a.m.pathway) - width(b.m.pathway) ||
        a.m.pathway.keywords.length - b.m.pathway.keywords.length ||
        // Only for two pathways the same in every respect above: a fixed order, so runs are repeatable.
        (a.m.pathway.id < b.m.pathway.id ? -1 : a.m.pathway.id > b.m.pathway.id ? 1 : 0),
    )
    .map((x) => x.m);
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
