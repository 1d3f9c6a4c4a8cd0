import { SkiffError, acquireLock, type Repository } from '../../repository/index.ts';

/** `--retry-lock`: how long commands wait for other processes' conflicting locks (restic's flag). */
let lockWaitMs = 0;

export function setLockWait(duration: string | undefined): void {
  if (duration === undefined) return;
  const m = /^(\d+)(ms|s|m|h)$/.exec(duration.trim());
  if (!m) throw new SkiffError('Config', `invalid --retry-lock "${duration}": use e.g. 30s, 5m, 1h`);
  lockWaitMs = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/** Runs `fn` holding a repository lock; the lock is released whatever happens. */
export async function withLock<T>(repo: Repository, exclusive: boolean, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(repo, { exclusive, waitMs: lockWaitMs });
  try {
    return await fn();
  } finally {
    await lock.release().catch(() => undefined);
  }
}
