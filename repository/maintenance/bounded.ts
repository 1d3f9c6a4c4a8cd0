/** Runs `fn` over `items` with at most `limit` calls in flight; the first failure stops new calls and is thrown. */
export async function forEachBounded<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let n = it.next(); !n.done && !failed; n = it.next()) {
      try {
        await fn(n.value);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, limit) }, worker);
  const results = await Promise.allSettled(workers);
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
}
