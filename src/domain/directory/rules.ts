import type { FieldProblem } from '../errors';
import { parseClock } from './london-time';
import type { ServiceRecord } from './types';
import { type OpeningTimes, type Session, WEEKDAYS } from './types';

/** Manual capacity statuses reset after 15 minutes at the least and 120 hours at the most. */
export const CAPACITY_RESET_MIN_MINUTES = 15;
export const CAPACITY_RESET_MAX_MINUTES = 120 * 60;

/** The bounding box of England (and a margin): a service outside it is a typing error. */
export const ENGLAND_BOUNDS = { minLat: 49.8, maxLat: 55.9, minLng: -6.5, maxLng: 1.9 };

function checkSessions(sessions: readonly Session[], pointer: string, problems: FieldProblem[]): void {
  sessions.forEach((s, i) => {
    const open = parseClock(s.open);
    const close = parseClock(s.close);
    if (Number.isNaN(open) || open === 1440)
      problems.push({ pointer: `${pointer}/${i}/open`, message: `"${s.open}" is not a time HH:MM` });
    if (Number.isNaN(close))
      problems.push({
        pointer: `${pointer}/${i}/close`,
        message: `"${s.close}" is not a time HH:MM (or 24:00)`,
      });
    if (open === close)
      problems.push({
        pointer: `${pointer}/${i}`,
        message: 'a session must not open and close at the same time',
        rule: 'session-has-length',
      });
  });
}

export function checkOpeningTimes(t: OpeningTimes, pointer = '/openingTimes'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const day of Object.keys(t.weekly)) {
    if (!(WEEKDAYS as readonly string[]).includes(day))
      problems.push({ pointer: `${pointer}/weekly/${day}`, message: 'not a weekday (mon…sun)' });
  }
  for (const day of WEEKDAYS) checkSessions(t.weekly[day] ?? [], `${pointer}/weekly/${day}`, problems);
  checkSessions(t.bankHolidays, `${pointer}/bankHolidays`, problems);
  const seen = new Set<string>();
  t.specifiedDates.forEach((d, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d.date) || Number.isNaN(Date.parse(d.date)))
      problems.push({
        pointer: `${pointer}/specifiedDates/${i}/date`,
        message: `"${d.date}" is not a date YYYY-MM-DD`,
      });
    if (seen.has(d.date))
      problems.push({ pointer: `${pointer}/specifiedDates/${i}/date`, message: `${d.date} is listed twice` });
    seen.add(d.date);
    checkSessions(d.sessions, `${pointer}/specifiedDates/${i}/sessions`, problems);
  });
  return problems;
}

/** The rules a service record must keep, beyond its shape; every broken rule is listed. */
export function checkService(
  s: ServiceRecord,
  knownTypes: ReadonlySet<number>,
  knownDispositions: ReadonlySet<string>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(s.id))
    problems.push({ pointer: '/id', message: 'id must be 1–64 letters, digits, "-" or "."' });
  if (!knownTypes.has(s.typeId))
    problems.push({ pointer: '/typeId', message: `${s.typeId} is not a known service type` });
  const b = ENGLAND_BOUNDS;
  if (
    !(s.latitude >= b.minLat && s.latitude <= b.maxLat && s.longitude >= b.minLng && s.longitude <= b.maxLng)
  )
    problems.push({
      pointer: '/latitude',
      message: 'the location is not in England',
      rule: 'service-in-england',
    });
  if (
    !(
      Number.isInteger(s.ageMinDays) &&
      Number.isInteger(s.ageMaxDays) &&
      s.ageMinDays >= 0 &&
      s.ageMinDays <= s.ageMaxDays
    )
  )
    problems.push({
      pointer: '/ageMinDays',
      message: 'ages are whole days with 0 ≤ min ≤ max',
      rule: 'age-range',
    });
  if (s.sexes.length === 0) problems.push({ pointer: '/sexes', message: 'at least one sex must be seen' });
  if (s.referralRoles.length === 0)
    problems.push({ pointer: '/referralRoles', message: 'at least one referral role is needed' });
  s.dispositions.forEach((d, i) => {
    if (!knownDispositions.has(d))
      problems.push({ pointer: `/dispositions/${i}`, message: `${d} is not a known disposition` });
  });
  s.symptoms.forEach((p, i) => {
    if (!/^SG\d{4}$/.test(p.sg) || !/^SD\d{4}$/.test(p.sd))
      problems.push({
        pointer: `/symptoms/${i}`,
        message: 'a pair is a symptom group SGnnnn and a discriminator SDnnnn',
      });
  });
  problems.push(...checkOpeningTimes(s.openingTimes));
  return problems;
}

/** Checks a capacity change: green clears; amber and red need a reset 15 minutes to 120 hours ahead. */
export function checkCapacityReset(status: string, resetAfterMinutes: number | undefined): FieldProblem[] {
  if (status === 'green') return [];
  const m = resetAfterMinutes;
  if (
    m === undefined ||
    !Number.isInteger(m) ||
    m < CAPACITY_RESET_MIN_MINUTES ||
    m > CAPACITY_RESET_MAX_MINUTES
  ) {
    return [
      {
        pointer: '/resetAfterMinutes',
        message: `an ${status} status resets after ${CAPACITY_RESET_MIN_MINUTES} minutes to ${CAPACITY_RESET_MAX_MINUTES / 60} hours; give resetAfterMinutes`,
        rule: 'capacity-reset-window',
      },
    ];
  }
  return [];
}
