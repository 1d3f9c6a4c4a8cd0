/**
 * Restic's calendar durations for `--keep-within*`: `1y2m3d4h` (years, months, days, hours; any
 * subset, any order, a later unit of the same kind wins). Months and years are calendar units,
 * applied as Go's `AddDate` does, not fixed lengths.
 */
import { SkiffError } from '../errors/errors.ts';

export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
}

export const ZERO_DURATION: Duration = { years: 0, months: 0, days: 0, hours: 0 };

const UNITS = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;

/** Parses `6y5m234d37h`. Config error for a missing number, a missing or unknown unit, or a negative part. */
export function parseDuration(input: string): Duration {
  const s = input.trim();
  const d = { ...ZERO_DURATION };
  const re = /(-?)(\d*)(.?)/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s)!;
    const [, minus, digits, unit] = m;
    if (!digits) throw new SkiffError('Config', `invalid duration "${input}": no number found`);
    if (!unit) throw new SkiffError('Config', `invalid duration "${input}": no unit found after number ${minus}${digits}`);
    const field = UNITS[unit as keyof typeof UNITS];
    if (!field) throw new SkiffError('Config', `invalid duration "${input}": invalid unit "${unit}" (use y, m, d, h)`);
    if (minus) throw new SkiffError('Config', `invalid duration "${input}": negative values are not allowed`);
    d[field] = Number(digits);
    pos = re.lastIndex;
  }
  return d;
}

/** Restic's `Duration.String()`: zero parts left out (`1y3d`), '' for the zero duration. */
export function formatDuration(d: Duration): string {
  return `${d.years ? `${d.years}y` : ''}${d.months ? `${d.months}m` : ''}${d.days ? `${d.days}d` : ''}${d.hours ? `${d.hours}h` : ''}`;
}

export function isZeroDuration(d: Duration | undefined): boolean {
  return !d || (d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0);
}
