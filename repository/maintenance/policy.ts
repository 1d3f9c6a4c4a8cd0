/**
 * Retention policy, restic 0.18's `ApplyPolicy` exactly: which snapshots of one group to keep and
 * why. Pure: the clock comes in as `now` (only used to ignore snapshots dated in the future when
 * finding the newest one for `--keep-within*`).
 *
 * Snapshots are taken newest first. Each `--keep-<bucket> n` keeps the newest snapshot of each of
 * the n most recent buckets that have snapshots; when the list ends before n buckets are used up,
 * the oldest snapshot is kept too ("oldest daily snapshot"). `n = -1` is unlimited. `--keep-within
 * d` keeps everything newer than the newest snapshot minus d; `--keep-within-<bucket> d` keeps one
 * per bucket inside that span. `--keep-tag a,b` keeps snapshots that have both a and b; repeated
 * lists are alternatives.
 */
import type { SnapshotEntry } from '../snapshot/snapshots.ts';
import { formatDuration, isZeroDuration, type Duration } from './duration.ts';
import { bucketOf, dateNs, parseSnapshotTime, pastTime, type BucketKind, type SnapshotTime } from './snapshot-time.ts';

export type TagList = readonly string[];

export interface ExpirePolicy {
  /** counts: n > 0, or -1 for unlimited; 0 or absent = not used */
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
  readonly yearly?: number;
  readonly within?: Duration;
  readonly withinHourly?: Duration;
  readonly withinDaily?: Duration;
  readonly withinWeekly?: Duration;
  readonly withinMonthly?: Duration;
  readonly withinYearly?: Duration;
  readonly tags?: readonly TagList[];
}

export interface KeepCounters {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

export interface KeepReason {
  readonly entry: SnapshotEntry;
  /** restic's wording: "last snapshot", "oldest daily snapshot", "within 7d", "has tags [a, b]", "weekly within 1m" */
  readonly matches: string[];
  /** what is left of each count after this snapshot (zeros left out, as restic's JSON does) */
  readonly counters: KeepCounters;
}

export interface PolicyResult {
  /** newest first */
  readonly keep: SnapshotEntry[];
  readonly remove: SnapshotEntry[];
  /** one per kept snapshot, same order as `keep` */
  readonly reasons: KeepReason[];
}

const COUNTED = [
  ['last', undefined, 'last snapshot'],
  ['hourly', 'hourly', 'hourly snapshot'],
  ['daily', 'daily', 'daily snapshot'],
  ['weekly', 'weekly', 'weekly snapshot'],
  ['monthly', 'monthly', 'monthly snapshot'],
  ['yearly', 'yearly', 'yearly snapshot'],
] as const;

const WITHIN = [
  ['withinHourly', 'hourly', 'hourly within'],
  ['withinDaily', 'daily', 'daily within'],
  ['withinWeekly', 'weekly', 'weekly within'],
  ['withinMonthly', 'monthly', 'monthly within'],
  ['withinYearly', 'yearly', 'yearly within'],
] as const;

export function isEmptyPolicy(p: ExpirePolicy): boolean {
  if (p.tags && p.tags.length > 0) return false;
  if (COUNTED.some(([k]) => (p[k] ?? 0) !== 0)) return false;
  return isZeroDuration(p.within) && WITHIN.every(([k]) => isZeroDuration(p[k]));
}

/** Sorts newest first (ties by ID) and applies the policy. An empty policy keeps everything. */
export function applyPolicy(list: readonly SnapshotEntry[], p: ExpirePolicy, now: Date): PolicyResult {
  const items = list.map((entry) => ({ entry, time: parseSnapshotTime(entry.snapshot.time) }));
  items.sort((a, b) => (a.time.ns > b.time.ns ? -1 : a.time.ns < b.time.ns ? 1 : a.entry.id.localeCompare(b.entry.id)));
  const keep: SnapshotEntry[] = [];
  const remove: SnapshotEntry[] = [];
  const reasons: KeepReason[] = [];
  if (isEmptyPolicy(p)) {
    for (const { entry } of items) {
      keep.push(entry);
      reasons.push({ entry, matches: ['policy is empty'], counters: {} });
    }
    return { keep, remove, reasons };
  }
  const counted = COUNTED.map(([key, kind, reason]) => ({ key, kind, reason, count: p[key] ?? 0, last: -1 }));
  const within = WITHIN.map(([key, kind, reason]) => ({ kind, reason, d: p[key], last: -1 }));
  const latest = latestTime(items.map((i) => i.time), dateNs(now));
  const newerThan = (d: Duration) => (latest ? pastTime(latest, d) : undefined);
  const lastIndex = items.length - 1;

  items.forEach(({ entry, time }, nr) => {
    const matches: string[] = [];
    for (const tags of p.tags ?? []) if (hasTags(entry.snapshot.tags ?? [], tags)) matches.push(`has tags [${tags.join(', ')}]`);
    if (p.within && !isZeroDuration(p.within) && after(time, newerThan(p.within))) matches.push(`within ${formatDuration(p.within)}`);
    for (const b of counted) {
      if (b.count === 0) continue;
      const val = b.kind ? bucketOf(b.kind, time) : nr;
      if (val === b.last && nr !== lastIndex) continue;
      matches.push(val === b.last ? `oldest ${b.reason}` : b.reason);
      b.last = val;
      if (b.count > 0) b.count--;
    }
    for (const b of within) {
      if (!b.d || isZeroDuration(b.d) || !after(time, newerThan(b.d))) continue;
      const val = bucketOf(b.kind, time);
      if (val === b.last && nr !== lastIndex) continue;
      matches.push(`${val === b.last ? 'oldest ' : ''}${b.reason} ${formatDuration(b.d)}`);
      b.last = val;
    }
    if (matches.length === 0) {
      remove.push(entry);
      return;
    }
    keep.push(entry);
    const counters: KeepCounters = {};
    for (const b of counted) if (b.count !== 0) counters[b.key] = b.count;
    reasons.push({ entry, matches, counters });
  });
  return { keep, remove, reasons };
}

/** Restic's `HasTags`: all tags present; an empty tag matches a snapshot without tags. */
export function hasTags(snapshotTags: readonly string[], wanted: TagList): boolean {
  for (const t of wanted) {
    if (t === '' && snapshotTags.length === 0) return true;
    if (!snapshotTags.includes(t)) return false;
  }
  return true;
}

/** The newest time that is not in the future; undefined (Go's zero time) when there is none. */
function latestTime(times: readonly SnapshotTime[], nowNs: bigint): SnapshotTime | undefined {
  let latest: SnapshotTime | undefined;
  for (const t of times) if (t.ns < nowNs && (!latest || t.ns > latest.ns)) latest = t;
  return latest;
}

function after(t: SnapshotTime, limit: bigint | undefined): boolean {
  return limit === undefined || t.ns > limit;
}

/** Restic's "keep 2 latest, 7 daily snapshots, … and all snapshots within 1y of the newest". */
export function describePolicy(p: ExpirePolicy): string {
  const counts = COUNTED.flatMap(([key, , reason]) => {
    const n = p[key] ?? 0;
    const word = key === 'last' ? 'latest' : reason.split(' ')[0]!;
    return n > 0 ? [`${n} ${word}`] : n === -1 ? [`all ${word}`] : [];
  });
  const withins = WITHIN.flatMap(([key, kind]) => (isZeroDuration(p[key]) ? [] : [`${kind} snapshots within ${formatDuration(p[key]!)}`]));
  let s = counts.length ? `${counts.join(', ')} snapshots` : '';
  if (withins.length) s += (s ? ', ' : '') + withins.join(', ');
  if (p.tags?.length) s += (s ? ' and ' : '') + `all snapshots with tags ${p.tags.map((t) => `[${t.join(', ')}]`).join(' ')}`;
  if (!isZeroDuration(p.within)) s += (s ? ' and ' : '') + `all snapshots within ${formatDuration(p.within!)} of the newest`;
  return `keep ${s}`;
}
