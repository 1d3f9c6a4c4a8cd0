/** Loading, saving and selecting snapshots. */
import { decodeSnapshot, encodeSnapshot, type Snapshot } from '../tree/index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { Repository } from '../repo/repository.ts';

export interface SnapshotEntry {
  readonly id: string;
  readonly snapshot: Snapshot;
}

export interface SnapshotFilter {
  readonly hosts?: readonly string[];
  readonly paths?: readonly string[];
  readonly tags?: readonly string[];
}

export async function loadSnapshot(repo: Repository, id: string): Promise<SnapshotEntry> {
  const json = await repo.loadUnpacked('snapshot', id);
  try {
    return { id, snapshot: decodeSnapshot(json) };
  } catch (err) {
    throw new SkiffError('Integrity', `snapshot ${id.slice(0, 8)} is damaged: ${(err as Error).message}`, { cause: err });
  }
}

export async function saveSnapshot(repo: Repository, sn: Snapshot): Promise<string> {
  return repo.saveUnpacked('snapshot', encodeSnapshot(sn));
}

/**
 * All snapshots, oldest first. A damaged snapshot is reported through `onError` and skipped so
 * one bad file does not hide the others.
 */
export async function listSnapshots(
  repo: Repository,
  opts: { onError?: (id: string, err: unknown) => void } = {},
): Promise<SnapshotEntry[]> {
  const ids = await repo.listIds('snapshot');
  const out: SnapshotEntry[] = [];
  await Promise.all(
    ids.map(async (f) => {
      try {
        out.push(await loadSnapshot(repo, f.name));
      } catch (err) {
        if (!opts.onError) throw err;
        opts.onError(f.name, err);
      }
    }),
  );
  return out.sort((a, b) => compareTime(a.snapshot.time, b.snapshot.time) || a.id.localeCompare(b.id));
}

export function matches(sn: Snapshot, f: SnapshotFilter): boolean {
  if (f.hosts?.length && !f.hosts.includes(sn.hostname ?? '')) return false;
  if (f.paths?.length && !sameSet(sn.paths, f.paths)) return false;
  if (f.tags?.length && !f.tags.every((t) => (sn.tags ?? []).includes(t))) return false;
  return true;
}

/** The newest snapshot with exactly these host, paths and tags: the parent of an incremental backup. */
export async function findParent(
  repo: Repository,
  f: { host: string; paths: readonly string[]; tags: readonly string[] },
): Promise<SnapshotEntry | undefined> {
  const all = await listSnapshots(repo, { onError: () => undefined });
  const candidates = all.filter(
    (e) => (e.snapshot.hostname ?? '') === f.host && sameSet(e.snapshot.paths, f.paths) && sameSet(e.snapshot.tags ?? [], f.tags),
  );
  return candidates.at(-1);
}

/** Resolves "latest" or an ID prefix. */
export async function resolveSnapshot(repo: Repository, ref: string, filter: SnapshotFilter = {}): Promise<SnapshotEntry> {
  if (ref === 'latest') {
    const all = (await listSnapshots(repo)).filter((e) => matches(e.snapshot, filter));
    const last = all.at(-1);
    if (!last) throw new SkiffError('NotFound', 'no snapshot found');
    return last;
  }
  return loadSnapshot(repo, await repo.resolveId('snapshot', ref));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = [...a].sort();
  const t = [...b].sort();
  return s.every((x, i) => x === t[i]);
}

/** Compares RFC 3339 times by instant (offsets differ between machines). */
export function compareTime(a: string, b: string): number {
  const ta = instant(a);
  const tb = instant(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

function instant(s: string): bigint {
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return 0n;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  const frac = (m[2] ?? '').padEnd(9, '0');
  return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n + BigInt(frac || '0');
}
