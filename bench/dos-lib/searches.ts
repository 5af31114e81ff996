/** The Directory benchmark's searches (bench/dos.ts), in a folder so bench/run.ts does not run it as a benchmark. */
import { readGeographyContent } from '../../src/content/geography';
import { type DirectorySearch, nearestDistrict, seededRandom } from '../../src/domain/directory/index';

const geo = readGeographyContent();

// Realistic searches: where people live (2011 population), the outcome mix of 111 calls that need a
// service, any hour of a year (nights, weekends, bank holidays and the clock changes included).
export function makeSearches(n: number, seed: number): DirectorySearch[] {
  const random = seededRandom(seed);
  const districts = [...geo.districts.values()];
  const cum: number[] = [];
  let total = 0;
  for (const d of districts) {
    total += d.population2011;
    cum.push(total);
  }
  const mix: [string, number][] = [
    ['Dx05', 20],
    ['Dx06', 10],
    ['Dx11', 12],
    ['Dx12', 10],
    ['Dx13', 8],
    ['Dx02', 10],
    ['Dx03', 12],
    ['Dx80', 6],
    ['Dx17', 5],
    ['Dx110', 3],
    ['Dx08', 4],
  ];
  const mixTotal = mix.reduce((a, [, w]) => a + w, 0);
  const out: DirectorySearch[] = [];
  for (let i = 0; i < n; i++) {
    const x = random() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    const d = districts[lo];
    if (!d) throw new Error('no district');
    let w = random() * mixTotal;
    let dx = 'Dx05';
    for (const [code, weight] of mix) {
      w -= weight;
      if (w <= 0) {
        dx = code;
        break;
      }
    }
    const latitude = d.latitude + (random() - 0.5) * 0.02;
    const longitude = d.longitude + (random() - 0.5) * 0.03;
    const child = random() < 0.25;
    out.push({
      latitude,
      longitude,
      areaCode: nearestDistrict(districts, latitude, longitude)?.areaCode ?? null,
      age: child
        ? { value: Math.floor(random() * 16), unit: 'years' }
        : { value: 16 + Math.floor(random() * 80), unit: 'years' },
      sex: random() < 0.52 ? 'female' : 'male',
      disposition: dx,
      symptomGroup: random() < 0.3 ? 'SG1011' : null,
      symptomDiscriminators: [],
      distanceKm: random() < 0.8 ? 60 : 20 + Math.floor(random() * 40),
      at: new Date(Date.UTC(2012, 0, 1) + Math.floor(random() * 366 * 24 * 60) * 60_000),
      gpPractice: null,
      role: random() < 0.8 ? 'health_adviser' : 'clinician',
    });
  }
  return out;
}
