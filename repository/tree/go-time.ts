/**
 * Go `time.Time` as restic stores it: RFC 3339 with nanoseconds, trailing zeros of the
 * fraction removed, `Z` for a zero offset (restic-format.md §9.5). Times are kept as
 * seconds + nanoseconds + offset, never as a JS Date (milliseconds only).
 */
import { SkiffError } from '../errors/errors.ts';

export interface GoTime {
  /** Seconds since the Unix epoch (UTC). */
  sec: bigint;
  /** 0 ≤ nsec < 1e9. */
  nsec: number;
  /** The zone offset east of UTC the time is written in. */
  offsetMinutes: number;
}

/** Go's zero time, which restic writes for a missing timestamp. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

const NS = 1_000_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

// Days since 1970-01-01 ↔ proleptic Gregorian date (Howard Hinnant's algorithms).
function civilFromDays(z: bigint): { y: bigint; m: number; d: number } {
  const zz = z + 719468n;
  const era = floorDiv(zz, 146097n);
  const doe = Number(zz - era * 146097n);
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: BigInt(yoe) + era * 400n + (m <= 2 ? 1n : 0n), m, d };
}

function daysFromCivil(y0: bigint, m: number, d: number): bigint {
  const y = m <= 2 ? y0 - 1n : y0;
  const era = floorDiv(y, 400n);
  const yoe = Number(y - era * 400n);
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097n + BigInt(doe) - 719468n;
}

function pad(n: number | bigint, width: number): string {
  return n.toString().padStart(width, '0');
}

/**
 * Go's `t.Format(time.RFC3339Nano)` after restic's `fixTime`: a year below 0 or above 9999 is
 * moved to 0 or 9999 (other fields kept, then normalized as Go's AddDate does).
 */
export function formatRFC3339Nano(t: GoTime): string {
  const wall = t.sec + BigInt(t.offsetMinutes * 60);
  let days = floorDiv(wall, 86400n);
  const secOfDay = Number(wall - days * 86400n);
  let civil = civilFromDays(days);
  if (civil.y < 0n || civil.y > 9999n) {
    days = daysFromCivil(civil.y < 0n ? 0n : 9999n, civil.m, civil.d);
    civil = civilFromDays(days);
  }
  let s = `${pad(civil.y, 4)}-${pad(civil.m, 2)}-${pad(civil.d, 2)}T`;
  s += `${pad(Math.floor(secOfDay / 3600), 2)}:${pad(Math.floor(secOfDay / 60) % 60, 2)}:${pad(secOfDay % 60, 2)}`;
  if (t.nsec !== 0) s += '.' + pad(t.nsec, 9).replace(/0+$/, '');
  if (t.offsetMinutes === 0) return s + 'Z';
  const off = Math.abs(t.offsetMinutes);
  return `${s}${t.offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(off / 60), 2)}:${pad(off % 60, 2)}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function daysIn(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Parses what Go's `time.Parse(time.RFC3339, s)` accepts; throws `Integrity` otherwise. */
export function parseRFC3339Nano(s: string): GoTime {
  const m = RFC3339.exec(s);
  const bad = (): SkiffError => new SkiffError('Integrity', `invalid RFC 3339 time ${JSON.stringify(s.slice(0, 60))}`);
  if (m === null) throw bad();
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59) throw bad();
  const nsec = m[7] === undefined ? 0 : Number(m[7].slice(0, 9).padEnd(9, '0'));
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) throw bad();
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const wall = daysFromCivil(BigInt(y), mo, d) * 86400n + BigInt(h * 3600 + mi * 60 + se);
  return { sec: wall - BigInt(offsetMinutes * 60), nsec, offsetMinutes: offsetMinutes === 0 ? 0 : offsetMinutes };
}

/** The canonical form Go writes after reading `s` (e.g. `+00:00` → `Z`, `.50` → `.5`). */
export function canonicalRFC3339(s: string): string {
  return formatRFC3339Nano(parseRFC3339Nano(s));
}

/**
 * This machine's zone offset (minutes east of UTC) at the given instant, as Go's `time.Local`
 * applies it. Sub-minute historical offsets are truncated.
 */
export function localOffsetMinutes(epochSec: bigint | number): number {
  const ms = Math.max(-8.64e15, Math.min(8.64e15, Number(epochSec) * 1000));
  return 0 - Math.trunc(new Date(ms).getTimezoneOffset());
}

/**
 * A GoTime from nanoseconds since the epoch (`stat`'s `mtimeNs` etc.), in the given offset or,
 * by default, this machine's local offset at that instant (what restic writes).
 */
export function goTimeFromStat(epochNs: bigint, offsetMinutes?: number): GoTime {
  const sec = floorDiv(epochNs, NS);
  const nsec = Number(epochNs - sec * NS);
  return { sec, nsec, offsetMinutes: offsetMinutes ?? localOffsetMinutes(sec) };
}

/** Nanoseconds since the epoch of a GoTime (for comparisons, e.g. lock staleness). */
export function epochNs(t: GoTime): bigint {
  return t.sec * NS + BigInt(t.nsec);
}

/** A GoTime from a JS Date (millisecond precision), by default in this machine's local offset. */
export function goTimeFromDate(d: Date, offsetMinutes?: number): GoTime {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new SkiffError('Integrity', 'invalid Date');
  return goTimeFromStat(BigInt(ms) * 1_000_000n, offsetMinutes);
}
