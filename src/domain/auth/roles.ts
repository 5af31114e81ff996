/** The roles a member of staff can hold; each user holds one, within one organisation. */
export const ROLES = [
  'health_adviser',
  'clinician',
  'provider_admin',
  'commissioner',
  'dos_lead',
  // The governance lead: sets the review rules, signs off pathway versions, investigates incidents.
  'governance',
  // Writes pathway drafts (national content) and sends them for review; signs nothing off.
  'clinical_author',
  // Reviews calls for the governance lead: replays and scores the cases in the review queue.
  'reviewer',
  'system_admin',
  // A service account of the telephony switch (its CTI adapter), not a person: it reports calls.
  'telephony',
] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Who is making a request: the identity every rule about access is decided on. */
export interface Actor {
  readonly userId: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly organisationCode: string;
}
