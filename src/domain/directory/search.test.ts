import { describe, expect, it } from 'vitest';
import { nationalTypeRanks, readDirectoryTypes } from '../../content/directory';
import { readDispositionContent } from '../../content/dispositions';
import type { Disposition } from '../dispositions/index';
import {
  ageInDays,
  checkCapacityReset,
  checkSearch,
  DirectoryIndex,
  type DirectorySearch,
  type ServiceRecord,
  searchDirectory,
  type TypeRanks,
} from './index';

const dispositions = readDispositionContent();
const dx = (code: string): Disposition => {
  const d = dispositions.byCode.get(code);
  if (!d) throw new Error(code);
  return d;
};
const types = readDirectoryTypes();
const ranks = nationalTypeRanks(types);

// Luton town centre, and points a known distance east of it (1 km ≈ 0.01464° of longitude here).
const LAT = 51.88;
const LNG = -0.42;
const east = (km: number) => LNG + km * 0.014643;

const weekdays = (open: string, close: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ open, close }]]));

function svc(id: string, over: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    id,
    name: `Service ${id}`,
    typeId: 100,
    status: 'active',
    organisationCode: '5GC',
    odsCode: null,
    latitude: LAT,
    longitude: east(1),
    address: 'Somewhere',
    postcode: 'LU1 1AA',
    publicPhone: null,
    professionalPhone: null,
    publicReferralInstructions: '',
    professionalReferralInstructions: '',
    openingTimes: { alwaysOpen: true, weekly: {}, bankHolidays: [], specifiedDates: [] },
    ageMinDays: 0,
    ageMaxDays: 45656,
    sexes: ['female', 'male', 'indeterminate'],
    dispositions: ['Dx05', 'Dx11', 'Dx02'],
    symptoms: [],
    referralRoles: ['health_adviser', 'clinician'],
    areaCode: '5GC',
    limited: false,
    capacity: { status: 'green', resetAt: null, changedAt: null, changedBy: null },
    endpoints: [],
    ...over,
  };
}

function query(over: Partial<DirectorySearch> = {}): DirectorySearch {
  return {
    latitude: LAT,
    longitude: LNG,
    areaCode: '5GC',
    age: { value: 30, unit: 'years' },
    sex: 'female',
    disposition: 'Dx11',
    symptomGroup: null,
    symptomDiscriminators: [],
    distanceKm: 60,
    at: new Date('2012-01-09T10:00:00Z'), // a Monday in winter (GMT)
    gpPractice: null,
    role: 'health_adviser',
    ...over,
  };
}

function run(services: ServiceRecord[], q: Partial<DirectorySearch> = {}, typeRanks: TypeRanks = ranks) {
  const search = query(q);
  return searchDirectory(new DirectoryIndex(services), search, {
    disposition: dx(search.disposition),
    typeRanks,
  });
}
const ids = (a: ReturnType<typeof run>) => a.results.map((r) => r.service.id);

describe('opening times within the timeframe', () => {
  const gp = svc('gp', {
    openingTimes: {
      alwaysOpen: false,
      weekly: weekdays('08:00', '18:30'),
      bankHolidays: [],
      specifiedDates: [],
    },
  });

  it('refuses a service closing in 29 minutes and accepts one closing in 31', () => {
    const closing29 = run([gp], { at: new Date('2012-01-09T18:01:00Z') });
    expect(ids(closing29)).not.toContain('gp');
    expect(closing29.gaps).toMatchObject([{ service: { id: 'gp' }, failed: 'opening_times' }]);
    expect(ids(run([gp], { at: new Date('2012-01-09T17:59:00Z') }))).toEqual(['gp']);
  });

  it('accepts a service that opens within the timeframe, not one that opens after it', () => {
    // Dx11 is 60 minutes: at 07:30 the 08:00 opening is in time; Dx11 at 06:30 is not.
    expect(ids(run([gp], { at: new Date('2012-01-10T07:30:00Z') }))).toEqual(['gp']);
    expect(ids(run([gp], { at: new Date('2012-01-10T06:30:00Z') }))).not.toContain('gp');
  });

  const sundayMorning = svc('sun', {
    openingTimes: {
      alwaysOpen: false,
      weekly: { sun: [{ open: '09:00', close: '10:00' }] },
      bankHolidays: [],
      specifiedDates: [],
    },
  });

  it('keeps London time on the spring clock-change Sunday (25 March 2012)', () => {
    // 08:10 UTC is 09:10 BST: open for 50 more minutes.
    expect(ids(run([sundayMorning], { at: new Date('2012-03-25T08:10:00Z') }))).toEqual(['sun']);
    // 09:10 UTC is 10:10 BST: closed (a clock kept in UTC would call it open).
    expect(ids(run([sundayMorning], { at: new Date('2012-03-25T09:10:00Z') }))).not.toContain('sun');
  });

  it('keeps London time on the autumn clock-change Sunday (28 October 2012)', () => {
    // 09:10 UTC is 09:10 GMT after the change: open.
    expect(ids(run([sundayMorning], { at: new Date('2012-10-28T09:10:00Z') }))).toEqual(['sun']);
    // 08:10 UTC is 08:10 GMT: opens at 09:00, inside Dx11's hour.
    expect(ids(run([sundayMorning], { at: new Date('2012-10-28T08:10:00Z') }))).toEqual(['sun']);
    // 07:50 UTC: opens 70 minutes later, outside the hour.
    expect(ids(run([sundayMorning], { at: new Date('2012-10-28T07:50:00Z') }))).not.toContain('sun');
  });

  it('closes a GP practice on a bank holiday and opens the walk-in centre with its bank-holiday hours', () => {
    const walkIn = svc('wic', {
      typeId: 40,
      openingTimes: {
        alwaysOpen: false,
        weekly: weekdays('08:00', '20:00'),
        bankHolidays: [{ open: '10:00', close: '14:00' }],
        specifiedDates: [],
      },
    });
    const bankHoliday = new Date('2012-08-27T11:00:00Z'); // Summer bank holiday, 12:00 BST
    expect(ids(run([gp, walkIn], { at: bankHoliday }))).toEqual(['wic']);
    // A week later, an ordinary Monday: both are open.
    expect(ids(run([gp, walkIn], { at: new Date('2012-09-03T11:00:00Z') })).sort()).toEqual(['gp', 'wic']);
    // Boxing Day 2012 (a Wednesday) at 15:00: the walk-in centre has closed for the bank holiday.
    expect(ids(run([gp, walkIn], { at: new Date('2012-12-26T15:00:00Z') }))).toEqual([]);
  });

  it('honours a specified date: closed for training, or open on a Sunday', () => {
    const training = svc('gp', {
      openingTimes: {
        alwaysOpen: false,
        weekly: weekdays('08:00', '18:30'),
        bankHolidays: [],
        specifiedDates: [{ date: '2012-01-09', sessions: [] }],
      },
    });
    expect(ids(run([training]))).toEqual([]);
    expect(ids(run([training], { at: new Date('2012-01-10T10:00:00Z') }))).toEqual(['gp']);
  });

  it('joins an overnight session across midnight', () => {
    const ooh = svc('ooh', {
      typeId: 25,
      openingTimes: {
        alwaysOpen: false,
        weekly: weekdays('18:30', '08:00'),
        bankHolidays: [],
        specifiedDates: [],
      },
    });
    // Tuesday 02:00: inside Monday's 18:30–08:00 session.
    const a = run([ooh], { at: new Date('2012-01-10T02:00:00Z') });
    expect(ids(a)).toEqual(['ooh']);
    expect(a.results[0]?.closesAt).toBe('2012-01-10T08:00:00.000Z');
  });
});

describe('patient filters', () => {
  it('includes a patient exactly at an age bound and excludes one a day past it', () => {
    const child = svc('child', { ageMinDays: 365, ageMaxDays: 5844 }); // 1 to 16 years
    expect(ids(run([child], { age: { value: 1, unit: 'years' } }))).toEqual(['child']); // 365.25 → 365
    expect(ids(run([child], { age: { value: 364, unit: 'days' } }))).toEqual([]);
    expect(ids(run([child], { age: { value: 16, unit: 'years' } }))).toEqual(['child']); // 5844
    expect(ids(run([child], { age: { value: 5845, unit: 'days' } }))).toEqual([]);
    expect(ageInDays({ value: 1, unit: 'months' })).toBe(30); // 30.4375 days
    expect(ageInDays({ value: 12, unit: 'months' })).toBe(365);
  });

  it('shows a limited service only inside its own area', () => {
    const limited = svc('crisis', { limited: true, areaCode: '5GC' });
    expect(ids(run([limited], { areaCode: '5GC' }))).toEqual(['crisis']);
    const outside = run([limited], { areaCode: '5P2' });
    expect(ids(outside)).toEqual([]);
    expect(outside.gaps).toMatchObject([{ service: { id: 'crisis' }, failed: 'commissioning' }]);
  });

  it('applies sex, referral role, disposition, SG and every SD', () => {
    const s = svc('s', {
      sexes: ['female'],
      referralRoles: ['clinician'],
      symptoms: [
        { sg: 'SG1011', sd: 'SD4003' },
        { sg: 'SG1011', sd: 'SD4052' },
      ],
    });
    const clinicianFemale = { role: 'clinician' as const, sex: 'female' as const, symptomGroup: 'SG1011' };
    expect(ids(run([s], { ...clinicianFemale, symptomDiscriminators: ['SD4003', 'SD4052'] }))).toEqual(['s']);
    expect(
      run([s], { ...clinicianFemale, symptomDiscriminators: ['SD4003', 'SD4212'] }).gaps[0]?.failed,
    ).toBe('symptom_discriminator');
    expect(run([s], { ...clinicianFemale, symptomGroup: 'SG1010' }).gaps[0]?.failed).toBe('symptom_group');
    expect(run([s], { ...clinicianFemale, sex: 'male' }).gaps[0]?.failed).toBe('sex');
    expect(run([s], { ...clinicianFemale, role: 'health_adviser' }).gaps[0]?.failed).toBe('referral_role');
    expect(run([s], { ...clinicianFemale, disposition: 'Dx17' }).gaps[0]?.failed).toBe('disposition');
    // Two failures: not a gap, not a result.
    const two = run([s], { ...clinicianFemale, sex: 'male', role: 'health_adviser' });
    expect(two.gaps).toEqual([]);
  });

  it('excludes red capacity until its reset time, and shows amber', () => {
    const red = svc('red', {
      capacity: { status: 'red', resetAt: '2012-01-09T10:30:00Z', changedAt: null, changedBy: null },
    });
    const amber = svc('amber', {
      typeId: 40,
      capacity: { status: 'amber', resetAt: null, changedAt: null, changedBy: null },
    });
    const before = run([red, amber]);
    expect(ids(before)).toEqual(['amber']);
    expect(before.results[0]?.capacity).toBe('amber');
    expect(before.gaps).toMatchObject([{ service: { id: 'red' }, failed: 'capacity' }]);
    expect(ids(run([red, amber], { at: new Date('2012-01-09T10:30:00Z') })).sort()).toEqual(['amber', 'red']);
  });

  it('leaves out services beyond the search distance', () => {
    const far = svc('far', { longitude: east(20) });
    expect(ids(run([far], { distanceKm: 19 }))).toEqual([]);
    expect(ids(run([far], { distanceKm: 21 }))).toEqual(['far']);
  });
});

describe('ranking', () => {
  it('orders by travel time, then type rank, then own GP, then commissioned', () => {
    const gpOwn = svc('gp-own', { odsCode: 'Y123', longitude: east(1.05) });
    const gpOther = svc('gp-other', { longitude: east(1.0) });
    const gpOtherArea = svc('gp-other-area', { areaCode: '5P2', longitude: east(0.95) });
    const utc = svc('utc', { typeId: 135, longitude: east(1.1) }); // rank 2: before GPs (rank 4) at the same minutes
    const near = svc('near-gp', { longitude: east(0.1) }); // 1 minute: first whatever its rank
    const a = run([gpOwn, gpOther, gpOtherArea, utc, near], { gpPractice: 'Y123' });
    // All of gp-own, gp-other, gp-other-area, utc are 2 minutes away (straight line at 40 km/h).
    expect(a.results.map((r) => r.travelMinutes)).toEqual([1, 2, 2]);
    expect(ids(a)).toEqual(['near-gp', 'utc', 'gp-own']); // at most two GP practices
    expect(a.results[2]?.why).toContain("the patient's own GP practice");

    const noOwn = run([gpOther, gpOtherArea, utc]);
    expect(ids(noOwn)).toEqual(['utc', 'gp-other', 'gp-other-area']); // commissioned before the nearer other-area GP
  });

  it('uses an area override of the national type rank', () => {
    const gp = svc('gp', { longitude: east(1.0) });
    const utc = svc('utc', { typeId: 135, longitude: east(1.05) });
    expect(ids(run([gp, utc]))).toEqual(['utc', 'gp']);
    const local: TypeRanks = { ...ranks, byArea: new Map([['5GC', new Map([[100, 1]])]]) };
    const a = run([gp, utc], {}, local);
    expect(ids(a)).toEqual(['gp', 'utc']);
    expect(a.results[0]?.typeRankSource).toBe('area');
  });

  it('breaks a full tie by distance and then id, the same every time', () => {
    const a1 = svc('b', { longitude: east(1.0) });
    const a2 = svc('a', { longitude: east(1.0) });
    expect(ids(run([a1, a2]))).toEqual(['a', 'b']);
    expect(ids(run([a2, a1]))).toEqual(['a', 'b']);
  });

  it('falls back to the two nearest emergency departments when nothing matches', () => {
    const ed1 = svc('ed-near', { typeId: 105, dispositions: ['Dx02'], longitude: east(70) });
    const ed2 = svc('ed-far', { typeId: 105, dispositions: ['Dx02'], longitude: east(80) });
    const ed3 = svc('ed-farthest', { typeId: 105, dispositions: ['Dx02'], longitude: east(90) });
    const closedEd = svc('ed-closed', { typeId: 105, status: 'closed', longitude: east(5) });
    const a = run([ed3, ed1, ed2, closedEd], { disposition: 'Dx17' });
    expect(a.fallback).toBe(true);
    expect(ids(a)).toEqual(['ed-near', 'ed-far']);
  });
});

describe('search and capacity checks', () => {
  it('refuses out-of-range distance, unknown and self-care dispositions', () => {
    expect(() => checkSearch(query({ distanceKm: 100 }), dx('Dx11'))).toThrow(/1–99 km/);
    expect(() => checkSearch(query({ distanceKm: 0.5 }), dx('Dx11'))).toThrow(/1–99 km/);
    expect(() => checkSearch(query({ disposition: 'Dx99' }), undefined)).toThrow(/not a known disposition/);
    expect(() => checkSearch(query({ disposition: 'Dx39' }), dx('Dx39'))).toThrow(/self-care/);
    expect(checkSearch(query({ distanceKm: 99 }), dx('Dx11')).code).toBe('Dx11');
  });

  it('needs a reset of 15 minutes to 120 hours for amber or red', () => {
    expect(checkCapacityReset('green', undefined)).toEqual([]);
    expect(checkCapacityReset('red', 15)).toEqual([]);
    expect(checkCapacityReset('red', 14)).toHaveLength(1);
    expect(checkCapacityReset('amber', 7200)).toEqual([]);
    expect(checkCapacityReset('amber', 7201)).toHaveLength(1);
  });
});
