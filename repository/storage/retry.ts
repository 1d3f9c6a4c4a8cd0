import { SkiffError, isCode } from '../errors/errors.ts';

/** How `withRetry` waits and how often it tries. Every field has a default. */
export interface RetryOptions {
  /** total attempts including the first; default 5 */
  readonly attempts?: number;
  /** first backoff ceiling in ms; default 250 */
  readonly baseDelayMs?: number;
  /** backoff ceiling cap in ms; default 15000 */
  readonly maxDelayMs?: number;
  /** waits `ms`; rejects with `Cancelled` when `signal` aborts. Injected by tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** uniform [0, 1); injected by tests for deterministic jitter */
  readonly random?: () => number;
  /** called before each wait, e.g. for logging */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: SkiffError }) => void;
}

export const DEFAULT_RETRY = { attempts: 5, baseDelayMs: 250, maxDelayMs: 15_000 } as const;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(attempt: number, opts: RetryOptions = {}): number {
  const base = opts.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const max = opts.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.floor((opts.random ?? Math.random)() * ceiling);
}

/**
 * Runs `fn` until it succeeds, retrying only errors with code `Transient`.
 * Every other error (Integrity, NotFound, Auth, ...) is rethrown at once; after the last
 * attempt the last Transient error is rethrown unchanged. An aborted signal stops with `Cancelled`.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions & { readonly signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_RETRY.attempts);
  const wait = opts.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw cancelled();
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isCode(err, 'Transient') || attempt >= attempts) throw err;
      const delayMs = backoffDelay(attempt, opts);
      opts.onRetry?.({ attempt, delayMs, error: err as SkiffError });
      await wait(delayMs, opts.signal);
    }
  }
}

function cancelled(): SkiffError {
  return new SkiffError('Cancelled', 'operation cancelled');
}
