import test from 'ava';
import type { SnapshotEntry } from '../snapshot/snapshots.ts';
import { parseDuration } from './duration.ts';
import { applyPolicy, describePolicy, isEmptyPolicy, type ExpirePolicy } from './policy.ts';

const NOW = new Date('2024-06-01T00:00:00Z');

function snaps(list: readonly (readonly [string, string, string[]?])[]): SnapshotEntry[] {
  return list.map(([id, time, tags]) => ({ id, snapshot: { time, tree: '0'.repeat(64), paths: ['/d'], hostname: 'h', ...(tags ? { tags } : {}) } }));
}

/** id → reasons for kept snapshots, and the removed IDs, for compact expectations. */
function run(list: SnapshotEntry[], p: ExpirePolicy, now = NOW): { keep: Record<string, string[]>; remove: string[] } {
  const r = applyPolicy(list, p, now);
  return { keep: Object.fromEntries(r.reasons.map((x) => [x.entry.id, x.matches])), remove: r.remove.map((e) => e.id) };
}

const cases: { title: string; list: [string, string, string[]?][]; policy: ExpirePolicy; keep: Record<string, string[]>; remove: string[] }[] = [
  {
    title: 'keep-last keeps the newest n, whatever the input order',
    list: [['b', '2024-05-02T00:00:00Z'], ['c', '2024-05-03T00:00:00Z'], ['a', '2024-05-01T00:00:00Z']],
    policy: { last: 2 },
    keep: { c: ['last snapshot'], b: ['last snapshot'] },
    remove: ['a'],
  },
  {
    title: 'hourly: one per hour, the newest in each; the next hour starts at :00',
    list: [['a', '2024-05-01T10:00:00Z'], ['b', '2024-05-01T10:59:59.999Z'], ['c', '2024-05-01T11:00:00Z'], ['d', '2024-05-01T09:30:00Z']],
    policy: { hourly: 2 },
    keep: { c: ['hourly snapshot'], b: ['hourly snapshot'] },
    remove: ['a', 'd'],
  },
  {
    title: 'daily buckets follow the wall clock of the offset the time was written in',
    // b is 2024-05-02 in UTC but 2024-05-01 on its own clock: same day as a
    list: [['a', '2024-05-01T08:00:00-07:00'], ['b', '2024-05-01T20:00:00-07:00'], ['c', '2024-05-02T09:00:00+02:00']],
    policy: { daily: 5 },
    keep: { c: ['daily snapshot'], b: ['daily snapshot'], a: ['oldest daily snapshot'] },
    remove: [],
  },
  {
    title: 'daily: when counts are left the oldest is kept too; when used up it is not',
    list: [['a', '2024-05-01T01:00:00Z'], ['b', '2024-05-01T02:00:00Z'], ['c', '2024-05-01T03:00:00Z'], ['d', '2024-05-02T03:00:00Z']],
    policy: { daily: 2 },
    keep: { d: ['daily snapshot'], c: ['daily snapshot'] },
    remove: ['b', 'a'],
  },
  {
    title: 'weekly uses ISO weeks: Sunday 3 Jan 2021 is week 53 of 2020, Monday 4 Jan starts week 1',
    list: [['thu', '2020-12-31T12:00:00Z'], ['sun', '2021-01-03T12:00:00Z'], ['mon', '2021-01-04T12:00:00Z']],
    policy: { weekly: 3 },
    keep: { mon: ['weekly snapshot'], sun: ['weekly snapshot'], thu: ['oldest weekly snapshot'] },
    remove: [],
  },
  {
    title: 'weekly: Monday 30 Dec 2024 is in week 1 of 2025, with 1 Jan 2025',
    list: [['mon', '2024-12-30T12:00:00Z'], ['wed', '2025-01-01T12:00:00Z'], ['sun', '2024-12-29T12:00:00Z']],
    policy: { weekly: 2 },
    keep: { wed: ['weekly snapshot'], sun: ['weekly snapshot'] },
    remove: ['mon'],
  },
  {
    title: 'monthly and yearly together, reasons in restic order',
    list: [['a', '2023-12-31T23:59:59Z'], ['b', '2024-01-01T00:00:00Z'], ['c', '2024-01-31T00:00:00Z'], ['d', '2024-02-29T12:00:00Z']],
    policy: { monthly: 2, yearly: 2 },
    keep: { d: ['monthly snapshot', 'yearly snapshot'], c: ['monthly snapshot'], a: ['yearly snapshot'] },
    remove: ['b'],
  },
  {
    title: 'unlimited (-1) keeps one per bucket forever',
    list: [['a', '2020-01-01T00:00:00Z'], ['b', '2021-01-01T00:00:00Z'], ['c', '2021-06-01T00:00:00Z']],
    policy: { yearly: -1 },
    keep: { c: ['yearly snapshot'], a: ['yearly snapshot'] },
    remove: ['b'],
  },
  {
    title: 'keep-within is relative to the newest snapshot, strictly newer than the limit',
    list: [['a', '2024-04-24T00:00:00Z'], ['b', '2024-04-24T00:00:00.000000001Z'], ['c', '2024-05-01T00:00:00Z']],
    policy: { within: parseDuration('7d') },
    keep: { c: ['within 7d'], b: ['within 7d'] },
    remove: ['a'],
  },
  {
    title: 'keep-within months follow Go AddDate: 31 March minus 1 month is 2 March (leap year)',
    list: [['a', '2024-03-02T00:00:00Z'], ['b', '2024-03-02T00:00:01Z'], ['c', '2024-03-31T00:00:00Z']],
    policy: { within: parseDuration('1m') },
    keep: { c: ['within 1m'], b: ['within 1m'] },
    remove: ['a'],
  },
  {
    title: 'keep-within ignores snapshots dated after now when finding the newest',
    list: [['old', '2024-05-01T00:00:00Z'], ['mid', '2024-05-20T00:00:00Z'], ['future', '2030-01-01T00:00:00Z']],
    policy: { within: parseDuration('10d') },
    keep: { future: ['within 10d'], mid: ['within 10d'] },
    remove: ['old'],
  },
  {
    title: 'keep-within-daily keeps one per day inside the span only',
    list: [['a', '2024-05-01T01:00:00Z'], ['b', '2024-05-09T01:00:00Z'], ['c', '2024-05-09T02:00:00Z'], ['d', '2024-05-10T02:00:00Z']],
    policy: { withinDaily: parseDuration('3d') },
    keep: { d: ['daily within 3d'], c: ['daily within 3d'] },
    remove: ['b', 'a'],
  },
  {
    title: 'keep-tag: a list needs all its tags; lists are alternatives; tags are not counted',
    list: [['a', '2024-05-01T00:00:00Z', ['nightly', 'db']], ['b', '2024-05-02T00:00:00Z', ['nightly']], ['c', '2024-05-03T00:00:00Z', ['weekly']], ['d', '2024-05-04T00:00:00Z']],
    policy: { tags: [['nightly', 'db'], ['weekly']], last: 1 },
    keep: { d: ['last snapshot'], c: ['has tags [weekly]'], a: ['has tags [nightly, db]'] },
    remove: ['b'],
  },
  {
    title: 'an empty tag in a list matches untagged snapshots',
    list: [['a', '2024-05-01T00:00:00Z', ['x']], ['b', '2024-05-02T00:00:00Z']],
    policy: { tags: [['']] },
    keep: { b: ['has tags []'] },
    remove: ['a'],
  },
];

for (const c of cases) {
  test(`policy: ${c.title}`, (t) => {
    t.deepEqual(run(snaps(c.list), c.policy), { keep: c.keep, remove: c.remove });
  });
}

test('counters say what is left of each count after each kept snapshot', (t) => {
  const r = applyPolicy(snaps([['a', '2024-05-01T00:00:00Z'], ['b', '2024-05-02T00:00:00Z'], ['c', '2024-05-03T00:00:00Z']]), { last: 2, daily: -1 }, NOW);
  t.deepEqual(r.reasons.map((x) => x.counters), [{ last: 1, daily: -1 }, { daily: -1 }, { daily: -1 }]);
});

test('keep list is newest first and lines up with reasons; ties in time go by ID', (t) => {
  const r = applyPolicy(snaps([['y', '2024-05-01T00:00:00Z'], ['x', '2024-05-01T00:00:00Z'], ['z', '2024-04-01T00:00:00Z']]), { last: 5 }, NOW);
  t.deepEqual(r.keep.map((e) => e.id), ['x', 'y', 'z']);
  t.deepEqual(r.reasons.map((x) => x.entry.id), ['x', 'y', 'z']);
});

test('an empty policy keeps everything and says so', (t) => {
  t.true(isEmptyPolicy({ last: 0, within: parseDuration('') }));
  t.false(isEmptyPolicy({ tags: [['x']] }));
  const r = applyPolicy(snaps([['a', '2024-05-01T00:00:00Z']]), {}, NOW);
  t.deepEqual(r.reasons.map((x) => x.matches), [['policy is empty']]);
  t.deepEqual(r.remove, []);
});

test('describePolicy reads like restic', (t) => {
  t.is(
    describePolicy({ last: 2, daily: 7, yearly: -1, withinWeekly: parseDuration('1m'), tags: [['a', 'b']], within: parseDuration('1y2d') }),
    'keep 2 latest, 7 daily, all yearly snapshots, weekly snapshots within 1m and all snapshots with tags [a, b] and all snapshots within 1y2d of the newest',
  );
});
