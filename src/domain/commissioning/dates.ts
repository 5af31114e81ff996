import { TZDate } from '@date-fns/tz';
import { addDays, format, isValid, parseISO, subMonths } from 'date-fns';
import type { IsoDate } from './types';

/** England's civil time: go-live dates and deadlines start at midnight here, GMT or BST. */
export const LONDON = 'Europe/London';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written `YYYY-MM-DD` (2012-02-29 yes, 2011-02-29 no). */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = parseISO(value);
  return isValid(d) && format(d, 'yyyy-MM-dd') === value;
}

function parts(date: IsoDate): [number, number, number] {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: "${date}"`);
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? 0, (m ?? 1) - 1, d ?? 1];
}

/** The instant a calendar date begins in England: 2012-10-01 → 2012-09-30T23:00:00Z (BST). */
export function londonMidnight(date: IsoDate): Date {
  const [y, m, d] = parts(date);
  return new Date(new TZDate(y, m, d, 0, 0, 0, 0, LONDON).getTime());
}

/** The calendar date in England at an instant: 2012-09-30T23:30:00Z → 2012-10-01. */
export function londonDate(instant: Date): IsoDate {
  return format(new TZDate(instant.getTime(), LONDON), 'yyyy-MM-dd');
}

/**
 * The same day six calendar months earlier, or the month's last day when that month is shorter
 * (2012-08-31 → 2012-02-29; 2013-08-31 → 2013-02-28). Calendar arithmetic from date-fns.
 */
export function sixMonthsBefore(date: IsoDate): IsoDate {
  const [y, m, d] = parts(date);
  return format(subMonths(new Date(y, m, d, 12), 6), 'yyyy-MM-dd');
}

export function addCalendarDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = parts(date);
  return format(addDays(new Date(y, m, d, 12), days), 'yyyy-MM-dd');
}

/** ISO dates compare as strings. */
export const maxDate = (a: IsoDate, b: IsoDate): IsoDate => (a > b ? a : b);
