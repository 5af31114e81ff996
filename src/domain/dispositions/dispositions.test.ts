import { describe, expect, it } from 'vitest';
import { readDispositionContent } from '../../content/dispositions';
import { moreUrgent, readDispositionCatalogue } from './index';

const catalogue = readDispositionContent();

describe('the disposition catalogue', () => {
  it('holds the Dx codes with their timeframes in minutes', () => {
    expect(catalogue.byCode.get('Dx12')?.timeframeMinutes).toBe(120);
    expect(catalogue.byCode.get('Dx115')?.timeframeMinutes).toBe(7200);
    expect(catalogue.byCode.get('Dx010')?.group).toBe('ambulance');
    expect(catalogue.byCode.get('Dx39')?.timeframeMinutes).toBeNull();
  });

  it('orders urgency: an ambulance beats the emergency department beats self-care', () => {
    const get = (c: string) => catalogue.byCode.get(c)!;
    expect(moreUrgent(get('Dx02'), get('Dx010')).code).toBe('Dx010');
    expect(moreUrgent(get('Dx39'), get('Dx02')).code).toBe('Dx02');
  });

  it.each([
    [{ dispositions: [{ code: 'X1' }] }, /code must look like Dx02/],
    [{ dispositions: 'nope' }, /expected a "dispositions" list/],
    [
      {
        dispositions: [
          {
            code: 'Dx39',
            title: 't',
            group: 'self_care',
            contact: 'self_care',
            skill_set: 's',
            urgency_rank: 1,
            timeframe_minutes: 60,
            care_advice: 'a',
          },
        ],
      },
      /only self-care has no timeframe/,
    ],
    [
      {
        dispositions: [
          {
            code: 'Dx02',
            title: 't',
            group: 'emergency_department',
            contact: 'attend',
            skill_set: 's',
            urgency_rank: 1,
            timeframe_minutes: 60,
            care_advice: 'a',
            ambulance_category: 2,
          },
        ],
      },
      /ambulance_category/,
    ],
  ])('rejects a malformed catalogue, naming the entry', (raw, message) => {
    expect(() => readDispositionCatalogue(raw)).toThrow(message);
  });
});
