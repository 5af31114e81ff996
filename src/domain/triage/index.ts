export {
  answersInForce,
  backTo,
  dontKnowPath,
  labelOfValue,
  outcomeFor,
  outcomesOf,
  pathwayAt,
  type ReplayTrace,
  replay,
  type SessionEvent,
  step,
} from './engine';
export {
  AGE_FINDING,
  type DecidedBy,
  type Evidence,
  type EvidenceResult,
  type EvidenceStep,
  evaluateEvidence,
  evidenceSummary,
  UNREPORTED,
  type Unreported,
} from './evidence';
export { normalise, type PathwayMatch, pathwayFits, pathwaysFor, searchPathways } from './search';
export {
  decideAnswer,
  decideBack,
  decideFinish,
  pathwayToStart,
  type SessionEventDecision,
  type TriageSessionRecord,
} from './session';
export * from './types';
export {
  buildTriageContent,
  checkPathwayGraph,
  type RawTriageContent,
  type ValidationReport,
  validateTriageContent,
} from './validate';
