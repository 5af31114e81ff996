import { BoundedMap } from '../bounded-map';
import {
  addDays,
  DAY_MS,
  fromLondon,
  isBankHoliday,
  londonOffsetMinutes,
  parseClock,
  weekdayOf,
} from './london-time';
import { type OpeningTimes, type Session, WEEKDAYS } from './types';

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
 * Opening times prepared for fast evaluation: sessions as minute pairs. Identical opening times (most
 * services of a type share them) are compiled once and share an id, so a search evaluates each
 * distinct timetable once, not once per service.
 */
export interface CompiledOpening {
  readonly id: number;
  readonly alwaysOpen: boolean;
  /** Per weekday (0 = Monday): [open, close, open, close, …] in minutes. */
  readonly weekly: readonly (readonly number[])[];
  readonly bankHolidays: readonly number[];
  readonly specified: ReadonlyMap<string, readonly number[]>;
}

const interned = new Map<string, CompiledOpening>();
const internedById: CompiledOpening[] = [];

/**
 * How many distinct timetables have been compiled. Interned for the process's life (an index refers to
 * them by id), so this grows with the distinct timetables the directory has ever held, not with searches.
 */
export const compiledOpeningsHeld = (): number => internedById.length;

/** A compiled timetable by its id. */
export const compiledOpening = (id: number): CompiledOpening | undefined => internedById[id];
const minutes = (sessions: readonly Session[]): number[] =>
  sessions.flatMap((s) => [parseClock(s.open), parseClock(s.close)]);

export function compileOpening(times: OpeningTimes): CompiledOpening {
  const key = JSON.stringify([
    times.alwaysOpen,
    WEEKDAYS.map((d) => times.weekly[d] ?? []),
    times.bankHolidays,
    times.specifiedDates,
  ]);
  let c = interned.get(key);
  if (!c) {
    c = {
      id: interned.size,
      alwaysOpen: times.alwaysOpen,
      weekly: WEEKDAYS.map((d) => minutes(times.weekly[d] ?? [])),
      bankHolidays: minutes(times.bankHolidays),
      specified: new Map(times.specifiedDates.map((s) => [s.date, minutes(s.sessions)])),
    };
    interned.set(key, c);
    internedById.push(c);
  }
  return c;
}

interface WindowDay {
  readonly date: string;
  readonly weekday: number;
  readonly bankHoliday: boolean;
  /** The London wall-clock midnight of the date, written as if it were UTC. */
  readonly localMidnight: number;
}

/** The London days a search must look at, worked out once per search and shared by every service. */
export interface SearchWindow {
  readonly now: number;
  readonly deadline: number;
  readonly days: readonly WindowDay[];
}

/**
 * London days worked out once and kept (their date, weekday and bank-holiday flag cost string work a
 * search should not repeat): at most this many, about five and a half years of them.
 */
export const DAYS_KEPT = 2048;
const dayCache = new BoundedMap<number, WindowDay>(DAYS_KEPT);
function makeDay(localMidnight: number): WindowDay {
  const date = new Date(localMidnight).toISOString().slice(0, 10);
  return {
    date,
    weekday: WEEKDAYS.indexOf(weekdayOf(date)),
    bankHoliday: isBankHoliday(date),
    localMidnight,
  };
}

/** The London wall-clock midnight (written as if it were UTC) of the London date at an instant. */
function londonMidnight(utcMs: number): number {
  const local = utcMs + londonOffsetMinutes(utcMs) * 60_000;
  return Math.floor(local / DAY_MS) * DAY_MS;
}

export function searchWindow(at: Date, timeframeMinutes: number): SearchWindow {
  const now = at.getTime();
  const deadline = now + timeframeMinutes * 60_000;
  const days: WindowDay[] = [];
  const last = londonMidnight(deadline + DAY_MS);
  for (let m = londonMidnight(now - DAY_MS); m <= last; m += DAY_MS) days.push(dayCache.get(m, makeDay));
  return { now, deadline, days };
}

const HOUR = 3_600_000;
/** Wall-clock → instant (see fromLondon): spring-gap times move forward, autumn-overlap times take BST. */
const instant = (local: number): number => (londonOffsetMinutes(local - HOUR) === 60 ? local - HOUR : local);

/**
 * A timetable's open intervals over a window's days, kept: they depend only on the timetable and the
 * days, and the searches of one day share both. At most this many (a few MB).
 */
export const INTERVALS_KEPT = 8192;
const intervalCache = new BoundedMap<number, readonly OpenInterval[]>(INTERVALS_KEPT);

function intervalsIn(c: CompiledOpening, w: SearchWindow): readonly OpenInterval[] {
  const first = w.days[0];
  // (day number, how many days, timetable id) as one integer key.
  const day = first ? first.localMidnight / DAY_MS : Number.NaN;
  // Years past ±9999 and more than 2^24 timetables are not kept, so the key stays an exact integer.
  if (!(Math.abs(day) < 4_194_304) || c.id >= 16_777_216 || w.days.length >= 64)
    return computeIntervals(c, w);
  const key = (day * 64 + w.days.length) * 16_777_216 + c.id;
  return intervalCache.get(key, () => computeIntervals(c, w));
}

function computeIntervals(c: CompiledOpening, w: SearchWindow): OpenInterval[] {
  const raw: OpenInterval[] = [];
  for (const day of w.days) {
    const m = c.specified.get(day.date) ?? (day.bankHoliday ? c.bankHolidays : c.weekly[day.weekday]) ?? [];
    for (let i = 0; i + 1 < m.length; i += 2) {
      const open = m[i] as number;
      const close = m[i + 1] as number;
      const start = instant(day.localMidnight + open * 60_000);
      const end = instant(day.localMidnight + (close > open ? close : close + 1440) * 60_000);
      if (end > start) raw.push({ start, end });
    }
  }
  raw.sort((a, b) => a.start - b.start);
  const merged: OpenInterval[] = [];
  for (const i of raw) {
    const lastI = merged[merged.length - 1];
    if (lastI && i.start <= lastI.end)
      merged[merged.length - 1] = { start: lastI.start, end: Math.max(lastI.end, i.end) };
    else merged.push(i);
  }
  return merged;
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
 * Is the service open at some moment within the window's timeframe, and then open for at least 30
 * more minutes? (A service open now but closing in 29 minutes fails unless it reopens in time.)
 */
export function openInWindow(c: CompiledOpening, w: SearchWindow): OpenVerdict {
  const now = w.now;
  if (c.alwaysOpen)
    return { ok: true, interval: { start: now, end: Number.POSITIVE_INFINITY }, openNow: true };
  let next: OpenInterval | null = null;
  for (const i of intervalsIn(c, w)) {
    if (i.end <= now) continue;
    const usableFrom = Math.max(i.start, now);
    if (usableFrom <= w.deadline && i.end - usableFrom >= MIN_OPEN_MS) {
      return { ok: true, interval: i, openNow: i.start <= now };
    }
    next ??= i;
  }
  return { ok: false, interval: next, openNow: next !== null && next.start <= now };
}

export function openWithin(times: OpeningTimes, at: Date, timeframeMinutes: number): OpenVerdict {
  return openInWindow(compileOpening(times), searchWindow(at, timeframeMinutes));
}
