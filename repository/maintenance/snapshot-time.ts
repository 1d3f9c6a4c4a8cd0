/**
 * Snapshot times as Go's `time.Time` sees them after reading restic's JSON: the instant, plus the
 * wall clock in the offset the time was written with. Retention buckets (hour, day, ISO week,
 * month, year) and `--keep-within` arithmetic use that wall clock, exactly as restic does, so a
 * policy gives the same answer on every machine whatever its time zone.
 */
import { parseRFC3339Nano } from '../tree/index.ts';
import type { Duration } from './duration.ts';

export interface SnapshotTime {
  /** nanoseconds since the Unix epoch */
  readonly ns: bigint;
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nsec: number;
  readonly offsetMinutes: number;
}

export function parseSnapshotTime(s: string): SnapshotTime {
  const t = parseRFC3339Nano(s);
  const wall = new Date(Number(t.sec + BigInt(t.offsetMinutes * 60)) * 1000);
  return {
    ns: t.sec * 1_000_000_000n + BigInt(t.nsec),
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    nsec: t.nsec,
    offsetMinutes: t.offsetMinutes,
  };
}

export function dateNs(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}

/** Go's `ISOWeek`: the ISO 8601 year and week (1-53) of a calendar date. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const d = utcDate(year, month - 1, day);
  const weekday = d.getUTCDay() || 7; // Monday = 1 … Sunday = 7
  const thursday = utcDate(year, month - 1, day + 4 - weekday);
  const isoYear = thursday.getUTCFullYear();
  const jan1 = utcDate(isoYear, 0, 1);
  const dayOfYear = Math.round((thursday.getTime() - jan1.getTime()) / 86_400_000);
  return { year: isoYear, week: Math.floor(dayOfYear / 7) + 1 };
}

export type BucketKind = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

/** Restic's bucket numbers: YYYYMMDDHH, YYYYMMDD, YYYYWW (ISO), YYYYMM, YYYY. */
export function bucketOf(kind: BucketKind, t: SnapshotTime): number {
  switch (kind) {
    case 'hourly':
      return t.year * 1_000_000 + t.month * 10_000 + t.day * 100 + t.hour;
    case 'daily':
      return t.year * 10_000 + t.month * 100 + t.day;
    case 'weekly': {
      const w = isoWeek(t.year, t.month, t.day);
      return w.year * 100 + w.week;
    }
    case 'monthly':
      return t.year * 100 + t.month;
    case 'yearly':
      return t.year;
  }
}

/**
 * `t.AddDate(-years, -months, -days).Add(-hours)` in nanoseconds since the epoch: calendar
 * arithmetic on the wall clock with Go's normalization (March 31 minus one month is March 3 or 2),
 * then the hours as an absolute span.
 */
export function pastTime(t: SnapshotTime, d: Duration): bigint {
  const wall = utcDate(t.year - d.years, t.month - 1 - d.months, t.day - d.days);
  wall.setUTCHours(t.hour, t.minute, t.second, 0);
  const sec = BigInt(wall.getTime() / 1000) - BigInt(t.offsetMinutes * 60) - BigInt(d.hours) * 3600n;
  return sec * 1_000_000_000n + BigInt(t.nsec);
}

/** A UTC date from possibly out-of-range month and day (normalized); years 0-99 stay literal. */
function utcDate(year: number, monthIndex: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  return d;
}
