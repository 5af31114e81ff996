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

describe('timeframes read as the dispositions define them', () => {
  it('shows the title’s own words: working days are not minutes turned into days', () => {
    // Dx75's 7,200 minutes would read "within 5 days"; the disposition says 3 working days.
    expect(catalogue.byCode.get('Dx75')?.timeframe).toBe('within 3 working days');
    expect(catalogue.byCode.get('Dx115')?.timeframe).toBe('the next working day');
    expect(catalogue.byCode.get('Dx03')?.timeframe).toBe('within 4 hours');
    // A title with no timeframe in it reads from the minutes.
    expect(catalogue.byCode.get('Dx011')?.timeframe).toBe('within 18 minutes');
    expect(catalogue.byCode.get('Dx39')?.timeframe).toBe('self-care');
  });

  const entry = (title: string, timeframe_minutes: number) => ({
    dispositions: [
      {
        code: 'Dx99',
        title,
        group: 'primary_care',
        contact: 'contact',
        skill_set: 'own_gp',
        urgency_rank: 9,
        timeframe_minutes,
        care_advice: 'a',
      },
    ],
  });

  it('rejects a title whose timeframe disagrees with its minutes', () => {
    expect(() => readDispositionCatalogue(entry('Contact a GP within 4 hours', 300))).toThrow(
      /the title says within 4 hours but timeframe_minutes is 300/,
    );
    expect(() => readDispositionCatalogue(entry('See your GP within 3 working days', 1440))).toThrow(
      /within 3 working days but timeframe_minutes \(1440\) is shorter/,
    );
    expect(
      readDispositionCatalogue(entry('See your GP within 3 working days', 7200)).byCode.get('Dx99'),
    ).toMatchObject({ timeframe: 'within 3 working days', timeframeMinutes: 7200 });
  });
});
