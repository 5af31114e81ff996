import type { Geography, PostcodeDistrict } from '../geography/index';
import { seededRandom } from '../random';
import type { DirectoryContent, ServiceTypeTemplate } from './content';
import type { ServiceRecord } from './types';

export { seededRandom } from '../random';

const KM_PER_DEG_LAT = 110.574;

function jitter(
  d: PostcodeDistrict,
  random: () => number,
  km: number,
): { latitude: number; longitude: number } {
  const angle = random() * 2 * Math.PI;
  const r = Math.sqrt(random()) * km;
  const lat = d.latitude + (r * Math.sin(angle)) / KM_PER_DEG_LAT;
  const lng = d.longitude + (r * Math.cos(angle)) / (111.32 * Math.cos((d.latitude * Math.PI) / 180));
  return { latitude: Math.round(lat * 1e5) / 1e5, longitude: Math.round(lng * 1e5) / 1e5 };
}

const ACUTE_TYPES = new Set([105, 135, 120, 40]);

/** The organisation that runs a demo service: the area's acute trust for hospital-type services, else the PCT. */
export function demoOrganisationCode(areaCode: string, typeId: number): string {
  return ACUTE_TYPES.has(typeId) ? `${areaCode}-ACUTE` : areaCode;
}

function serviceFrom(
  t: ServiceTypeTemplate,
  id: string,
  name: string,
  district: PostcodeDistrict,
  place: { latitude: number; longitude: number },
  organisationCode: string,
  random: () => number,
  odsCode: string | null,
): ServiceRecord {
  const late = t.lateHours !== null && random() < t.lateShare;
  const phone = `0${String(1000000000 + Math.floor(random() * 899999999)).slice(0, 10)}`;
  return {
    id,
    name: late ? `${name} (late opening)` : name,
    typeId: t.id,
    status: 'active',
    organisationCode,
    odsCode,
    latitude: place.latitude,
    longitude: place.longitude,
    address: `${district.outcode} (demo address)`,
    postcode: `${district.outcode} 1AA`,
    publicPhone: t.id === 105 ? null : phone,
    professionalPhone: `0${String(2000000000 + Math.floor(random() * 799999999)).slice(0, 10)}`,
    publicReferralInstructions:
      t.id === 105 ? 'Go to the emergency department.' : `Contact ${name}; say NHS 111 sent you.`,
    professionalReferralInstructions:
      'Send the 111 report electronically, then phone the professional line if urgent.',
    openingTimes: late && t.lateHours ? t.lateHours : t.hours,
    ageMinDays: t.ageDays[0],
    ageMaxDays: t.ageDays[1],
    sexes: ['female', 'male', 'indeterminate'],
    dispositions: t.dispositions,
    symptoms: t.symptoms,
    referralRoles: t.roles,
    areaCode: district.areaCode,
    limited: t.limited,
    capacity: { status: 'green', resetAt: null, changedAt: null, changedBy: null },
    endpoints: [
      { kind: 'electronic', address: `urn:open111:dos:${id}`, order: 1 },
      { kind: 'phone', address: phone, order: 2 },
    ],
  };
}

/**
 * The demo directory: for every commissioning area, each service type `per_area` times, placed in
 * the area's most populous postcode districts. Deterministic.
 */
export function generateDemoDirectory(geo: Geography, content: DirectoryContent): ServiceRecord[] {
  const byArea = new Map<string, PostcodeDistrict[]>();
  for (const d of geo.districts.values()) {
    const list = byArea.get(d.areaCode) ?? [];
    list.push(d);
    byArea.set(d.areaCode, list);
  }
  const out: ServiceRecord[] = [];
  for (const area of [...geo.areas.values()].sort((a, b) => a.code.localeCompare(b.code))) {
    const districts = (byArea.get(area.code) ?? []).sort(
      (a, b) => b.population2011 - a.population2011 || a.outcode.localeCompare(b.outcode),
    );
    if (districts.length === 0) continue;
    const random = seededRandom([...area.code].reduce((h, c) => h * 31 + c.charCodeAt(0), 7));
    let placed = 0;
    for (const t of content.types) {
      for (let k = 1; k <= t.perArea; k++) {
        const district = districts[placed % districts.length] as PostcodeDistrict;
        placed++;
        const id = `${area.code}-${t.id}-${k}`;
        const label =
          t.id === 100 || t.id === 13 ? `${district.outcode} ${t.name}` : `${area.name} ${t.name}`;
        out.push(
          serviceFrom(
            t,
            id,
            `${label}${t.perArea > 1 && t.id !== 100 && t.id !== 13 ? ` ${k}` : ''} (DEMO)`,
            district,
            jitter(district, random, 1.5),
            demoOrganisationCode(area.code, t.id),
            random,
            t.id === 100 ? `Y${area.code}${k}` : null,
          ),
        );
      }
    }
  }
  return out;
}

/**
 * An England-scale synthetic directory: `count` services placed by the 2011 population of the
 * postcode districts, types by their weights. The same seed gives the same directory.
 */
export function generateSyntheticDirectory(
  geo: Geography,
  content: DirectoryContent,
  count: number,
  seed: number,
): ServiceRecord[] {
  const random = seededRandom(seed);
  const districts = [...geo.districts.values()].sort((a, b) => a.outcode.localeCompare(b.outcode));
  const cumulative: number[] = [];
  let total = 0;
  for (const d of districts) {
    total += Math.max(1, d.population2011);
    cumulative.push(total);
  }
  const types = content.types.filter((t) => t.weight > 0);
  const typeCumulative: number[] = [];
  let wTotal = 0;
  for (const t of types) {
    wTotal += t.weight;
    typeCumulative.push(wTotal);
  }
  const pick = (cum: number[], x: number): number => {
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const out: ServiceRecord[] = [];
  for (let n = 1; n <= count; n++) {
    const district = districts[pick(cumulative, random() * total)] as PostcodeDistrict;
    const t = types[pick(typeCumulative, random() * wTotal)] as ServiceTypeTemplate;
    const id = `SYN-${seed}-${n}`;
    const s = serviceFrom(
      t,
      id,
      `${district.outcode} ${t.name} ${n} (SYNTHETIC)`,
      district,
      jitter(district, random, 3),
      `SYN${n % 997}`,
      random,
      t.id === 100 ? `S${n}` : null,
    );
    const roll = random();
    out.push(
      roll < 0.03
        ? { ...s, capacity: { status: 'red', resetAt: null, changedAt: null, changedBy: null } }
        : roll < 0.08
          ? { ...s, capacity: { status: 'amber', resetAt: null, changedAt: null, changedBy: null } }
          : s,
    );
  }
  return out;
}
