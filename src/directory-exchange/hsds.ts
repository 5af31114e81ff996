import { createHash } from 'node:crypto';
import {
  type Endpoint,
  type OpeningTimes,
  REFERRAL_ROLES,
  type ReferralRole,
  SEXES,
  type ServiceRecord,
  type ServiceStatus,
  type Session,
  type Sex,
  type SpecifiedDate,
  type SymptomPair,
  WEEKDAYS,
  type Weekday,
} from '../domain/directory/index';
import type { FieldProblem } from '../domain/errors';

/**
 * Open Referral UK (HSDS 3.0) ⇄ open111 services. HSDS ids are UUIDs: ours are derived from the DoS
 * id (UUID v5-style, SHA-1, in open111's namespace), and the DoS id itself travels as an attribute.
 * What HSDS has no field for (Dx codes, SG/SD pairs, age in days, referral roles, commissioning
 * alignment, capacity, endpoints) travels as attributes in open111 vocabularies.
 */
export const VOCABULARY = {
  dosId: 'open111-dos-id',
  serviceType: 'open111-service-type',
  disposition: 'open111-disposition',
  symptoms: 'open111-sg-sd',
  ageDays: 'open111-age-days',
  sex: 'open111-sex',
  referralRole: 'open111-referral-role',
  area: 'open111-commissioning-area',
  limited: 'open111-limited',
  capacity: 'open111-capacity',
  endpoint: 'open111-endpoint',
  odsCode: 'open111-gp-practice-code',
} as const;
const NOTE = {
  bankHoliday: 'open111:bank-holiday',
  specified: 'open111:specified-date',
  closed: 'open111:closed',
  always: 'open111:always-open',
};

export function uuidFor(name: string): string {
  const h = createHash('sha1').update(`open111:${name}`).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

const BYDAY: Record<Weekday, string> = {
  mon: 'MO',
  tue: 'TU',
  wed: 'WE',
  thu: 'TH',
  fri: 'FR',
  sat: 'SA',
  sun: 'SU',
};
const FROM_BYDAY = new Map(Object.entries(BYDAY).map(([k, v]) => [v, k as Weekday]));
const STATUS_TO_HSDS: Record<ServiceStatus, string> = {
  active: 'active',
  commissioning: 'inactive',
  suspended: 'temporarily closed',
  closed: 'defunct',
};
const STATUS_FROM_HSDS: Record<string, ServiceStatus> = {
  active: 'active',
  inactive: 'commissioning',
  'temporarily closed': 'suspended',
  defunct: 'closed',
};

export interface HsdsAttribute {
  id: string;
  link_id: string;
  link_type: string;
  link_entity: string;
  taxonomy_term_id: string;
  taxonomy_term: { id: string; code: string; name: string; description: string; vocabulary: string };
  value: string;
}
export interface HsdsSchedule {
  id: string;
  service_id?: string;
  freq?: string;
  byday?: string;
  opens_at?: string;
  closes_at?: string;
  valid_from?: string;
  valid_to?: string;
  description?: string;
  notes?: string;
}
export interface HsdsService {
  id: string;
  name: string;
  status: string;
  description?: string;
  organization_id?: string;
  minimum_age?: number;
  maximum_age?: number;
  eligibility_description?: string;
  organization?: {
    id: string;
    name: string;
    description: string;
    identifiers?: { id: string; identifier_type: string; identifier: string; identifier_scheme?: string }[];
  };
  phones?: { id: string; number: string; type?: string; description?: string }[];
  schedules?: HsdsSchedule[];
  service_at_locations?: {
    id: string;
    service_id?: string;
    location_id?: string;
    location?: {
      id: string;
      location_type: string;
      name?: string;
      latitude?: number;
      longitude?: number;
      addresses?: {
        id: string;
        address_1: string;
        city: string;
        state_province: string;
        postal_code: string;
        country: string;
        address_type: string;
      }[];
    };
  }[];
  attributes?: HsdsAttribute[];
}

function attribute(serviceUuid: string, vocabulary: string, value: string): HsdsAttribute {
  const termId = uuidFor(`term:${vocabulary}:${value}`);
  return {
    id: uuidFor(`attr:${serviceUuid}:${vocabulary}:${value}`),
    link_id: serviceUuid,
    link_type: 'service',
    link_entity: 'service',
    taxonomy_term_id: termId,
    taxonomy_term: {
      id: termId,
      code: value,
      name: value,
      description: `${vocabulary} ${value}`,
      vocabulary,
    },
    value,
  };
}

export function toHsds(s: ServiceRecord, typeName: string): HsdsService {
  const id = uuidFor(`service:${s.id}`);
  const orgId = uuidFor(`organisation:${s.organisationCode}`);
  const locId = uuidFor(`location:${s.id}`);
  const schedule = (key: string, x: Partial<HsdsSchedule>): HsdsSchedule => ({
    id: uuidFor(`schedule:${s.id}:${key}`),
    service_id: id,
    ...x,
  });
  const t = s.openingTimes;
  const schedules: HsdsSchedule[] = [];
  if (t.alwaysOpen) {
    schedules.push(
      schedule('always', {
        freq: 'WEEKLY',
        byday: Object.values(BYDAY).join(','),
        opens_at: '00:00',
        closes_at: '24:00',
        notes: NOTE.always,
        description: 'Open 24 hours',
      }),
    );
  }
  for (const day of WEEKDAYS) {
    (t.weekly[day] ?? []).forEach((x, i) => {
      schedules.push(
        schedule(`${day}:${i}`, { freq: 'WEEKLY', byday: BYDAY[day], opens_at: x.open, closes_at: x.close }),
      );
    });
  }
  t.bankHolidays.forEach((x, i) => {
    schedules.push(
      schedule(`bh:${i}`, {
        opens_at: x.open,
        closes_at: x.close,
        notes: NOTE.bankHoliday,
        description: 'England and Wales bank holidays',
      }),
    );
  });
  for (const d of t.specifiedDates) {
    if (d.sessions.length === 0)
      schedules.push(
        schedule(`closed:${d.date}`, {
          valid_from: d.date,
          valid_to: d.date,
          notes: NOTE.closed,
          description: 'Closed',
        }),
      );
    d.sessions.forEach((x, i) => {
      schedules.push(
        schedule(`date:${d.date}:${i}`, {
          valid_from: d.date,
          valid_to: d.date,
          opens_at: x.open,
          closes_at: x.close,
          notes: NOTE.specified,
        }),
      );
    });
  }
  const attrs: HsdsAttribute[] = [
    attribute(id, VOCABULARY.dosId, s.id),
    attribute(id, VOCABULARY.serviceType, String(s.typeId)),
    ...s.dispositions.map((d) => attribute(id, VOCABULARY.disposition, d)),
    ...s.symptoms.map((p) => attribute(id, VOCABULARY.symptoms, `${p.sg}/${p.sd}`)),
    attribute(id, VOCABULARY.ageDays, `${s.ageMinDays}-${s.ageMaxDays}`),
    ...s.sexes.map((x) => attribute(id, VOCABULARY.sex, x)),
    ...s.referralRoles.map((r) => attribute(id, VOCABULARY.referralRole, r)),
    attribute(id, VOCABULARY.area, s.areaCode),
    attribute(id, VOCABULARY.limited, String(s.limited)),
    attribute(id, VOCABULARY.capacity, s.capacity.status),
    ...s.endpoints.map((e) => attribute(id, VOCABULARY.endpoint, `${e.order}|${e.kind}|${e.address}`)),
    ...(s.odsCode ? [attribute(id, VOCABULARY.odsCode, s.odsCode)] : []),
  ];
  return {
    id,
    name: s.name,
    status: STATUS_TO_HSDS[s.status],
    description: s.publicReferralInstructions,
    eligibility_description: s.professionalReferralInstructions,
    organization_id: orgId,
    minimum_age: Math.floor(s.ageMinDays / 365.25),
    maximum_age: Math.floor(s.ageMaxDays / 365.25),
    organization: {
      id: orgId,
      name: s.organisationCode,
      description: `Runs ${typeName} services`,
      identifiers: [
        {
          id: uuidFor(`ods:${s.organisationCode}`),
          identifier_scheme: 'GB-NHS',
          identifier_type: 'ODS code',
          identifier: s.organisationCode,
        },
      ],
    },
    phones: [
      ...(s.publicPhone
        ? [
            {
              id: uuidFor(`phone:${s.id}:public`),
              number: s.publicPhone,
              type: 'voice',
              description: 'public',
            },
          ]
        : []),
      ...(s.professionalPhone
        ? [
            {
              id: uuidFor(`phone:${s.id}:professional`),
              number: s.professionalPhone,
              type: 'voice',
              description: 'professional',
            },
          ]
        : []),
    ],
    schedules,
    service_at_locations: [
      {
        id: uuidFor(`sal:${s.id}`),
        service_id: id,
        location_id: locId,
        location: {
          id: locId,
          location_type: 'physical',
          name: s.name,
          latitude: s.latitude,
          longitude: s.longitude,
          addresses: [
            {
              id: uuidFor(`address:${s.id}`),
              address_1: s.address,
              city: '',
              state_province: '',
              postal_code: s.postcode,
              country: 'GB',
              address_type: 'physical',
            },
          ],
        },
      },
    ],
    attributes: attrs,
  };
}

/** Turns a schema-valid HSDS service into an open111 service, or says what is missing. */
export function fromHsds(
  h: HsdsService,
  areaAt: (lat: number, lng: number) => string | null,
): { record: ServiceRecord } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const attrs = new Map<string, string[]>();
  for (const a of h.attributes ?? []) {
    const v = a.taxonomy_term?.vocabulary;
    if (!v) continue;
    attrs.set(v, [...(attrs.get(v) ?? []), a.value]);
  }
  const one = (v: string) => attrs.get(v)?.[0];
  const many = (v: string) => attrs.get(v) ?? [];
  const loc = h.service_at_locations?.find(
    (x) => x.location?.latitude !== undefined && x.location?.longitude !== undefined,
  )?.location;
  if (!loc || loc.latitude === undefined || loc.longitude === undefined)
    problems.push({
      pointer: '/service_at_locations',
      message: 'a location with latitude and longitude is required',
    });
  const typeId = Number(one(VOCABULARY.serviceType));
  if (!Number.isInteger(typeId))
    problems.push({ pointer: '/attributes', message: `an ${VOCABULARY.serviceType} attribute is required` });
  const ages = /^(\d+)-(\d+)$/.exec(one(VOCABULARY.ageDays) ?? '');
  const ageMinDays = ages ? Number(ages[1]) : Math.round((h.minimum_age ?? 0) * 365.25);
  const ageMaxDays = ages ? Number(ages[2]) : Math.round((h.maximum_age ?? 125) * 365.25);
  const status = STATUS_FROM_HSDS[h.status] ?? 'active';
  const orgCode =
    h.organization?.identifiers?.find((i) => i.identifier_type === 'ODS code')?.identifier ??
    h.organization?.name;
  if (!orgCode)
    problems.push({
      pointer: '/organization',
      message: 'the organization (with an ODS code identifier) is required',
    });
  const sexes = many(VOCABULARY.sex).filter((x): x is Sex => (SEXES as readonly string[]).includes(x));
  const roles = many(VOCABULARY.referralRole).filter((x): x is ReferralRole =>
    (REFERRAL_ROLES as readonly string[]).includes(x),
  );
  const symptoms: SymptomPair[] = many(VOCABULARY.symptoms).flatMap((p) => {
    const m = /^(SG\d{4})\/(SD\d{4})$/.exec(p);
    if (!m) {
      problems.push({ pointer: '/attributes', message: `"${p}" is not SGnnnn/SDnnnn` });
      return [];
    }
    return [{ sg: m[1] as string, sd: m[2] as string }];
  });
  const endpoints: Endpoint[] = many(VOCABULARY.endpoint).flatMap((e) => {
    const m = /^(\d+)\|(electronic|phone|email)\|(.+)$/.exec(e);
    return m ? [{ order: Number(m[1]), kind: m[2] as Endpoint['kind'], address: m[3] as string }] : [];
  });
  const opening = openingFrom(h.schedules ?? [], problems);
  if (problems.length > 0 || !loc || loc.latitude === undefined || loc.longitude === undefined || !orgCode)
    return { problems };
  const areaCode = one(VOCABULARY.area) ?? areaAt(loc.latitude, loc.longitude);
  if (!areaCode)
    return {
      problems: [
        { pointer: '/attributes', message: 'no commissioning area, and none found at the location' },
      ],
    };
  const capacity = one(VOCABULARY.capacity);
  return {
    record: {
      id: one(VOCABULARY.dosId) ?? h.id,
      name: h.name,
      typeId,
      status,
      organisationCode: orgCode,
      odsCode: one(VOCABULARY.odsCode) ?? null,
      latitude: loc.latitude,
      longitude: loc.longitude,
      address: loc.addresses?.[0]?.address_1 ?? '',
      postcode: loc.addresses?.[0]?.postal_code ?? '',
      publicPhone: h.phones?.find((p) => p.description !== 'professional')?.number ?? null,
      professionalPhone: h.phones?.find((p) => p.description === 'professional')?.number ?? null,
      publicReferralInstructions: h.description ?? '',
      professionalReferralInstructions: h.eligibility_description ?? '',
      openingTimes: opening,
      ageMinDays,
      ageMaxDays,
      sexes: sexes.length > 0 ? sexes : [...SEXES],
      dispositions: many(VOCABULARY.disposition),
      symptoms,
      referralRoles: roles.length > 0 ? roles : [...REFERRAL_ROLES],
      areaCode,
      limited: one(VOCABULARY.limited) === 'true',
      capacity: {
        status: capacity === 'amber' || capacity === 'red' ? capacity : 'green',
        resetAt: null,
        changedAt: null,
        changedBy: null,
      },
      endpoints,
    },
  };
}

function openingFrom(schedules: readonly HsdsSchedule[], problems: FieldProblem[]): OpeningTimes {
  const weekly: Partial<Record<Weekday, Session[]>> = {};
  const bankHolidays: Session[] = [];
  const dates = new Map<string, Session[]>();
  let alwaysOpen = false;
  const hhmm = (t: string | undefined) => t?.slice(0, 5);
  schedules.forEach((s, i) => {
    const open = hhmm(s.opens_at);
    const close = hhmm(s.closes_at);
    if (s.notes === NOTE.always) {
      alwaysOpen = true;
      return;
    }
    if (s.notes === NOTE.closed && s.valid_from) {
      dates.set(s.valid_from, dates.get(s.valid_from) ?? []);
      return;
    }
    if (!open || !close) {
      problems.push({
        pointer: `/schedules/${i}`,
        message: 'a schedule needs opens_at and closes_at (or is marked closed)',
      });
      return;
    }
    if (s.notes === NOTE.bankHoliday) bankHolidays.push({ open, close });
    else if (s.valid_from && s.valid_from === s.valid_to)
      dates.set(s.valid_from, [...(dates.get(s.valid_from) ?? []), { open, close }]);
    else if (s.freq === 'WEEKLY' && s.byday) {
      for (const code of s.byday.split(',')) {
        const day = FROM_BYDAY.get(code);
        if (!day) {
          problems.push({
            pointer: `/schedules/${i}/byday`,
            message: `"${code}" is not supported (weekly days only)`,
          });
          continue;
        }
        weekly[day] = [...(weekly[day] ?? []), { open, close }];
      }
    } else
      problems.push({
        pointer: `/schedules/${i}`,
        message: 'only weekly schedules, single dates and bank holidays are understood',
      });
  });
  const specifiedDates: SpecifiedDate[] = [...dates.entries()]
    .sort()
    .map(([date, sessions]) => ({ date, sessions }));
  return { alwaysOpen, weekly, bankHolidays, specifiedDates };
}
