import test from 'ava';
import {
  canonicalRFC3339,
  epochNs,
  formatRFC3339Nano,
  goTimeFromDate,
  goTimeFromStat,
  localOffsetMinutes,
  parseRFC3339Nano,
} from './go-time.ts';

const at = (iso: string): bigint => BigInt(Date.parse(iso) / 1000);

test('formats the §9.5 examples', (t) => {
  t.is(formatRFC3339Nano({ sec: at('2024-01-02T02:04:06Z'), nsec: 500_000_000, offsetMinutes: 60 }), '2024-01-02T03:04:06.5+01:00');
  t.is(formatRFC3339Nano({ sec: at('2026-11-22T05:22:08Z'), nsec: 968708664, offsetMinutes: 0 }), '2026-11-22T05:22:08.968708664Z');
  t.is(formatRFC3339Nano(parseRFC3339Nano('0001-01-01T00:00:00Z')), '0001-01-01T00:00:00Z');
  t.is(formatRFC3339Nano({ sec: at('2024-01-02T03:04:05Z'), nsec: 123456789, offsetMinutes: 0 }), '2024-01-02T03:04:05.123456789Z');
  t.is(formatRFC3339Nano({ sec: at('2024-03-01T00:00:00Z'), nsec: 1000, offsetMinutes: -330 }), '2024-02-29T18:30:00.000001-05:30');
});

test('parse then format is the identity on canonical strings', (t) => {
  for (const s of ['2026-11-22T06:22:08.185469682+01:00', '1969-12-31T23:59:59.999999999Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00-12:00', '2000-02-29T12:00:00.1+14:00']) {
    t.is(formatRFC3339Nano(parseRFC3339Nano(s)), s);
  }
});

test('canonical form drops +00:00 and trailing zeros, truncates past nanoseconds', (t) => {
  t.is(canonicalRFC3339('2024-01-02T03:04:05.120+00:00'), '2024-01-02T03:04:05.12Z');
  t.is(canonicalRFC3339('2024-01-02T03:04:05.000Z'), '2024-01-02T03:04:05Z');
  t.is(canonicalRFC3339('2024-01-02T03:04:05.1234567891Z'), '2024-01-02T03:04:05.123456789Z');
});

test('parse computes the instant and rejects invalid strings', (t) => {
  const g = parseRFC3339Nano('2024-01-02T03:04:06.5+01:00');
  t.is(g.sec, at('2024-01-02T02:04:06Z'));
  t.is(g.nsec, 500_000_000);
  t.is(g.offsetMinutes, 60);
  t.is(epochNs(g), at('2024-01-02T02:04:06Z') * 1_000_000_000n + 500_000_000n);
  for (const bad of ['2024-01-02 03:04:05Z', '2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-01-02T24:00:00Z', '2024-13-01T00:00:00Z', '2024-01-02T03:04:05', '2024-01-02T03:04:05+0100', '24-01-02T03:04:05Z', '2024-01-02T03:04:05.Z']) {
    t.throws(() => parseRFC3339Nano(bad), undefined, bad);
  }
});

test('years outside 0..9999 are clamped like restic fixTime', (t) => {
  const y10000 = parseRFC3339Nano('9999-06-15T10:00:00Z').sec + 366n * 86400n; // 10000-06-15 (9999 is no leap year, 10000 is)
  t.is(formatRFC3339Nano({ sec: y10000, nsec: 0, offsetMinutes: 0 }), '9999-06-15T10:00:00Z');
  const leap = parseRFC3339Nano('9999-02-28T00:00:00Z').sec + 366n * 86400n + 86400n; // 10000-02-29
  t.is(formatRFC3339Nano({ sec: leap, nsec: 0, offsetMinutes: 0 }), '9999-03-01T00:00:00Z');
  const before = parseRFC3339Nano('0000-03-01T00:00:00Z').sec - 400n * 86400n;
  t.true(formatRFC3339Nano({ sec: before, nsec: 0, offsetMinutes: 0 }).startsWith('0000-'));
});

test('goTimeFromStat splits nanoseconds, also before the epoch', (t) => {
  t.deepEqual(goTimeFromStat(-1n, 0), { sec: -1n, nsec: 999_999_999, offsetMinutes: 0 });
  t.is(formatRFC3339Nano(goTimeFromStat(1704164645123456789n, 0)), '2024-01-02T03:04:05.123456789Z');
  t.is(formatRFC3339Nano(goTimeFromDate(new Date('2024-01-02T03:04:05.120Z'), 0)), '2024-01-02T03:04:05.12Z');
});

test('localOffsetMinutes follows the machine zone, including DST', (t) => {
  const saved = process.env['TZ'];
  try {
    process.env['TZ'] = 'Europe/Berlin';
    t.is(localOffsetMinutes(at('2024-01-02T03:04:05Z')), 60);
    t.is(localOffsetMinutes(at('2024-07-02T03:04:05Z')), 120);
    t.is(formatRFC3339Nano(goTimeFromStat(at('2024-01-02T02:04:06Z') * 1_000_000_000n)), '2024-01-02T03:04:06+01:00');
    process.env['TZ'] = 'UTC';
    t.is(formatRFC3339Nano(goTimeFromStat(0n)), '1970-01-01T00:00:00Z');
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
});
