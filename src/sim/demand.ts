/**
 * How many 111 calls an area can expect, hour by hour. A model, stated so it can be argued with:
 * - volume: about 12 million calls a year for England's ~53 million people in the mid-2010s
 *   (0.226 calls per person per year), scalable by `callsPerPersonYear`;
 * - shape: strongly peaked. Weekdays are quiet overnight and busiest in the evening after GP
 *   practices close; Saturdays and Sundays, and bank holidays, carry roughly double a weekday's
 *   daytime volume, busiest in the morning. The hourly weights below encode that shape; the
 *   absolute level comes from the yearly volume.
 */
export const CALLS_PER_PERSON_YEAR = 12_000_000 / 53_000_000;

// Relative call volume for each hour of the day (0–23), by day type.
const WEEKDAY = [
  0.9, 0.7, 0.5, 0.4, 0.35, 0.35, 0.5, 0.9, 1.3, 1.2, 1.0, 0.95, 0.9, 0.85, 0.85, 0.9, 1.0, 1.4, 2.0, 2.1,
  1.9, 1.7, 1.4, 1.1,
];
const WEEKEND = [
  1.2, 0.9, 0.7, 0.55, 0.45, 0.45, 0.7, 1.4, 2.6, 3.3, 3.4, 3.2, 2.9, 2.7, 2.6, 2.6, 2.6, 2.7, 2.9, 2.8, 2.5,
  2.1, 1.7, 1.4,
];

export type DayType = 'weekday' | 'weekend_or_bank_holiday';

export function hourlyWeights(day: DayType): readonly number[] {
  return day === 'weekday' ? WEEKDAY : WEEKEND;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
// A year has about 250 weekdays and 115 weekend days and bank holidays.
const YEAR_WEIGHT = 250 * sum(WEEKDAY) + 115 * sum(WEEKEND);

/** Expected calls in each hour of one day of the given type, for a population. */
export function expectedCallsByHour(
  population: number,
  day: DayType,
  callsPerPersonYear = CALLS_PER_PERSON_YEAR,
): number[] {
  const perWeight = (population * callsPerPersonYear) / YEAR_WEIGHT;
  return hourlyWeights(day).map((w) => w * perWeight);
}

/**
 * Day-of-week shape within each day type (Monday to Sunday): Mondays carry the weekend's backlog,
 * mid-week is quietest; Saturday is busier than Sunday. Each day type's factors average 1, so the
 * yearly volume above is unchanged. Demonstration figures, shaped after the published weekly pattern.
 */
export const DAY_OF_WEEK_FACTOR = [1.12, 0.97, 0.96, 0.96, 0.99, 1.04, 0.96] as const;

/** Monday = 0 … Sunday = 6, for a UTC date. */
export const dayOfWeek = (date: Date): number => (date.getUTCDay() + 6) % 7;

/** Expected calls in each hour of one calendar day: its day type (a bank holiday counts as a weekend) and weekday. */
export function expectedCallsOnDay(
  population: number,
  date: Date,
  bankHoliday: boolean,
  callsPerPersonYear = CALLS_PER_PERSON_YEAR,
): number[] {
  const dow = dayOfWeek(date);
  const weekendish = bankHoliday || dow >= 5;
  // A bank holiday on a weekday has the weekend shape at an average weekend day's level.
  const factor = bankHoliday && dow < 5 ? 1 : (DAY_OF_WEEK_FACTOR[dow] ?? 1);
  return expectedCallsByHour(
    population,
    weekendish ? 'weekend_or_bank_holiday' : 'weekday',
    callsPerPersonYear,
  ).map((c) => c * factor);
}
