/** The person the call is about (who may not be the caller). */
export interface Patient {
  readonly name: string;
  /** ISO date, YYYY-MM-DD. */
  readonly birthDate: string;
  readonly sex: 'female' | 'male' | 'other' | 'unknown';
  readonly postcode: string;
  /** ODS code of the patient's registered GP practice, when known: where the post-event message goes. */
  readonly gpPracticeCode?: string;
  readonly phone?: string;
  /** Ten digits, checked with its modulus-11 check digit when the case was opened. */
  readonly nhsNumber?: string;
}

/** What the case's outcome does: dispatch, refer, put through to a clinician, or advise. */
export type OutcomeKind = 'ambulance' | 'referral' | 'callback' | 'self_care';

/** A service chosen from the Directory of Services (opaque here: the directory owns it). */
export interface ChosenService {
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
}

export interface AmbulanceTrustRef {
  readonly code: string;
  readonly name: string;
}

/**
 * Why a clinician is to speak to the patient: the disposition asked for a call-back, a warm transfer
 * found no clinician free (call back within 10 minutes), or the warm transfer went straight through.
 */
export type CallbackReason = 'disposition' | 'warm_transfer_failed' | 'warm_transfer';

/**
 * Why a health adviser's disposition waits for a clinician before it is acted on: an ambulance of
 * category 3 or 4, or an emergency department (A&E) disposition (as 111 does nationally).
 */
export type ValidationReason = 'ambulance_category_3' | 'ambulance_category_4' | 'emergency_department';

/** What the validating clinician decided: a more urgent disposition, the same one, or a less urgent one. */
export type ValidationResult = 'upgraded' | 'confirmed' | 'downgraded';

/** What the receiving service reports after a referral. */
export type ReferralOutcome = 'seen' | 'treated' | 'referred_on' | 'did_not_attend';

/** Everything that can happen to a case; the case is these, folded in order. Never edited, only appended. */
export type CaseEventBody =
  | {
      readonly kind: 'opened';
      readonly callId: string;
      readonly providerCode: string;
      readonly areaCode: string;
      readonly patient: Patient;
    }
  | {
      readonly kind: 'triaged';
      readonly dispositionCode: string;
      readonly triageSessionId: string;
      /** The report text of the assessment, passed on so nobody re-triages. */
      readonly summary: readonly string[];
    }
  | { readonly kind: 'outcome_decided'; readonly outcome: OutcomeKind; readonly dispositionCode: string }
  | { readonly kind: 'referred'; readonly service: ChosenService }
  | { readonly kind: 'ambulance_dispatched'; readonly trust: AmbulanceTrustRef; readonly category: number }
  | { readonly kind: 'warm_transferred' }
  | {
      readonly kind: 'callback_queued';
      readonly dueAt: string;
      readonly priority: CallbackPriority;
      readonly reason: Exclude<CallbackReason, 'warm_transfer'>;
    }
  | { readonly kind: 'callback_started' }
  | {
      readonly kind: 'callback_completed';
      readonly notes: string;
      /**
       * The clinician's own triage on the call-back, when they re-ran it: its disposition replaces the
       * adviser's, and its outcome (an ambulance, a referral, self-care) is decided next, in the same step.
       */
      readonly retriage?: {
        readonly dispositionCode: string;
        readonly triageSessionId: string;
        readonly summary: readonly string[];
      };
    }
  | { readonly kind: 'post_event_sent'; readonly practiceCode: string }
  | { readonly kind: 'post_event_not_sent'; readonly reason: string }
  | { readonly kind: 'closed' }
  | {
      readonly kind: 'validation_queued';
      /** ISO instant: unvalidated by then, the disposition is acted on as it stands (the fail-safe). */
      readonly breachAt: string;
      readonly reason: ValidationReason;
      /** For an A&E disposition, the emergency department the adviser chose: where it goes if confirmed or breached. */
      readonly service?: ChosenService;
    }
  | {
      readonly kind: 'validated';
      readonly result: ValidationResult;
      readonly dispositionCode: string;
      readonly previousDispositionCode: string;
      readonly notes: string;
    }
  | { readonly kind: 'validation_breached' }
  | { readonly kind: 'referral_acknowledged' }
  | { readonly kind: 'referral_outcome_reported'; readonly outcome: ReferralOutcome }
  /** The receiving service had not acknowledged the referral by its due time: an alert on the case. */
  | { readonly kind: 'referral_unacknowledged'; readonly dueAt: string };

export type CaseEventKind = CaseEventBody['kind'];

/** One recorded event: what happened, when, and who did it (user id; null for the system). */
export type CaseEvent = CaseEventBody & {
  readonly caseId: string;
  readonly at: Date;
  readonly by: number | null;
};

/**
 * Where a case is: `open` (patient recorded), `triaged` (a disposition), `awaiting_validation` (an
 * ambulance category 3/4 or A&E disposition waiting for a clinician to validate it), `awaiting_callback` (in the
 * clinical queue), `with_clinician` (call-back under way or warm-transferred), `outcome_complete`
 * (everything the outcome needed has happened), `closed`.
 */
export type CaseStatus =
  | 'open'
  | 'triaged'
  | 'awaiting_validation'
  | 'awaiting_callback'
  | 'with_clinician'
  | 'outcome_complete'
  | 'closed';

/** 1 is most urgent: due within 20 minutes; 2 within an hour; 3 within 4 hours; 4 later. */
export type CallbackPriority = 1 | 2 | 3 | 4;

export interface Callback {
  readonly dueAt: Date;
  readonly priority: CallbackPriority;
  readonly reason: CallbackReason;
  readonly startedAt: Date | null;
  readonly startedBy: number | null;
  readonly completedAt: Date | null;
  readonly notes: string | null;
}

export type PostEvent =
  | { readonly sent: true; readonly practiceCode: string; readonly at: Date }
  | { readonly sent: false; readonly reason: string; readonly at: Date };

/** A case as its events tell it. */
export interface Case {
  readonly id: string;
  readonly callId: string;
  readonly providerCode: string;
  readonly areaCode: string;
  readonly patient: Patient;
  readonly status: CaseStatus;
  readonly openedAt: Date;
  readonly triage: {
    readonly dispositionCode: string;
    readonly triageSessionId: string;
    readonly summary: readonly string[];
    readonly at: Date;
  } | null;
  readonly outcome: OutcomeKind | null;
  readonly outcomeAt: Date | null;
  readonly referral: ChosenService | null;
  readonly dispatch: {
    readonly trust: AmbulanceTrustRef;
    readonly category: number;
    readonly at: Date;
  } | null;
  readonly callback: Callback | null;
  readonly postEvent: PostEvent | null;
  /** Clinical validation of an adviser's ambulance category 3/4 or A&E disposition. */
  readonly validation: Validation | null;
  /** What the receiving service said about the referral (after it, the case may be closed). */
  readonly referralProgress: ReferralProgress;
  readonly closedAt: Date | null;
  /** When the last event happened: events never go back in time. */
  readonly updatedAt: Date;
}

export interface Validation {
  readonly queuedAt: Date;
  readonly breachAt: Date;
  readonly reason: ValidationReason;
  readonly heldService: ChosenService | null;
  readonly dispositionCode: string;
  /** Set when a clinician validated it. */
  readonly result: ValidationResult | null;
  readonly validatedAt: Date | null;
  readonly validatedBy: number | null;
  readonly notes: string | null;
  /** Set when the breach time passed unvalidated and the fail-safe acted. */
  readonly breachedAt: Date | null;
}

export interface ReferralProgress {
  /** When the referral was sent (null: no referral). */
  readonly referredAt: Date | null;
  readonly acknowledgedAt: Date | null;
  readonly outcome: ReferralOutcome | null;
  readonly outcomeAt: Date | null;
  /** When the unacknowledged-referral alert was raised on the case. */
  readonly alertedAt: Date | null;
}
