/**
 * Selecting and grouping snapshots for `forget`, as restic does: a policy applies to each group
 * (default: same host and same set of paths) separately.
 */
import { SkiffError } from '../errors/errors.ts';
import type { SnapshotEntry } from '../snapshot/snapshots.ts';
import { hasTags, type TagList } from './policy.ts';

export interface GroupBy {
  readonly host: boolean;
  readonly paths: boolean;
  readonly tags: boolean;
}

export const DEFAULT_GROUP_BY: GroupBy = { host: true, paths: true, tags: false };

export interface GroupKey {
  readonly hostname: string;
  /** sorted; empty unless grouped by paths */
  readonly paths: string[];
  /** sorted; empty unless grouped by tags */
  readonly tags: string[];
}

export interface SnapshotGroup {
  readonly key: GroupKey;
  readonly snapshots: SnapshotEntry[];
}

/** restic's `--group-by` value: `host`, `paths`, `tags` (singular too), comma-separated; '' = no grouping. */
export function parseGroupBy(s: string): GroupBy {
  const g = { host: false, paths: false, tags: false };
  for (const part of s.split(',')) {
    const o = part.trim();
    if (o === 'host' || o === 'hosts') g.host = true;
    else if (o === 'path' || o === 'paths') g.paths = true;
    else if (o === 'tag' || o === 'tags') g.tags = true;
    else if (o !== '') throw new SkiffError('Config', `unknown grouping option "${o}" (use host, paths, tags)`);
  }
  return g;
}

/** Groups in a stable order (by key); snapshots keep their input order. */
export function groupSnapshots(list: readonly SnapshotEntry[], by: GroupBy): SnapshotGroup[] {
  const groups = new Map<string, SnapshotGroup>();
  for (const e of list) {
    const key: GroupKey = {
      hostname: by.host ? (e.snapshot.hostname ?? '') : '',
      paths: by.paths ? [...e.snapshot.paths].sort() : [],
      tags: by.tags ? [...(e.snapshot.tags ?? [])].sort() : [],
    };
    const k = JSON.stringify(key);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { key, snapshots: [] }));
    g.snapshots.push(e);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** "host web-1, paths [/data /etc], tags [nightly]", as restic names a group. */
export function describeGroup(k: GroupKey): string {
  const parts: string[] = [];
  if (k.hostname) parts.push(`host ${k.hostname}`);
  if (k.paths.length) parts.push(`paths [${k.paths.join(' ')}]`);
  if (k.tags.length) parts.push(`tags [${k.tags.join(' ')}]`);
  return parts.join(', ') || 'all snapshots';
}

export interface ForgetFilter {
  /** any of these hosts */
  readonly hosts?: readonly string[];
  /** any of these lists; a list matches when the snapshot has all its tags */
  readonly tags?: readonly TagList[];
  /** the snapshot must include all of these paths */
  readonly paths?: readonly string[];
}

export function isEmptyFilter(f: ForgetFilter): boolean {
  return !f.hosts?.length && !f.tags?.length && !f.paths?.length;
}

export function matchesFilter(e: SnapshotEntry, f: ForgetFilter): boolean {
  const sn = e.snapshot;
  if (f.hosts?.length && !f.hosts.includes(sn.hostname ?? '')) return false;
  if (f.tags?.length && !f.tags.some((l) => hasTags(sn.tags ?? [], l))) return false;
  if (f.paths?.length && !f.paths.every((p) => sn.paths.includes(p))) return false;
  return true;
}

/** `a, b` → ['a', 'b'] as restic splits a tag list (spaces around tags removed). */
export function parseTagList(s: string): TagList {
  return s.split(',').map((t) => t.trim());
}
