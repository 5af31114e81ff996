import { addDays, DAY_MS, fromLondon, isBankHoliday, parseClock, toLondon, weekdayOf } from './london-time';
import type { OpeningTimes, Session } from './types';

/** An interval of open time, in UTC milliseconds [start, end). */
export interface OpenInterval {
  readonly start: number;
  readonly end: number;
}

/** The sessions that apply on one London date: a specified date, else a bank holiday, else the weekday. */
export function sessionsOn(times: OpeningTimes, date: string): readonly Session[] {
  const specified = times.specifiedDates.find((s) => s.date === date);
  if (specified) return specified.sessions;
  if (isBankHoliday(date)) return times.bankHolidays;
  return times.weekly[weekdayOf(date)] ?? [];
}

/**
 * Open intervals (merged, in order) for the London dates `fromDate` to `toDate` inclusive. A session
 * whose close is not after its open runs into the next day. Clock changes are honoured: on the
 * autumn Sunday 00:00–24:00 lasts 25 hours, in spring 23.
 */
export function openIntervals(times: OpeningTimes, fromDate: string, toDate: string): OpenInterval[] {
  const raw: OpenInterval[] = [];
  for (let date = fromDate; date <= toDate; date = addDays(date, 1)) {
    for (const s of sessionsOn(times, date)) {
      const open = parseClock(s.open);
      const close = parseClock(s.close);
      const start = fromLondon(date, open);
      const end = close > open ? fromLondon(date, close) : fromLondon(addDays(date, 1), close);
      if (end > start) raw.push({ start, end });
    }
  }
  raw.sort((a, b) => a.start - b.start);
  const merged: OpenInterval[] = [];
  for (const i of raw) {
    const last = merged[merged.length - 1];
    if (last && i.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, i.end) };
    else merged.push(i);
  }
  return merged;
}

/** Minimum time a service must still be open for a referral: it must not close within 30 minutes. */
export const MIN_OPEN_MS = 30 * 60_000;

export interface OpenVerdict {
  readonly ok: boolean;
  /** The open interval the patient would use (when ok), or the next one seen (when not). */
  readonly interval: OpenInterval | null;
  readonly openNow: boolean;
}

/**
 * Is the service open at some moment within `timeframeMinutes` of `at`, and then open for at least
 * 30 more minutes? (A service open now but closing in 29 minutes fails unless it reopens in time.)
 */
export function openWithin(times: OpeningTimes, at: Date, timeframeMinutes: number): OpenVerdict {
  const now = at.getTime();
  if (times.alwaysOpen)
    return { ok: true, interval: { start: now, end: Number.POSITIVE_INFINITY }, openNow: true };
  const deadline = now + timeframeMinutes * 60_000;
  const fromDate = toLondon(now - DAY_MS).date;
  const toDate = toLondon(deadline + DAY_MS).date;
  const intervals = openIntervals(times, fromDate, toDate);
  let next: OpenInterval | null = null;
  for (const i of intervals) {
    if (i.end <= now) continue;
    const usableFrom = Math.max(i.start, now);
    if (usableFrom <= deadline && i.end - usableFrom >= MIN_OPEN_MS) {
      return { ok: true, interval: i, openNow: i.start <= now };
    }
    next ??= i;
  }
  return { ok: false, interval: next, openNow: next !== null && next.start <= now };
}
