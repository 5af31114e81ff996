import { ambulanceTrustOn, type Geography } from '../geography/index';
import { londonMidnight } from './dates';
import type { Provider, RolloutArea, RolloutCalendar } from './types';

/** Every provider a plan may name: the listed ones plus each ambulance trust (which can do all three). */
export function providerCatalogue(listed: readonly Provider[], geo: Geography): Map<string, Provider> {
  const catalogue = new Map<string, Provider>();
  for (const t of geo.ambulanceTrusts.values()) {
    catalogue.set(t.code, {
      code: t.code,
      name: t.name,
      kind: 'ambulance_trust',
      capabilities: ['call_handling', 'clinical_assessment', 'ambulance_dispatch'],
      demo: false,
    });
  }
  for (const p of listed) catalogue.set(p.code, p);
  return catalogue;
}

/**
 * The areas as routing sees them. The default service's ambulance partner is the area's trust on the
 * default go-live date (Great Western had merged into South Western by then, for instance).
 */
export function rolloutAreas(
  geo: Geography,
  calendar: RolloutCalendar,
  outOfHours: { byRegion: Readonly<Record<string, string>>; byArea: Readonly<Record<string, string>> },
): RolloutArea[] {
  const defaultStart = londonMidnight(calendar.defaultGoLiveDate);
  return [...geo.areas.values()]
    .map((a) => ({
      code: a.code,
      name: a.name,
      regionCode: a.regionCode,
      population: a.population2011,
      ambulanceTrustCode: ambulanceTrustOn(geo, a, defaultStart).code,
      outOfHoursProviderCode: outOfHours.byArea[a.code] ?? outOfHours.byRegion[a.regionCode] ?? '',
    }))
    .sort((x, y) => x.code.localeCompare(y.code));
}
