import type { Actor } from '../auth/index';

/** The organisation code of the Department of Health: the national view. */
export const NATIONAL_ORGANISATION = 'DH';

/** A national role sees every area and applies the deadline: a commissioner or administrator at DH. */
export function isNational(actor: Actor): boolean {
  return (
    actor.organisationCode === NATIONAL_ORGANISATION &&
    (actor.role === 'commissioner' || actor.role === 'system_admin')
  );
}

/** A commissioner edits and submits the plans of areas in its own SHA only (or any, nationally). */
export function canEditPlan(actor: Actor, regionCode: string): boolean {
  return (actor.role === 'commissioner' && actor.organisationCode === regionCode) || isNational(actor);
}

/** A CCG approves plans for the PCTs it covers: a commissioner whose organisation is that CCG. */
export function canApprovePlan(actor: Actor, ccgCodesOfArea: readonly string[]): boolean {
  return actor.role === 'commissioner' && ccgCodesOfArea.includes(actor.organisationCode);
}

/** Who may read rollout plans: commissioners, DoS leads, governance and administrators. */
export function canReadPlans(actor: Actor): boolean {
  return ['commissioner', 'dos_lead', 'governance', 'system_admin'].includes(actor.role);
}
