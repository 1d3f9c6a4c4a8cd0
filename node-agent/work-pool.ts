/**
 * Keyed jobs with a bounded number of slots. A job starts at once, but does its heavy part only
 * inside a slot (`slot()`): at most `concurrency` jobs hold one, the others wait in FIFO order. So
 * a restore waiting minutes for its pod's volume directory waits outside the limit and never keeps
 * a backup from running. A key is never present twice (submitting it again is a no-op). Each job
 * has its own AbortSignal: `cancel(key)` aborts it with reason `'cancel'`, `stop()` aborts all with
 * `'shutdown'`; a job waiting for a slot then gets the abort as a rejection of `slot()`.
 */
export type AbortReason = 'cancel' | 'shutdown';

export interface JobContext {
  readonly signal: AbortSignal;
  /** waits for a slot (held until the job ends); rejects when the job is aborted while waiting */
  slot(): Promise<void>;
}

export type Job = (ctx: JobContext) => Promise<void>;

export interface WorkPoolOptions {
  readonly concurrency: number;
  readonly onError?: (key: string, err: unknown) => void;
}

interface Entry {
  readonly ctl: AbortController;
  done: Promise<void>;
  holding: boolean;
}

export class WorkPool {
  private readonly o: WorkPoolOptions;
  private readonly jobs = new Map<string, Entry>();
  private readonly waiting: { key: string; grant: () => void }[] = [];
  private held = 0;
  private stopped = false;

  constructor(opts: WorkPoolOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, not ${opts.concurrency}`);
    this.o = opts;
  }

  /** False when the key is already present or the pool is stopped. */
  submit(key: string, job: Job): boolean {
    if (this.stopped || this.jobs.has(key)) return false;
    const entry: Entry = { ctl: new AbortController(), done: Promise.resolve(), holding: false };
    this.jobs.set(key, entry);
    const ctx: JobContext = { signal: entry.ctl.signal, slot: () => this.acquire(key, entry) };
    entry.done = Promise.resolve()
      .then(() => job(ctx))
      .catch((err: unknown) => this.o.onError?.(key, err))
      .finally(() => {
        this.jobs.delete(key);
        if (entry.holding) this.release();
      });
    return true;
  }

  has(key: string): boolean {
    return this.jobs.has(key);
  }

  /** jobs holding a slot */
  get runningCount(): number {
    return this.held;
  }

  /** jobs waiting for a slot */
  get queuedCount(): number {
    return this.waiting.length;
  }

  cancel(key: string): boolean {
    const e = this.jobs.get(key);
    e?.ctl.abort('cancel' satisfies AbortReason);
    return e !== undefined;
  }

  /** Aborts every job with reason `shutdown` and waits for them to end; takes nothing new. */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.jobs.values()];
    for (const e of all) e.ctl.abort('shutdown' satisfies AbortReason);
    await Promise.all(all.map((e) => e.done));
  }

  /** Resolves once no job is present (for tests). */
  async idle(): Promise<void> {
    while (this.jobs.size > 0) await Promise.all([...this.jobs.values()].map((e) => e.done));
  }

  private acquire(key: string, entry: Entry): Promise<void> {
    if (entry.holding) return Promise.resolve();
    const signal = entry.ctl.signal;
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.held < this.o.concurrency) {
      this.held++;
      entry.holding = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        key,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          entry.holding = true;
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.held--;
    else next.grant();
  }
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error(`aborted (${String(signal.reason)})`), { name: 'AbortError' });
}

/** Why `signal` was aborted, when the pool aborted it. */
export function abortReason(signal: AbortSignal): AbortReason | undefined {
  const r: unknown = signal.reason;
  return signal.aborted && (r === 'cancel' || r === 'shutdown') ? r : undefined;
}
