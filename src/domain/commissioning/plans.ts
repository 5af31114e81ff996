import { conflict, invalid } from '../errors';
import { planProblems, submissionProblems } from './rules';
import type { PlanDraft, Provider, RolloutPlan } from './types';

/**
 * Writes a commissioner's draft onto an area's plan (new or existing). Any edit takes the plan back to
 * draft: a submission and a CCG approval were for the plan as it was. An opt-in to the default stays
 * until the area's own plan goes live. Refused, naming each broken rule, when the draft breaks one.
 */
export function editPlan(
  areaCode: string,
  existing: RolloutPlan | undefined,
  draft: PlanDraft,
  providers: ReadonlyMap<string, Provider>,
): RolloutPlan {
  const problems = planProblems(draft, providers);
  if (problems.length > 0) {
    throw invalid(
      `The plan for ${areaCode} breaks ${problems.length === 1 ? 'a rule' : `${problems.length} rules`}: ${problems.map((p) => p.rule).join(', ')}.`,
      problems,
    );
  }
  return {
    areaCode,
    status: draft.status,
    operatingModel: draft.operatingModel,
    providerCodes: [...draft.providerCodes],
    procurementDate: draft.procurementDate,
    goLiveDate: draft.goLiveDate,
    note: draft.note,
    stage: 'draft',
    submittedAt: null,
    submittedBy: null,
    ccgApproval: null,
    defaultOptIn: existing?.defaultOptIn ?? null,
    version: (existing?.version ?? 0) + 1,
  };
}

/** The SHA submits a plan with both dates; it then waits for CCG approval. */
export function submitPlan(plan: RolloutPlan, by: string, at: Date): RolloutPlan {
  if (plan.stage !== 'draft') throw conflict(`The plan for ${plan.areaCode} is already ${plan.stage}.`);
  const problems = submissionProblems(plan);
  if (problems.length > 0) {
    throw invalid(`The plan for ${plan.areaCode} cannot be submitted yet.`, problems);
  }
  return {
    ...plan,
    stage: 'submitted',
    submittedAt: at.toISOString(),
    submittedBy: by,
    version: plan.version + 1,
  };
}

/** A CCG approves a submitted plan; with both dates the plan is then confirmed. */
export function approvePlan(plan: RolloutPlan, by: string, ccgCode: string, at: Date): RolloutPlan {
  if (plan.stage !== 'submitted') {
    throw conflict(
      plan.stage === 'approved'
        ? `The plan for ${plan.areaCode} is already approved.`
        : `The plan for ${plan.areaCode} must be submitted by the SHA before a CCG can approve it.`,
    );
  }
  return {
    ...plan,
    stage: 'approved',
    ccgApproval: { by, ccgCode, at: at.toISOString() },
    version: plan.version + 1,
  };
}

/** Withdraws an area's own plan; an opt-in to the default provider, if any, still stands. */
export function withdrawPlan(plan: RolloutPlan): RolloutPlan {
  if (plan.status === 'withdrawn') throw conflict(`The plan for ${plan.areaCode} is already withdrawn.`);
  return {
    ...plan,
    status: 'withdrawn',
    stage: 'draft',
    submittedAt: null,
    submittedBy: null,
    ccgApproval: null,
    version: plan.version + 1,
  };
}
