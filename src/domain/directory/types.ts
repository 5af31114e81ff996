/** The Directory of Services (DoS): where to send the patient. Types only; rules live beside them. */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const SERVICE_STATUSES = ['active', 'commissioning', 'suspended', 'closed'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const SEXES = ['female', 'male', 'indeterminate'] as const;
export type Sex = (typeof SEXES)[number];

/** Who may refer to a service from a 111 call. */
export const REFERRAL_ROLES = ['health_adviser', 'clinician'] as const;
export type ReferralRole = (typeof REFERRAL_ROLES)[number];

export const CAPACITY_STATUSES = ['green', 'amber', 'red'] as const;
export type CapacityStatus = (typeof CAPACITY_STATUSES)[number];

export const ENDPOINT_KINDS = ['electronic', 'phone', 'email'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export const AGE_UNITS = ['days', 'weeks', 'months', 'years'] as const;
export type AgeUnit = (typeof AGE_UNITS)[number];

/** An opening session in Europe/London wall-clock time, "HH:MM"; a close not after the open runs past midnight. */
export interface Session {
  readonly open: string;
  readonly close: string;
}

/** A date that is not like the others: open with its own sessions, or closed (no sessions). */
export interface SpecifiedDate {
  readonly date: string; // YYYY-MM-DD, Europe/London
  readonly sessions: readonly Session[];
}

export interface OpeningTimes {
  readonly alwaysOpen: boolean;
  readonly weekly: Readonly<Partial<Record<Weekday, readonly Session[]>>>;
  /** Sessions on England and Wales bank holidays, replacing the weekday's; empty: closed on bank holidays. */
  readonly bankHolidays: readonly Session[];
  readonly specifiedDates: readonly SpecifiedDate[];
}

export interface Capacity {
  readonly status: CapacityStatus;
  /** A manual amber or red resets to green at this instant (15 minutes to 120 hours after it was set). */
  readonly resetAt: string | null;
  readonly changedAt: string | null;
  readonly changedBy: string | null;
}

export interface Endpoint {
  readonly kind: EndpointKind;
  readonly address: string;
  readonly order: number;
}

export interface SymptomPair {
  readonly sg: string;
  readonly sd: string;
}

export interface ServiceRecord {
  readonly id: string;
  readonly name: string;
  readonly typeId: number;
  readonly status: ServiceStatus;
  /** The organisation that runs the service (its staff may set its capacity). */
  readonly organisationCode: string;
  /** The practice code when the service is a GP practice (matches the patient's registered practice). */
  readonly odsCode: string | null;
  readonly latitude: number;
  readonly longitude: number;
  readonly address: string;
  readonly postcode: string;
  readonly publicPhone: string | null;
  readonly professionalPhone: string | null;
  readonly publicReferralInstructions: string;
  readonly professionalReferralInstructions: string;
  readonly openingTimes: OpeningTimes;
  readonly ageMinDays: number;
  readonly ageMaxDays: number;
  readonly sexes: readonly Sex[];
  readonly dispositions: readonly string[];
  /** Accepted symptom group / discriminator pairs; empty: accepts any symptom group. */
  readonly symptoms: readonly SymptomPair[];
  readonly referralRoles: readonly ReferralRole[];
  /** The commissioning area (PCT code) the service is aligned to. */
  readonly areaCode: string;
  /** A limited service appears only to patients inside its own area. */
  readonly limited: boolean;
  readonly capacity: Capacity;
  readonly endpoints: readonly Endpoint[];
  /** What an Open Referral record imported said that the directory has no field for (absent otherwise). */
  readonly published?: PublishedDetails;
}

/**
 * The standard Open Referral UK (HSDS 3.0) fields of an imported service that the directory does not use,
 * kept as given so that exporting it again changes nothing but what open111 adds.
 */
export interface PublishedDetails {
  readonly alternateName?: string;
  readonly url?: string;
  readonly email?: string;
  readonly lastModified?: string;
  readonly organizationId?: string;
  readonly organizationName?: string;
  readonly locationId?: string;
  readonly serviceAtLocationId?: string;
  readonly address?: {
    readonly id?: string;
    readonly address_1: string;
    readonly address_2?: string;
    readonly city: string;
    readonly state_province: string;
    readonly postal_code: string;
    readonly country: string;
  };
  /** Each schedule's description, by the session it describes (e.g. `mon:0`, `bh:0`, `date:2012-12-24:0`). */
  readonly scheduleDescriptions?: Readonly<Record<string, string>>;
  /** No service type could be mapped from its taxonomy: a DoS lead sets it (it is imported inactive). */
  readonly typeToReview?: boolean;
}

/** A service type with its national rank (1 is offered first at equal travel time). */
export interface ServiceType {
  readonly id: number;
  readonly name: string;
  readonly rank: number;
}

export interface PatientAge {
  readonly value: number;
  readonly unit: AgeUnit;
}

export interface DirectorySearch {
  readonly latitude: number;
  readonly longitude: number;
  /** The patient's commissioning area (from the postcode), for limited and commissioned services. */
  readonly areaCode: string | null;
  readonly age: PatientAge;
  readonly sex: Sex;
  readonly disposition: string;
  readonly symptomGroup: string | null;
  readonly symptomDiscriminators: readonly string[];
  readonly distanceKm: number;
  readonly at: Date;
  readonly gpPractice: string | null;
  readonly role: ReferralRole;
}

/** The filters of a search, in the order they are applied and reported. */
export const FILTERS = [
  'status',
  'disposition',
  'symptom_group',
  'symptom_discriminator',
  'sex',
  'age',
  'referral_role',
  'capacity',
  'commissioning',
  'opening_times',
] as const;
export type FilterName = (typeof FILTERS)[number];
