import type { Actor, Role } from './roles';

/**
 * The one access policy: who may read or change what. Every service asks it before it shows or changes
 * a record; nothing else in open111 decides access. It is pure: the organisation tree and the record are
 * passed in, so each rule is tested at its edges without a database.
 *
 * Organisations form a tree. The Department of Health (national) is over the SHAs (regions); an SHA is
 * over its PCTs (areas); a CCG covers the PCTs it was formed from. A provider (NHS Direct, a hospital
 * trust) stands beside the tree: its staff see the records it handles, and nothing of another provider.
 */

/** The national organisation: the Department of Health. */
export const NATIONAL_ORGANISATION = 'DH';

/** Where each commissioning organisation sits, read from the health geography. */
export interface OrganisationTree {
  /** Each PCT's SHA. */
  readonly regionOfArea: ReadonlyMap<string, string>;
  /** The PCTs each CCG covers. */
  readonly areasOfCcg: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * How far a permission reaches for a role:
 * - `any`: every record of the kind;
 * - `provider`: records handled by the actor's own provider;
 * - `area`: records of the areas under the actor's organisation (an SHA's PCTs, a CCG's PCTs, a PCT
 *   itself; nationally every area);
 * - `region`: areas whose SHA is the actor's organisation, or every area nationally;
 * - `ccg`: areas covered by the actor's CCG (the CCG's own approval, which no SHA can give for it);
 * - `national`: only when the actor is at the Department of Health.
 */
export type Reach = 'any' | 'provider' | 'area' | 'region' | 'ccg' | 'national';

/** What a record says about where it belongs; each permission reads the part its reach needs. */
export interface RecordRef {
  /** The provider that handles it (a call, case, triage session, message; a directory service's owner). */
  readonly providerCode?: string | null;
  /** The commissioning area it belongs to (a call's or case's area, a plan's, a service's, a KPI's). */
  readonly areaCode?: string | null;
}

/**
 * The table. A row is a permission; a column a role; a cell how far it reaches (blank: never).
 * Patient records (calls, cases, triage sessions, outbound messages) are only ever `provider`-wide for
 * provider staff: the README's roles table is this table in words.
 */
export const POLICY = {
  // Call handling: the queue, and the timestamps the national targets are measured from.
  'call.offer': { health_adviser: 'provider', provider_admin: 'provider', system_admin: 'any' },
  'call.read': {
    health_adviser: 'provider',
    clinician: 'provider',
    provider_admin: 'provider',
    governance: 'provider',
    system_admin: 'any',
  },
  'call.record': {
    health_adviser: 'provider',
    clinician: 'provider',
    provider_admin: 'provider',
    system_admin: 'any',
  },
  // The telephony switch reports every call it distributes, for whichever provider it routes it to.
  'telephony.event': { telephony: 'any', system_admin: 'any' },
  // Cases: the patient's record of the call.
  'case.open': { health_adviser: 'provider', clinician: 'provider' },
  'case.read': {
    health_adviser: 'provider',
    clinician: 'provider',
    provider_admin: 'provider',
    governance: 'provider',
    reviewer: 'provider',
    system_admin: 'any',
  },
  'case.change': { health_adviser: 'provider', clinician: 'provider' },
  'case.callback': { clinician: 'provider' },
  'clinical_queue.read': { clinician: 'provider', provider_admin: 'provider', system_admin: 'any' },
  // Clinical validation of an adviser's ambulance category 3/4 or A&E disposition.
  'case.validate': { clinician: 'provider' },
  // Demo mode: start or pause the simulated telephony switch (the floor manager, the administrator).
  'demo.switch': { provider_admin: 'any', system_admin: 'any' },
  // The receiving service acknowledges a referral made to it and reports what happened (its own only).
  'referral.report': { receiving_service: 'provider', system_admin: 'any' },
  // Triage: pathways are content anyone clinical may read; sessions are patient records.
  'pathway.read': {
    health_adviser: 'any',
    clinician: 'any',
    governance: 'any',
    clinical_author: 'any',
    reviewer: 'any',
    system_admin: 'any',
  },
  'triage_session.start': { health_adviser: 'provider', clinician: 'provider' },
  'triage_session.read': {
    health_adviser: 'provider',
    clinician: 'provider',
    governance: 'provider',
    reviewer: 'provider',
    system_admin: 'any',
  },
  'triage_session.answer': { health_adviser: 'provider', clinician: 'provider' },
  // Pathway change control: national content. Clinicians (and governance leads) write drafts; governance
  // leads review, sign off (never their own: the lifecycle rule), release and roll back.
  'content.read': { clinician: 'any', governance: 'any', clinical_author: 'any', system_admin: 'any' },
  'content.author': { clinician: 'any', governance: 'any', clinical_author: 'any' },
  'content.review': { governance: 'any' },
  'content.release': { governance: 'any' },
  // Case review: the queue and its scores are the provider's own; its governance lead sets the rules that
  // fill it; an adviser (or clinician) sees the reviews of their own calls, and only those.
  'review.read': { governance: 'provider', reviewer: 'provider', system_admin: 'any' },
  'review.score': { governance: 'provider', reviewer: 'provider' },
  'review.rules': { governance: 'provider' },
  'review.own': { health_adviser: 'any', clinician: 'any' },
  // Incidents: anyone on the staff may report one; the provider's governance leads investigate and close.
  'incident.report': {
    health_adviser: 'any',
    clinician: 'any',
    provider_admin: 'any',
    commissioner: 'any',
    dos_lead: 'any',
    governance: 'any',
    clinical_author: 'any',
    reviewer: 'any',
    system_admin: 'any',
  },
  // Commissioners hold the serious-incident process for the services they commission: they see the
  // incidents of their areas (an incident about a pathway version belongs to no area, so not those).
  'incident.read': {
    governance: 'provider',
    reviewer: 'provider',
    commissioner: 'area',
    system_admin: 'any',
  },
  'incident.manage': { governance: 'provider', system_admin: 'any' },
  // The monthly governance report: a provider's own, a commissioner's areas'.
  'governance_report.read': { governance: 'provider', commissioner: 'area', system_admin: 'any' },
  // Outbound messages carry the patient's details: the provider's own, for its operations and governance.
  'message.read': { provider_admin: 'provider', governance: 'provider', system_admin: 'any' },
  'message.retry': { provider_admin: 'provider', system_admin: 'any' },
  // The demo receiving systems' fault switch: it changes what every provider's messages meet.
  'receiver.control': { system_admin: 'any' },
  // The Directory of Services is a professional directory: every member of staff may search and read it.
  'service.read': {
    health_adviser: 'any',
    clinician: 'any',
    provider_admin: 'any',
    commissioner: 'any',
    dos_lead: 'any',
    governance: 'any',
    system_admin: 'any',
  },
  'service.edit': { dos_lead: 'area', system_admin: 'any' },
  'service.capacity': {
    clinician: 'provider',
    provider_admin: 'provider',
    dos_lead: 'area',
    system_admin: 'any',
  },
  'type_rank.edit': { dos_lead: 'area', system_admin: 'any' },
  'gap_report.read': { commissioner: 'area', dos_lead: 'area', governance: 'any', system_admin: 'any' },
  // Commissioning: plans are public business of the NHS, read by those who plan; changed by their owners.
  'plan.read': { commissioner: 'any', dos_lead: 'any', governance: 'any', system_admin: 'any' },
  'plan.edit': { commissioner: 'region', system_admin: 'national' },
  'plan.approve': { commissioner: 'ccg' },
  'deadline.apply': { commissioner: 'national', system_admin: 'national' },
  // An SHA sends its own submission (its areas' plans) to the Department of Health.
  'submission.send': { commissioner: 'region' },
  // Reporting: a provider counts its own calls; a commissioner its areas'; the national user England's.
  'kpi.read': {
    health_adviser: 'provider',
    clinician: 'provider',
    provider_admin: 'provider',
    governance: 'provider',
    commissioner: 'area',
    system_admin: 'any',
  },
  // Capacity planning reads only an area's population: the staff who answer the calls may plan with it.
  'capacity_plan.read': {
    health_adviser: 'any',
    clinician: 'any',
    provider_admin: 'any',
    commissioner: 'area',
    governance: 'any',
    system_admin: 'any',
  },
  // Reference data every member of staff uses: geography, routing, the directory's service types.
  'reference.read': {
    health_adviser: 'any',
    clinician: 'any',
    provider_admin: 'any',
    commissioner: 'any',
    dos_lead: 'any',
    governance: 'any',
    system_admin: 'any',
  },
  // Loading reference data (the ONS Postcode Directory) changes where every caller is placed: national.
  'reference.import': { system_admin: 'national' },
  'user.admin': { system_admin: 'national' },
} as const satisfies Record<string, Partial<Record<Role, Reach>>>;

export type Permission = keyof typeof POLICY;

export const PERMISSIONS = Object.keys(POLICY) as readonly Permission[];

/**
 * Permissions on a patient record that already exists, whose very existence is private to its provider:
 * another provider's is "not found", like one that never was, so an id cannot be probed. Offering a call
 * or starting a triage names no existing record, so it is plainly refused; opening a case names the call.
 */
const HIDDEN_WHEN_DENIED: ReadonlySet<Permission> = new Set<Permission>([
  'call.read',
  'call.record',
  'case.open',
  'case.read',
  'case.change',
  'case.callback',
  'case.validate',
  'referral.report',
  'clinical_queue.read',
  'triage_session.read',
  'triage_session.answer',
  'message.read',
  'message.retry',
]);

export const isNational = (actor: Actor): boolean => actor.organisationCode === NATIONAL_ORGANISATION;

/** How far a permission reaches for this actor's role, or undefined when the role never has it. */
export function reachOf(actor: Actor, permission: Permission): Reach | undefined {
  const row: Partial<Record<Role, Reach>> = POLICY[permission];
  return row[actor.role];
}

/** The roles that hold a permission at all (for the route table and the README). */
export function rolesWith(permission: Permission): readonly Role[] {
  return Object.keys(POLICY[permission]).filter((r): r is Role => r in POLICY[permission]);
}

/** The areas an organisation commissions or oversees; undefined when it is not a commissioner at all. */
export function areasUnder(
  organisationCode: string,
  tree: OrganisationTree,
): ReadonlySet<string> | 'all' | undefined {
  if (organisationCode === NATIONAL_ORGANISATION) return 'all';
  const ccg = tree.areasOfCcg.get(organisationCode);
  if (ccg) return ccg;
  const region = new Set<string>();
  for (const [area, r] of tree.regionOfArea) if (r === organisationCode) region.add(area);
  if (region.size > 0) return region;
  if (tree.regionOfArea.has(organisationCode)) return new Set([organisationCode]);
  return undefined;
}

function reaches(actor: Actor, reach: Reach, record: RecordRef, tree: OrganisationTree): boolean {
  switch (reach) {
    case 'any':
      return true;
    case 'national':
      return isNational(actor);
    case 'provider':
      return record.providerCode != null && record.providerCode === actor.organisationCode;
    case 'area': {
      const areas = areasUnder(actor.organisationCode, tree);
      return areas === 'all' || (record.areaCode != null && areas?.has(record.areaCode) === true);
    }
    case 'region':
      return (
        isNational(actor) ||
        (record.areaCode != null && tree.regionOfArea.get(record.areaCode) === actor.organisationCode)
      );
    case 'ccg':
      return (
        record.areaCode != null && tree.areasOfCcg.get(actor.organisationCode)?.has(record.areaCode) === true
      );
  }
}

export type Decision =
  | { readonly allowed: true }
  /** `hide`: answer "not found" rather than "forbidden", because saying "forbidden" would tell it exists. */
  | { readonly allowed: false; readonly hide: boolean; readonly reason: string };

/** May this actor do this to this record? */
export function decide(
  actor: Actor,
  permission: Permission,
  record: RecordRef,
  tree: OrganisationTree,
): Decision {
  const reach = reachOf(actor, permission);
  if (!reach) return { allowed: false, hide: false, reason: roleReason(actor, permission) };
  if (reaches(actor, reach, record, tree)) return { allowed: true };
  return {
    allowed: false,
    hide: HIDDEN_WHEN_DENIED.has(permission),
    reason: outsideReason(actor, reach, record),
  };
}

const roleReason = (actor: Actor, permission: Permission): string =>
  `This needs one of the roles ${rolesWith(permission).join(', ')}; you are signed in as ${actor.role}.`;

function outsideReason(actor: Actor, reach: Reach, record: RecordRef): string {
  switch (reach) {
    case 'provider':
      return `This belongs to another provider than yours (${actor.organisationCode}).`;
    case 'national':
      return 'Only the Department of Health (national) may do this.';
    case 'ccg':
      return `Area ${record.areaCode ?? '(none)'} is not covered by your CCG ${actor.organisationCode}.`;
    default:
      return `Area ${record.areaCode ?? '(none)'} is outside your organisation ${actor.organisationCode}.`;
  }
}

/**
 * What a list may contain for this actor: every record, one provider's, or some areas'. A list is
 * filtered by its scope in the query, so a record outside it is never even loaded.
 */
export type ListScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'provider'; readonly providerCode: string }
  | { readonly kind: 'areas'; readonly areaCodes: ReadonlySet<string> };

/** The scope of the records this actor may list under a permission, or a denial for a role that has none. */
export function scopeOf(
  actor: Actor,
  permission: Permission,
  tree: OrganisationTree,
): ListScope | Extract<Decision, { allowed: false }> {
  const reach = reachOf(actor, permission);
  if (!reach) {
    return { allowed: false, hide: false, reason: roleReason(actor, permission) };
  }
  switch (reach) {
    case 'any':
      return { kind: 'all' };
    case 'provider':
      return { kind: 'provider', providerCode: actor.organisationCode };
    case 'national':
      return isNational(actor)
        ? { kind: 'all' }
        : { allowed: false, hide: false, reason: 'Only the Department of Health (national) may do this.' };
    case 'ccg':
      return { kind: 'areas', areaCodes: tree.areasOfCcg.get(actor.organisationCode) ?? new Set() };
    case 'region': {
      if (isNational(actor)) return { kind: 'all' };
      const areas = new Set<string>();
      for (const [area, r] of tree.regionOfArea) if (r === actor.organisationCode) areas.add(area);
      return { kind: 'areas', areaCodes: areas };
    }
    case 'area': {
      const areas = areasUnder(actor.organisationCode, tree);
      if (areas === 'all') return { kind: 'all' };
      return { kind: 'areas', areaCodes: areas ?? new Set() };
    }
  }
}

/** What a list query filters on for a scope: nothing (all), one provider, or a set of areas. */
export interface ScopeFilter {
  readonly providerCode?: string;
  readonly areaCodes?: ReadonlySet<string>;
}

/**
 * The filter a list query applies for a scope. Every list goes through this one function, so a scope of
 * areas can never be read as "all" by a list that only knew about providers.
 */
export function scopeFilter(scope: ListScope): ScopeFilter {
  if (scope.kind === 'provider') return { providerCode: scope.providerCode };
  if (scope.kind === 'areas') return { areaCodes: scope.areaCodes };
  return {};
}

/** Whether a record falls inside a list scope (for a record read on its own after a scoped list). */
export function inScope(scope: ListScope, record: RecordRef): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'provider') return record.providerCode === scope.providerCode;
  return record.areaCode != null && scope.areaCodes.has(record.areaCode);
}
