/**
 * Fast paths for the time strings a backup formats and checks once per file and field (three per
 * node): plain-number arithmetic instead of BigInt, the date part cached per day, the machine's
 * zone offset cached per quarter hour, and a character-level check of Go's canonical form. Each
 * falls back to the exact general functions in go-time.ts outside the common case, and the tests
 * compare both on edge cases.
 */
import { formatRFC3339Nano, localOffsetMinutes, parseRFC3339Nano } from './go-time.ts';

const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
/** 0000-01-01T00:00:00 and 9999-12-31T23:59:59 as wall seconds: no year clamping between them */
const MIN_WALL = -62167219200;
const MAX_WALL = 253402300799;

let cachedDay = NaN;
let cachedDate = '';

function datePart(days: number): string {
  if (days !== cachedDay) {
    // One call through the exact formatter gives the date; its time part is cut off.
    const s = formatRFC3339Nano({ sec: BigInt(days) * 86400n, nsec: 0, offsetMinutes: 0 });
    cachedDate = s.slice(0, 11);
    cachedDay = days;
  }
  return cachedDate;
}

function fraction(nsec: number): string {
  let s = String(1_000_000_000 + nsec);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  s = s.slice(1, end);
  return '.' + s;
}

function offsetSuffix(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const off = Math.abs(offsetMinutes);
  return (offsetMinutes < 0 ? '-' : '+') + TWO[Math.floor(off / 60)] + ':' + TWO[off % 60];
}

/**
 * `formatRFC3339Nano({sec, nsec, offsetMinutes})` for seconds given as a number (e.g. from a
 * stat call): the same string, computed without BigInt in the usual range.
 */
export function formatUnixTime(sec: number, nsec: number, offsetMinutes: number): string {
  const wall = sec + offsetMinutes * 60;
  if (!Number.isSafeInteger(wall) || wall < MIN_WALL || wall > MAX_WALL || !Number.isInteger(nsec) || nsec < 0 || nsec > 999_999_999) {
    return formatRFC3339Nano({ sec: BigInt(sec), nsec, offsetMinutes });
  }
  const days = Math.floor(wall / 86400);
  const sod = wall - days * 86400;
  let s = datePart(days) + TWO[Math.floor(sod / 3600)] + ':' + TWO[Math.floor(sod / 60) % 60] + ':' + TWO[sod % 60];
  if (nsec !== 0) s += fraction(nsec);
  return s + offsetSuffix(offsetMinutes);
}

const QUARTER = 900;
let offsetBucket = NaN;
let offsetValue = 0;
let offsetTz: string | undefined;

/**
 * `localOffsetMinutes(sec)`, remembered per quarter hour: when the offsets at both ends of the
 * quarter agree the whole quarter has it (zones change at most once in 15 minutes); otherwise
 * every call asks. A change of `process.env.TZ` empties the memory.
 */
export function cachedLocalOffset(sec: number): number {
  const bucket = Math.floor(sec / QUARTER);
  const tz = process.env.TZ;
  if (bucket === offsetBucket && tz === offsetTz) return offsetValue;
  const start = bucket * QUARTER;
  const a = localOffsetMinutes(start);
  const b = localOffsetMinutes(start + QUARTER - 1);
  if (a !== b) return localOffsetMinutes(sec);
  offsetBucket = bucket;
  offsetValue = a;
  offsetTz = tz;
  return a;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const num2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

function daysIn(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Not RFC 3339 as Go reads it. */
export const TIME_INVALID = 0;
/** Valid and exactly what Go writes for that time (`Z` for zero offset, no trailing zeros). */
export const TIME_CANONICAL = 1;
/** Valid, but Go would write it differently. */
export const TIME_OTHER = 2;

/** Classifies a time string the way `parseRFC3339Nano` and `canonicalRFC3339` would, without parsing it into numbers. */
export function timeShape(s: string): typeof TIME_INVALID | typeof TIME_CANONICAL | typeof TIME_OTHER {
  const n = s.length;
  if (n < 20) return TIME_INVALID;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) if (!isDigit(s.charCodeAt(i))) return TIME_INVALID;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return TIME_INVALID;
  const y = num2(s, 0) * 100 + num2(s, 2);
  const mo = num2(s, 5);
  const d = num2(s, 8);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || num2(s, 11) > 23 || num2(s, 14) > 59 || num2(s, 17) > 59) return TIME_INVALID;
  let canonical = true;
  let i = 19;
  if (s[i] === '.' || s[i] === ',') {
    if (s[i] === ',') canonical = false;
    const start = ++i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === start) return TIME_INVALID;
    if (i - start > 9 || s.charCodeAt(i - 1) === 48) canonical = false;
  }
  if (i === n - 1 && s[i] === 'Z') return canonical ? TIME_CANONICAL : TIME_OTHER;
  if (i !== n - 6 || (s[i] !== '+' && s[i] !== '-') || s[i + 3] !== ':') return TIME_INVALID;
  if (!isDigit(s.charCodeAt(i + 1)) || !isDigit(s.charCodeAt(i + 2)) || !isDigit(s.charCodeAt(i + 4)) || !isDigit(s.charCodeAt(i + 5))) return TIME_INVALID;
  const oh = num2(s, i + 1);
  const om = num2(s, i + 4);
  if (oh > 23 || om > 59) return TIME_INVALID;
  if (oh === 0 && om === 0) canonical = false;
  return canonical ? TIME_CANONICAL : TIME_OTHER;
}

/** Throws `Integrity` unless Go would read `s` as a time (the error `parseRFC3339Nano` gives). */
export function checkTime(s: string): void {
  if (timeShape(s) === TIME_INVALID) parseRFC3339Nano(s);
}
