/**
 * Runs restore jobs at most `limit` at a time while their bytes are read ahead, one read per
 * group of jobs (read-groups.ts), at most `ahead` groups read or held at once: the memory for
 * data in flight is bounded by `ahead` reads, whatever the restore's size, and a read's buffer
 * is handed back (`done`) once every job of its group has finished.
 *
 * Among the jobs whose bytes are there, one none of whose keys a running job holds goes first.
 * The restorer keys each job by the directories it creates files in: creating a file takes the
 * directory's lock, and two threads creating in one directory at once spin on it in the kernel
 * (up to a tenth of a restore's CPU time with 50,000 small files). When every waiting job shares
 * a key with a running one the first is taken anyway, so no thread idles for it.
 *
 * A failing read or job stops new jobs from starting; the first error is thrown once the running
 * jobs have ended.
 */
const LOOKAHEAD = 64;

export interface ReadAheadOptions<G, B> {
  readonly groups: readonly G[];
  readonly jobsOf: (group: G) => readonly number[];
  readonly keysOf: (job: number) => readonly number[];
  /** jobs running at once */
  readonly limit: number;
  /** groups read or held at once */
  readonly ahead: number;
  readonly read: (group: G) => Promise<B>;
  readonly run: (job: number, bytes: B) => Promise<void>;
  /** every job of `group` has finished: its bytes may be reused */
  readonly done: (group: G, bytes: B) => void;
}

interface Held<G, B> {
  readonly group: G;
  readonly bytes: B;
  left: number;
}

export async function runReadAhead<G, B>(o: ReadAheadOptions<G, B>): Promise<void> {
  const ready: { job: number; held: Held<G, B> }[] = [];
  const busy = new Map<number, number>();
  let next = 0;
  let held = 0;
  let failed: { err: unknown } | undefined;
  let wake: () => void = () => undefined;
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    const w = wake;
    changed = new Promise<void>((resolve) => (wake = resolve));
    w();
  };
  const readMore = () => {
    while (!failed && held < Math.max(1, o.ahead) && next < o.groups.length) {
      const group = o.groups[next++]!;
      held++;
      o.read(group).then(
        (bytes) => {
          const h: Held<G, B> = { group, bytes, left: o.jobsOf(group).length };
          for (const job of o.jobsOf(group)) ready.push({ job, held: h });
          if (h.left === 0) release(h);
          notify();
        },
        (err: unknown) => {
          failed ??= { err };
          notify();
        },
      );
    }
  };
  const release = (h: Held<G, B>) => {
    held--;
    o.done(h.group, h.bytes);
    readMore();
  };
  const pick = () => {
    const n = Math.min(ready.length, LOOKAHEAD);
    for (let i = 0; i < n; i++) {
      if (o.keysOf(ready[i]!.job).every((k) => !busy.has(k))) return ready.splice(i, 1)[0];
    }
    return ready.shift();
  };
  const worker = async (): Promise<void> => {
    while (!failed) {
      const t = pick();
      if (!t) {
        if (next >= o.groups.length && held === 0) return;
        await changed;
        continue;
      }
      const keys = o.keysOf(t.job);
      for (const k of keys) busy.set(k, (busy.get(k) ?? 0) + 1);
      try {
        await o.run(t.job, t.held.bytes);
      } catch (err) {
        failed ??= { err };
      } finally {
        for (const k of keys) {
          const left = busy.get(k)! - 1;
          if (left === 0) busy.delete(k);
          else busy.set(k, left);
        }
        if (--t.held.left === 0) release(t.held);
        notify();
      }
    }
  };
  readMore();
  await Promise.all(Array.from({ length: Math.max(1, o.limit) }, worker));
  if (failed) throw failed.err;
}
