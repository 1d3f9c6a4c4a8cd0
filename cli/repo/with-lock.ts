import { SkiffError, acquireLock, type Repository } from '../../repository/index.ts';

/** `--retry-lock`: how long commands wait for other processes' conflicting locks (restic's flag). */
let lockWaitMs = 0;

export function setLockWait(duration: string | undefined): void {
  if (duration === undefined) return;
  const m = /^(\d+)(ms|s|m|h)$/.exec(duration.trim());
  if (!m) throw new SkiffError('Config', `invalid --retry-lock "${duration}": use e.g. 30s, 5m, 1h`);
  lockWaitMs = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/**
 * Runs `fn` holding a repository lock; the lock is released whatever happens. With `loadIndex`
 * the index loads while the lock settles (acquiring waits 200 ms before its second look for
 * conflicting locks, as restic does, and need not wait idle). If the lock had to wait for
 * another process's, that one may have been a prune: the index is then loaded again, under the
 * lock, as restic loads it.
 */
export async function withLock<T>(repo: Repository, exclusive: boolean, fn: () => Promise<T>, opts: { loadIndex?: boolean } = {}): Promise<T> {
  let waited = false;
  const [locked, loaded] = await Promise.allSettled([
    acquireLock(repo, { exclusive, waitMs: lockWaitMs, onWait: () => (waited = true) }),
    opts.loadIndex ? repo.loadIndex() : undefined,
  ]);
  if (locked.status === 'rejected') throw locked.reason;
  const lock = locked.value;
  try {
    if (opts.loadIndex && waited) await repo.reloadIndex();
    else if (loaded.status === 'rejected') throw loaded.reason;
    return await fn();
  } finally {
    await lock.release().catch(() => undefined);
  }
}
