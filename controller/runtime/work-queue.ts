import { type ClockWithTimers, systemClock, type Timer } from './clock.ts';

export interface WorkQueueOptions {
  /** first retry delay of `addRateLimited`; default 1 s */
  baseDelayMs?: number;
  /** cap of the per-key exponential backoff; default 5 min */
  maxDelayMs?: number;
  /** time source for delays; default the system clock */
  clock?: ClockWithTimers;
}

/**
 * A work queue of string keys with client-go's guarantees:
 * - a key waiting in the queue is held once, however often it is added (dedupe);
 * - a key is handed to at most one worker at a time: added while being processed, it is queued again
 *   only when the worker calls `done`;
 * - `addAfter` delays an add (keeping the earliest pending time per key); `addRateLimited` delays by
 *   the key's exponential backoff (base · 2^failures, capped) until `forget` resets it.
 * After `shutDown`, `get` resolves undefined and adds are ignored.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly delayed = new Map<string, { at: number; timer: Timer }>();
  private readonly failures = new Map<string, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: ClockWithTimers;
  private closed = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 5 * 60_000;
    this.clock = opts.clock ?? systemClock;
  }

  add(key: string): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds `key` after `ms`; a shorter pending delay for the same key wins. `ms <= 0` adds now. */
  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now().getTime() + ms;
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.at <= at) return;
      existing.timer.cancel();
    }
    const timer = this.clock.setTimer(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Adds `key` after its backoff delay and counts one more failure for it. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, this.backoffMs(n));
  }

  /** The delay the next `addRateLimited(key)` would use. */
  backoffMs(failures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 40));
  }

  /** Resets the key's failure count (call after a successful reconcile). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; undefined once the queue is shut down. Call `done(key)` afterwards. */
  get(): Promise<string | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` finished; if it was added meanwhile it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Keys waiting (not counting delayed or in-process ones). */
  len(): number {
    return this.queue.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  get shuttingDown(): boolean {
    return this.closed;
  }

  /** Stops handing out keys: waiting `get`s resolve undefined, delayed adds are cancelled. */
  shutDown(): void {
    this.closed = true;
    for (const d of this.delayed.values()) d.timer.cancel();
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
    this.queue.length = 0;
    this.dirty.clear();
  }
}
