import type { Disposition, DispositionCatalogue } from '../dispositions/index';

/** Sex as pathways filter on it; `any` on a pathway means it applies to everyone. */
export const SEXES = ['female', 'male'] as const;
export type Sex = (typeof SEXES)[number];

/** A clinical finding from the controlled vocabulary: what a question asks about. */
export type Finding =
  | {
      readonly code: string;
      readonly label: string;
      readonly synonyms: readonly string[];
      readonly snomed: string | null;
      readonly kind: 'boolean';
    }
  | {
      readonly code: string;
      readonly label: string;
      readonly synonyms: readonly string[];
      readonly snomed: string | null;
      readonly kind: 'number';
      readonly unit: string;
      /** The plausible range an answer must fall in (inclusive). */
      readonly min: number;
      readonly max: number;
    }
  | {
      readonly code: string;
      readonly label: string;
      readonly synonyms: readonly string[];
      readonly snomed: string | null;
      readonly kind: 'choice';
      readonly options: readonly { readonly value: string; readonly label: string }[];
    };

export type FindingKind = Finding['kind'];

export interface CodedConcept {
  readonly code: string;
  readonly title: string;
  /** True for codes this project made up for its demonstration content (not national codes). */
  readonly demonstration: boolean;
}

/** Where an answer leads: the next question, a disposition, or (module 0 only) on to the pathway. */
export type Target =
  | { readonly kind: 'question'; readonly questionId: string }
  | { readonly kind: 'disposition'; readonly code: string }
  | { readonly kind: 'continue' };

export interface Outcome {
  readonly target: Target;
  /** Symptom discriminator carried by this answer, if any. */
  readonly sd: string | null;
  /** Text for the call record. */
  readonly report: string | null;
  /** Care advice specific to this answer, given with the disposition's own advice. */
  readonly advice: string | null;
}

/** A numeric answer band: from `from` (inclusive, null = −∞) below `below` (exclusive, null = +∞). */
export interface NumberBand extends Outcome {
  readonly from: number | null;
  readonly below: number | null;
}

/** An answer as given: yes/no, a choice's value, a number, or {@link DONT_KNOW}. */
export type AnswerValue = string | number;

/**
 * The answer "don't know", which every question takes. It is stored as given (the record says the caller
 * did not know) and the engine follows the question's cautious path for it: the content's own
 * `dont_know` outcome where the question has one, otherwise the outcome of its safe default (in module
 * 0, whose safe defaults are "no", the answer that can lead to the most urgent disposition).
 */
export const DONT_KNOW = 'dont_know';

export interface QuestionBase {
  readonly id: string;
  readonly finding: string;
  readonly text: string;
  readonly rationale: string;
  readonly safeDefault: AnswerValue;
  /** Where "don't know" leads when the content says so itself (number questions mostly); else null. */
  readonly dontKnow: Outcome | null;
}

export type Question =
  | (QuestionBase & { readonly type: 'yes_no'; readonly answers: ReadonlyMap<string, Outcome> })
  | (QuestionBase & {
      readonly type: 'choice';
      readonly answers: ReadonlyMap<string, Outcome>;
      readonly options: readonly { readonly value: string; readonly label: string }[];
    })
  | (QuestionBase & {
      readonly type: 'number';
      readonly unit: string;
      readonly bands: readonly NumberBand[];
    });

export type QuestionType = Question['type'];

export interface AgeBand {
  /** Inclusive lower bound in years. */
  readonly minYears: number;
  /** Exclusive upper bound in years. */
  readonly maxYears: number;
}

export interface Pathway {
  readonly id: string;
  readonly title: string;
  readonly kind: 'module0' | 'pathway';
  readonly symptomGroup: string;
  readonly sex: Sex | 'any';
  readonly age: AgeBand;
  readonly version: number;
  readonly status: 'draft' | 'approved';
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  readonly keywords: readonly string[];
  readonly start: string;
  readonly questions: ReadonlyMap<string, Question>;
  /** Questions in the order the file lists them (for display and FHIR). */
  readonly order: readonly string[];
  /** sha256 of the source, for the approved-is-immutable rule. */
  readonly hash: string;
}

/** Everything triage needs, validated: the vocabulary, codes, dispositions, module 0 and pathways. */
export interface TriageContent {
  /** A digest of all triage content: sessions record it. */
  readonly version: string;
  readonly findings: ReadonlyMap<string, Finding>;
  readonly dispositions: DispositionCatalogue;
  readonly symptomGroups: ReadonlyMap<string, CodedConcept>;
  readonly discriminators: ReadonlyMap<string, CodedConcept>;
  readonly module0: Pathway;
  /** Every version of every pathway, keyed `id@version` (old versions stay for replay). */
  readonly pathways: ReadonlyMap<string, Pathway>;
  /** The version of each pathway new sessions use, keyed by id: the newest approved one. */
  readonly current: ReadonlyMap<string, Pathway>;
}

/** One answer as the engine consumes it. */
export interface GivenAnswer {
  readonly pathwayId: string;
  readonly questionId: string;
  readonly value: AnswerValue;
}

/** The session as the engine sees it: which pathway, which versions, and the answers in order. */
export interface SessionInput {
  readonly pathwayId: string;
  readonly pathwayVersion: number;
  readonly module0Version: number;
  readonly answers: readonly GivenAnswer[];
}

export interface PathStep {
  readonly pathwayId: string;
  readonly questionId: string;
  readonly value: AnswerValue;
  /**
   * For a "don't know": the answer whose path was followed instead, or null when the question's own
   * `dont_know` outcome was. Equal to `value` for every other answer.
   */
  readonly takenAs: AnswerValue | null;
  readonly sd: string | null;
  readonly report: string | null;
}

export type StepResult =
  | {
      readonly kind: 'question';
      readonly pathwayId: string;
      readonly question: Question;
      readonly path: readonly PathStep[];
    }
  | {
      readonly kind: 'disposition';
      readonly disposition: Disposition;
      /** Which pathway's answer ended the triage: module 0 or the symptom pathway. */
      readonly endedIn: string;
      readonly path: readonly PathStep[];
      readonly discriminators: readonly string[];
      readonly report: readonly string[];
      /** The disposition's care advice, then advice specific to the answers given. */
      readonly careAdvice: readonly string[];
    };
