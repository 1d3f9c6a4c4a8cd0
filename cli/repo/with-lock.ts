import { acquireLock, type Repository } from '../../repository/index.ts';

/** Runs `fn` holding a repository lock; the lock is released whatever happens. */
export async function withLock<T>(repo: Repository, exclusive: boolean, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(repo, { exclusive });
  try {
    return await fn();
  } finally {
    await lock.release().catch(() => undefined);
  }
}
