/**
 * Runs tasks at most `limit` at a time, preferring a task none of whose keys a running task holds.
 *
 * The restorer keys each job by the directories it creates files in: creating a file takes the
 * directory's lock, and two threads creating in one directory at once spin on it in the kernel
 * (up to a tenth of a restore's CPU time with 50,000 small files). Jobs of other directories,
 * or large-file jobs that create nothing, go first; when every waiting task shares a key with a
 * running one the first waits are taken anyway, so no thread idles for it.
 */
const LOOKAHEAD = 64;

export async function runSpread<T>(tasks: readonly T[], keysOf: (t: T) => readonly number[], limit: number, run: (t: T) => Promise<void>): Promise<void> {
  const pending = [...tasks];
  const busy = new Map<number, number>();
  let failed: { err: unknown } | undefined;
  const pick = (): T | undefined => {
    const n = Math.min(pending.length, LOOKAHEAD);
    for (let i = 0; i < n; i++) {
      if (keysOf(pending[i]!).every((k) => !busy.has(k))) return pending.splice(i, 1)[0];
    }
    return pending.shift();
  };
  const worker = async (): Promise<void> => {
    for (let t = pick(); t !== undefined && !failed; t = pick()) {
      const keys = keysOf(t);
      for (const k of keys) busy.set(k, (busy.get(k) ?? 0) + 1);
      try {
        await run(t);
      } catch (err) {
        failed ??= { err };
      } finally {
        for (const k of keys) {
          const left = busy.get(k)! - 1;
          if (left === 0) busy.delete(k);
          else busy.set(k, left);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (failed) throw failed.err;
}
