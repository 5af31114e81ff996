import { describe, expect, it } from 'vitest';
import { planProblems, providerCatalogue, rolloutAreas } from '../domain/commissioning/index';
import { readGeographyContent } from './geography';
import { readRolloutContent } from './rollout';

describe('content/rollout', () => {
  const content = readRolloutContent();
  const geo = readGeographyContent();
  const providers = providerCatalogue(content.providers, geo);

  it('has the demo scenario: 4 pilots live, 10 more pilots, 5 areas developing plans', () => {
    const live = content.plans.filter((p) => p.status === 'pilot_live').map((p) => p.area);
    expect(live).toEqual(['5ND', '5J9', '5EM', '5N9', '5GC']); // County Durham and Darlington are two PCTs
    const approved = content.plans.filter((p) => p.status !== 'pilot_live' && p.approved);
    expect(approved).toHaveLength(11); // ten pilots and one late plan
    expect(content.plans.filter((p) => !p.approved)).toHaveLength(5);
  });

  it('keeps the sourced dates: Luton went live on 3 December 2010 (event E04)', () => {
    const luton = content.plans.find((p) => p.area === '5GC');
    expect(luton?.goLiveDate).toBe('2010-12-03');
    const e04 = content.events.find((e) => e.event_id === 'E04');
    expect(e04?.date).toBe('2010-12-03');
    expect(e04?.source_urls).toMatch(/^https:\/\//);
  });

  it('names only real areas, and every plan keeps every rule', () => {
    for (const p of content.plans) {
      expect(geo.areas.has(p.area), p.area).toBe(true);
      const problems = planProblems(
        {
          status: p.status,
          operatingModel: p.operatingModel,
          providerCodes: p.providers,
          procurementDate: p.procurementDate,
          goLiveDate: p.goLiveDate,
          note: '',
        },
        providers,
      );
      expect(problems, p.area).toEqual([]);
    }
  });

  it('gives every area an out-of-hours provider and a default ambulance partner', () => {
    const areas = rolloutAreas(geo, content.calendar, {
      byRegion: content.outOfHoursByRegion,
      byArea: content.outOfHoursByArea,
    });
    expect(areas).toHaveLength(151);
    for (const a of areas) {
      expect(providers.has(a.outOfHoursProviderCode), a.code).toBe(true);
      expect(providers.get(a.ambulanceTrustCode)?.capabilities, a.code).toContain('ambulance_dispatch');
    }
    // Great Western had merged into South Western before the default go-live (1 February 2013).
    expect(areas.find((a) => a.code === '5QJ')?.ambulanceTrustCode).toBe('RYF');
  });
});
