import { createHash } from 'node:crypto';
import {
  type Endpoint,
  type OpeningTimes,
  type PublishedDetails,
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
  /** `taxonomy` names the vocabulary (HSDS 3.0); `vocabulary` is how open111 exports before 0.2 said it. */
  taxonomy_term: {
    id: string;
    code?: string;
    name: string;
    description: string;
    taxonomy?: string;
    vocabulary?: string;
  };
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
export interface HsdsIdentifier {
  id: string;
  identifier_type: string;
  identifier: string;
  identifier_scheme?: string;
}
export interface HsdsService {
  id: string;
  name: string;
  alternate_name?: string;
  status: string;
  description?: string;
  url?: string;
  email?: string;
  last_modified?: string;
  organization_id?: string;
  minimum_age?: number;
  maximum_age?: number;
  eligibility_description?: string;
  organization?: {
    id: string;
    name: string;
    description: string;
    organization_identifiers?: HsdsIdentifier[];
    /** Not HSDS: read from open111's exports before 0.2 only. */
    identifiers?: HsdsIdentifier[];
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
        address_2?: string;
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
      taxonomy: vocabulary,
    },
    value,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** HSDS times are times of day: the end of the day is written 23:59:59 (and read back as 24:00). */
const END_OF_DAY = '23:59:59';
const hsdsTime = (hhmm: string): string => (hhmm === '24:00' ? END_OF_DAY : hhmm);

/** A service's HSDS id: an imported service keeps its own; open111's get one derived from the DoS id. */
export const hsdsServiceId = (dosId: string): string =>
  UUID.test(dosId) ? dosId : uuidFor(`service:${dosId}`);

/** What the export knows of a service besides the record: its type's and its organisation's names. */
export interface HsdsNames {
  readonly typeName: string;
  /** The organisation's name as open111 holds it, when it does. */
  readonly organisationName?: string | undefined;
  /** The town for the address when the record has none of its own (the area's name). */
  readonly town?: string | undefined;
}

/** The address lines of a service: as imported, or split from the record's one-line address. */
function addressOf(s: ServiceRecord, town: string | undefined) {
  if (s.published?.address) return s.published.address;
  const parts = s.address.split(',').map((p) => p.trim());
  const city = parts.length > 1 ? (parts.pop() ?? '') : '';
  return {
    address_1: parts.join(', ') || s.address,
    city: city || town || s.postcode.split(' ')[0] || 'England',
    state_province: 'England',
    postal_code: s.postcode,
    country: 'GB',
  };
}

export function toHsds(s: ServiceRecord, names: HsdsNames): HsdsService {
  const p = s.published;
  const id = hsdsServiceId(s.id);
  const orgId = p?.organizationId ?? uuidFor(`organisation:${s.organisationCode}`);
  const locId = p?.locationId ?? uuidFor(`location:${s.id}`);
  const described = (key: string): Partial<HsdsSchedule> => {
    const d = p?.scheduleDescriptions?.[key];
    return d ? { description: d } : {};
  };
  const schedule = (key: string, x: Partial<HsdsSchedule>): HsdsSchedule => ({
    id: uuidFor(`schedule:${s.id}:${key}`),
    service_id: id,
    ...x,
    ...described(key),
  });
  const t = s.openingTimes;
  const schedules: HsdsSchedule[] = [];
  if (t.alwaysOpen) {
    schedules.push(
      schedule('always', {
        freq: 'WEEKLY',
        byday: Object.values(BYDAY).join(','),
        opens_at: '00:00',
        closes_at: END_OF_DAY,
        notes: NOTE.always,
        description: 'Open 24 hours',
      }),
    );
  }
  for (const day of WEEKDAYS) {
    (t.weekly[day] ?? []).forEach((x, i) => {
      schedules.push(
        schedule(`${day}:${i}`, {
          freq: 'WEEKLY',
          byday: BYDAY[day],
          opens_at: hsdsTime(x.open),
          closes_at: hsdsTime(x.close),
        }),
      );
    });
  }
  t.bankHolidays.forEach((x, i) => {
    schedules.push(
      schedule(`bh:${i}`, {
        opens_at: hsdsTime(x.open),
        closes_at: hsdsTime(x.close),
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
          opens_at: hsdsTime(x.open),
          closes_at: hsdsTime(x.close),
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
  const organisationName = names.organisationName ?? p?.organizationName ?? s.organisationCode;
  return {
    id,
    name: s.name,
    ...(p?.alternateName ? { alternate_name: p.alternateName } : {}),
    status: STATUS_TO_HSDS[s.status],
    description: s.publicReferralInstructions,
    ...(p?.url ? { url: p.url } : {}),
    ...(p?.email ? { email: p.email } : {}),
    ...(p?.lastModified ? { last_modified: p.lastModified } : {}),
    eligibility_description: s.professionalReferralInstructions,
    organization_id: orgId,
    // Whole years, to the nearest: 365 days is 1 year (and comes back as 365 days).
    minimum_age: Math.round(s.ageMinDays / 365.25),
    maximum_age: Math.round(s.ageMaxDays / 365.25),
    organization: {
      id: orgId,
      name: organisationName,
      description: `${organisationName}: runs ${names.typeName} services`,
      organization_identifiers: [
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
        id: p?.serviceAtLocationId ?? uuidFor(`sal:${s.id}`),
        service_id: id,
        location_id: locId,
        location: {
          id: locId,
          location_type: 'physical',
          name: s.name,
          latitude: s.latitude,
          longitude: s.longitude,
          addresses: [
            { id: uuidFor(`address:${s.id}`), ...addressOf(s, names.town), address_type: 'physical' },
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
  types: readonly { readonly id: number; readonly name: string }[] = [],
): { record: ServiceRecord } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const attrs = new Map<string, string[]>();
  const terms: string[] = [];
  for (const a of h.attributes ?? []) {
    const v = a.taxonomy_term?.taxonomy ?? a.taxonomy_term?.vocabulary;
    for (const term of [a.taxonomy_term?.name, a.taxonomy_term?.code, a.value])
      if (term) terms.push(term.toLowerCase());
    if (!v) continue;
    attrs.set(v, [...(attrs.get(v) ?? []), a.value]);
  }
  // open111's own export says who it is by its DoS id; anything else is a foreign record.
  const foreign = !attrs.has(VOCABULARY.dosId);
  const one = (v: string) => attrs.get(v)?.[0];
  const many = (v: string) => attrs.get(v) ?? [];
  const sal = h.service_at_locations?.find(
    (x) => x.location?.latitude !== undefined && x.location?.longitude !== undefined,
  );
  const loc = sal?.location;
  if (!loc || loc.latitude === undefined || loc.longitude === undefined)
    problems.push({
      pointer: '/service_at_locations',
      message: 'a location with latitude and longitude is required',
    });
  // The type: open111's attribute, else a taxonomy term naming a DoS type; else a DoS lead sets it.
  const ownType = one(VOCABULARY.serviceType);
  const mapped = types.find((t) => terms.includes(t.name.toLowerCase()));
  const typeId = ownType !== undefined ? Number(ownType) : (mapped?.id ?? 0);
  const typeToReview = ownType === undefined && mapped === undefined;
  if (!foreign && (ownType === undefined || !Number.isInteger(typeId)))
    problems.push({ pointer: '/attributes', message: `an ${VOCABULARY.serviceType} attribute is required` });
  const ages = /^(\d+)-(\d+)$/.exec(one(VOCABULARY.ageDays) ?? '');
  const ageMinDays = ages ? Number(ages[1]) : Math.round((h.minimum_age ?? 0) * 365.25);
  const ageMaxDays = ages ? Number(ages[2]) : Math.round((h.maximum_age ?? 125) * 365.25);
  // Imported inactive when its type is for a DoS lead to set: it is not offered until then.
  const status = typeToReview ? 'commissioning' : (STATUS_FROM_HSDS[h.status] ?? 'active');
  const identifiers = [
    ...(h.organization?.organization_identifiers ?? []),
    ...(h.organization?.identifiers ?? []),
  ];
  const ods = identifiers.find(
    (i) =>
      i.identifier_type === 'ODS code' ||
      /ods/i.test(i.identifier_scheme ?? '') ||
      i.identifier_scheme === 'GB-NHS',
  )?.identifier;
  // Without an ODS code the organisation is known by its HSDS id (a valid FHIR id too).
  const orgCode = ods ?? (foreign ? (h.organization?.id ?? h.organization_id) : h.organization?.name);
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
  const descriptions: Record<string, string> = {};
  const opening = openingFrom(h.schedules ?? [], problems, descriptions);
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
  const address = loc.addresses?.[0];
  const published: PublishedDetails = {
    ...(h.alternate_name ? { alternateName: h.alternate_name } : {}),
    ...(h.url ? { url: h.url } : {}),
    ...(h.email ? { email: h.email } : {}),
    ...(h.last_modified ? { lastModified: h.last_modified } : {}),
    ...(h.organization?.id ? { organizationId: h.organization.id } : {}),
    ...(h.organization?.name ? { organizationName: h.organization.name } : {}),
    locationId: loc.id,
    ...(sal?.id ? { serviceAtLocationId: sal.id } : {}),
    ...(address
      ? {
          address: {
            id: address.id,
            address_1: address.address_1,
            ...(address.address_2 ? { address_2: address.address_2 } : {}),
            city: address.city,
            state_province: address.state_province,
            postal_code: address.postal_code,
            country: address.country,
          },
        }
      : {}),
    ...(Object.keys(descriptions).length > 0 ? { scheduleDescriptions: descriptions } : {}),
    ...(typeToReview ? { typeToReview } : {}),
  };
  return {
    record: {
      ...(foreign ? { published } : {}),
      id: one(VOCABULARY.dosId) ?? h.id,
      name: h.name,
      typeId,
      status,
      organisationCode: orgCode,
      odsCode: one(VOCABULARY.odsCode) ?? null,
      latitude: loc.latitude,
      longitude: loc.longitude,
      address: [address?.address_1, address?.address_2, foreign ? address?.city : undefined]
        .filter((x) => x)
        .join(', '),
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

function openingFrom(
  schedules: readonly HsdsSchedule[],
  problems: FieldProblem[],
  descriptions: Record<string, string>,
): OpeningTimes {
  const weekly: Partial<Record<Weekday, Session[]>> = {};
  const bankHolidays: Session[] = [];
  const dates = new Map<string, Session[]>();
  let alwaysOpen = false;
  const hhmm = (t: string | undefined) => (t?.startsWith(END_OF_DAY) ? '24:00' : t?.slice(0, 5));
  schedules.forEach((s, i) => {
    const describe = (key: string) => {
      if (s.description) descriptions[key] = s.description;
    };
    const open = hhmm(s.opens_at);
    const close = hhmm(s.closes_at);
    if (s.notes === NOTE.always) {
      alwaysOpen = true;
      return;
    }
    if (s.notes === NOTE.closed && s.valid_from) {
      dates.set(s.valid_from, dates.get(s.valid_from) ?? []);
      describe(`closed:${s.valid_from}`);
      return;
    }
    if (!open || !close) {
      problems.push({
        pointer: `/schedules/${i}`,
        message: 'a schedule needs opens_at and closes_at (or is marked closed)',
      });
      return;
    }
    if (s.notes === NOTE.bankHoliday) {
      describe(`bh:${bankHolidays.length}`);
      bankHolidays.push({ open, close });
    } else if (s.valid_from && s.valid_from === s.valid_to) {
      describe(`date:${s.valid_from}:${dates.get(s.valid_from)?.length ?? 0}`);
      dates.set(s.valid_from, [...(dates.get(s.valid_from) ?? []), { open, close }]);
    } else if (s.freq === 'WEEKLY' && s.byday) {
      for (const code of s.byday.split(',')) {
        const day = FROM_BYDAY.get(code);
        if (!day) {
          problems.push({
            pointer: `/schedules/${i}/byday`,
            message: `"${code}" is not supported (weekly days only)`,
          });
          continue;
        }
        describe(`${day}:${weekly[day]?.length ?? 0}`);
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
