export { applyCaseEvent, caseFromEvents, caseStatus, openedCase, validationPending } from './lifecycle';
export { checkedNhsNumber, formatNhsNumber, nhsNumberValid } from './nhs-number';
export {
  type CallbackRetriage,
  type CaseMessageKind,
  CLINICIAN_SKILL_SETS,
  callbackDueAt,
  callbackPriority,
  FAILED_WARM_TRANSFER_CALLBACK_MINUTES,
  idempotencyKey,
  MESSAGE_PRIORITY,
  type OutcomeChoice,
  type OutcomePlan,
  outcomeKindFor,
  planCallbackCompletion,
  planOutcome,
  planPostEvent,
  planValidation,
  planValidationBreach,
  VALIDATION_BREACH_MINUTES,
  type ValidationDecision,
  validationBreachAt,
  validationReason,
} from './outcome';
export type * from './types';
