export { applyCaseEvent, caseFromEvents, caseStatus, openedCase } from './lifecycle';
export {
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
} from './outcome';
export type * from './types';
