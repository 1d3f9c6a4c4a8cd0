import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { bucketOf, isoWeek, parseSnapshotTime, pastTime } from './snapshot-time.ts';

test('parseDuration reads restic durations and prints them back', (t) => {
  t.deepEqual(parseDuration('1y2m3d4h'), { years: 1, months: 2, days: 3, hours: 4 });
  t.deepEqual(parseDuration(' 36h '), { years: 0, months: 0, days: 0, hours: 36 });
  t.deepEqual(parseDuration('2d1y'), { years: 1, months: 0, days: 2, hours: 0 });
  t.deepEqual(parseDuration(''), { years: 0, months: 0, days: 0, hours: 0 });
  t.is(formatDuration(parseDuration('0y5m0d12h')), '5m12h');
});

test('parseDuration rejects bad input with a Config error', (t) => {
  for (const bad of ['5', 'd', '5w', '1y-2d', '1.5d']) {
    const err = t.throws(() => parseDuration(bad), { instanceOf: SkiffError });
    t.is(err?.code, 'Config', bad);
  }
});

test('isoWeek matches Go for year edges', (t) => {
  t.deepEqual(isoWeek(2021, 1, 3), { year: 2020, week: 53 });
  t.deepEqual(isoWeek(2021, 1, 4), { year: 2021, week: 1 });
  t.deepEqual(isoWeek(2024, 12, 30), { year: 2025, week: 1 });
  t.deepEqual(isoWeek(2024, 12, 29), { year: 2024, week: 52 });
  t.deepEqual(isoWeek(2026, 12, 31), { year: 2026, week: 53 });
});

test('buckets use the wall clock of the written offset', (t) => {
  const s = parseSnapshotTime('2024-05-01T23:30:00-02:00');
  t.is(bucketOf('hourly', s), 2024050123);
  t.is(bucketOf('daily', s), 20240501);
  t.is(bucketOf('monthly', s), 202405);
  t.is(bucketOf('yearly', s), 2024);
  t.is(bucketOf('weekly', s), 202418);
});

test('pastTime normalizes like Go AddDate, keeps nanoseconds, then subtracts hours', (t) => {
  const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
  t.is(iso(pastTime(parseSnapshotTime('2023-03-31T10:00:00Z'), parseDuration('1m'))), '2023-03-03T10:00:00.000Z');
  t.is(iso(pastTime(parseSnapshotTime('2024-03-31T10:00:00Z'), parseDuration('1m'))), '2024-03-02T10:00:00.000Z');
  t.is(iso(pastTime(parseSnapshotTime('2024-01-01T01:00:00+02:00'), parseDuration('1d2h'))), '2023-12-30T21:00:00.000Z');
  const ns = pastTime(parseSnapshotTime('2024-02-29T00:00:00.123456789Z'), parseDuration('1y'));
  t.is(ns % 1_000_000_000n, 123456789n);
  t.is(iso(ns), '2023-03-01T00:00:00.123Z');
});
