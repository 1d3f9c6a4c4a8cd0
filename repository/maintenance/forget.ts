/**
 * `forget`: removes snapshot files, by ID or by a retention policy applied per group. Only
 * snapshot files are deleted; the data they referenced stays until `prune`.
 *
 * Safety, as restic 0.18: an empty policy removes nothing and is refused (unless
 * `unsafeAllowRemoveAll` with a filter), and a policy that would leave a group with no snapshot at
 * all is refused. Everything is decided before the first file is deleted. Takes an exclusive lock
 * (also for a dry run) unless the caller holds one (`locked`).
 */
import { SkiffError } from '../errors/errors.ts';
import { acquireLock } from '../lock/lock.ts';
import type { Repository } from '../repo/repository.ts';
import { listSnapshots, resolveSnapshot, type SnapshotEntry } from '../snapshot/snapshots.ts';
import { forEachBounded } from './bounded.ts';
import { DEFAULT_GROUP_BY, describeGroup, groupSnapshots, isEmptyFilter, matchesFilter, type ForgetFilter, type GroupBy, type GroupKey } from './group.ts';
import { applyPolicy, isEmptyPolicy, type ExpirePolicy, type KeepReason } from './policy.ts';

export interface ForgetOptions {
  /** snapshot IDs (unique prefixes) or "latest" to remove; exclusive with `policy` */
  readonly snapshots?: readonly string[];
  readonly policy?: ExpirePolicy;
  readonly groupBy?: GroupBy;
  /** only these snapshots are considered (and "latest" is resolved among them) */
  readonly filter?: ForgetFilter;
  /** remove every selected snapshot when the policy is empty; needs a non-empty filter */
  readonly unsafeAllowRemoveAll?: boolean;
  readonly dryRun?: boolean;
  /** the caller already holds an exclusive lock */
  readonly locked?: boolean;
  readonly onProgress?: (p: { phase: 'delete'; done: number; total: number }) => void;
}

export interface ForgetGroup {
  readonly key: GroupKey;
  /** newest first */
  readonly keep: SnapshotEntry[];
  readonly remove: SnapshotEntry[];
  readonly reasons: KeepReason[];
}

export interface ForgetResult {
  readonly dryRun: boolean;
  /** empty when snapshots were given by ID */
  readonly groups: ForgetGroup[];
  /** IDs removed (or that would be, in a dry run) */
  readonly removed: string[];
  /** snapshots that could not be read: left alone, never removed by a policy */
  readonly warnings: string[];
}

export async function forget(repo: Repository, opts: ForgetOptions): Promise<ForgetResult> {
  const lock = opts.locked ? undefined : await acquireLock(repo, { exclusive: true });
  try {
    const warnings: string[] = [];
    const { groups, remove } = await decide(repo, opts, warnings);
    if (!opts.dryRun) await removeSnapshots(repo, remove, opts.onProgress);
    return { dryRun: Boolean(opts.dryRun), groups, removed: remove, warnings };
  } finally {
    await lock?.release();
  }
}

async function decide(repo: Repository, opts: ForgetOptions, warnings: string[]): Promise<{ groups: ForgetGroup[]; remove: string[] }> {
  const filter = opts.filter ?? {};
  const policy = opts.policy ?? {};
  if (opts.snapshots?.length) {
    if (!isEmptyPolicy(policy)) throw new SkiffError('Config', 'give snapshot IDs or a --keep-* policy, not both');
    const ids = new Set<string>();
    for (const ref of opts.snapshots) {
      const e = ref === 'latest' ? await latest(repo, filter, warnings) : await resolveSnapshot(repo, ref);
      ids.add(e.id);
    }
    return { groups: [], remove: [...ids] };
  }
  const removeAll = isEmptyPolicy(policy);
  if (removeAll && !opts.unsafeAllowRemoveAll) throw new SkiffError('Config', 'no policy was specified, no snapshots will be removed');
  if (removeAll && isEmptyFilter(filter)) {
    throw new SkiffError('Config', 'removing all snapshots is not allowed unless a snapshot filter (host, tag, path) is given');
  }
  const selected = (await readable(repo, warnings)).filter((e) => matchesFilter(e, filter));
  const now = repo.options.now();
  const groups: ForgetGroup[] = [];
  const remove: string[] = [];
  for (const g of groupSnapshots(selected, opts.groupBy ?? DEFAULT_GROUP_BY)) {
    const r = removeAll
      ? { keep: [], remove: applyPolicy(g.snapshots, {}, now).keep, reasons: [] }
      : applyPolicy(g.snapshots, policy, now);
    if (!removeAll && r.keep.length === 0) {
      throw new SkiffError('Config', `refusing to delete last snapshot of snapshot group "${describeGroup(g.key)}"`);
    }
    groups.push({ key: g.key, ...r });
    for (const e of r.remove) remove.push(e.id);
  }
  return { groups, remove };
}

/** All snapshots that load; the others become warnings (a damaged file must not block retention). */
function readable(repo: Repository, warnings: string[]): Promise<SnapshotEntry[]> {
  return listSnapshots(repo, { onError: (id, err) => warnings.push(`snapshot ${id.slice(0, 8)} skipped: ${(err as Error).message}`) });
}

async function latest(repo: Repository, filter: ForgetFilter, warnings: string[]): Promise<SnapshotEntry> {
  const all = (await readable(repo, warnings)).filter((e) => matchesFilter(e, filter));
  const last = all.at(-1);
  if (!last) throw new SkiffError('NotFound', 'no snapshot found');
  return last;
}

async function removeSnapshots(
  repo: Repository,
  ids: readonly string[],
  onProgress: ForgetOptions['onProgress'],
): Promise<void> {
  let done = 0;
  await forEachBounded(ids, repo.options.connections, async (id) => {
    await repo.io(() => repo.storage.remove({ type: 'snapshot', name: id }));
    onProgress?.({ phase: 'delete', done: ++done, total: ids.length });
  });
}
