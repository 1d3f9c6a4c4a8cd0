import type { Clock } from './types.ts';

/** A pending timer; `cancel()` is idempotent. */
export interface Timer {
  cancel(): void;
}

/** Where the runtime's delays come from (work-queue delays, informer and leader-election retries). */
export interface Timers {
  setTimer(fn: () => void, ms: number): Timer;
}

/** A clock that can also schedule: what the runtime takes, so tests can drive time by hand. */
export type ClockWithTimers = Clock & Timers;

/** Wall-clock time and Node's timers. The one place production code reads the time. */
export const systemClock: ClockWithTimers = {
  now: () => new Date(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

/** Whether `c` schedules timers too (a ManualClock does; a bare Clock does not). */
export function hasTimers(c: Clock): c is ClockWithTimers {
  return typeof (c as Partial<Timers>).setTimer === 'function';
}

/** Resolves after `ms` on `timers`, or at once (without error) when `ms <= 0` or `signal` aborts. */
export function sleepOn(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true || ms <= 0) return resolve();
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    const timer = timers.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told: `advance(ms)` fires every timer due by then, in order of due
 * time, each seeing `now()` equal to its due time. For tests of schedules, TTLs, backoff and requeues.
 */
export class ManualClock implements ClockWithTimers {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start: Date | number = Date.UTC(2024, 0, 1)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  setTimer(fn: () => void, ms: number): Timer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  /** Number of timers not yet fired or cancelled. */
  pendingTimers(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers (including ones they schedule) in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }

  /** `advance(ms)`, then lets promise callbacks run (a few macrotask turns) before resolving. */
  async tick(ms: number): Promise<void> {
    this.advance(ms);
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  }
}
