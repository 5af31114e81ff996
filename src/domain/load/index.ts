export { answerKey, callersByOutcome, type ScriptedCaller, scriptedCallers } from './callers';
export {
  mixSampler,
  NATIONAL_MIX,
  OUTCOME_CLASSES,
  type OutcomeClass,
  type OutcomeMix,
  outcomeClassOf,
  readOutcomeMix,
} from './mix';
