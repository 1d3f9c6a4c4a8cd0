/**
 * A fixed pool of worker threads for CPU work (hashing, compression, encryption), and an inline
 * runner with the same interface for `threads: 0`.
 *
 * Contract: `run(job)` moves the job's `buf` to a worker (the caller's view of it is detached
 * afterwards) and resolves with the result, whose buffers are moved back. Jobs go to the worker
 * with the fewest outstanding jobs; callers bound what they have outstanding (the pool queues
 * without limit). A job that throws rejects with a SkiffError of the same code (or an Error with
 * the same errno `code`); a worker that dies rejects its outstanding jobs with `Permanent` and is
 * replaced. Idle workers are unref'd, so a pool never keeps the process alive on its own.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { SkiffError, type ErrorCode } from '../errors/errors.ts';
import { runJob } from './jobs.ts';
import { fromReply, transferList, type Job, type Reply, type ResultOf } from './protocol.ts';

export interface JobRunner {
  /** worker threads behind this runner; 0 runs jobs on the calling thread */
  readonly threads: number;
  run<J extends Job>(job: J): Promise<ResultOf<J>>;
}

/** Runs jobs synchronously on the calling thread (`threads: 0`), still answering through a promise. */
export class InlineRunner implements JobRunner {
  readonly threads = 0;
  async run<J extends Job>(job: J): Promise<ResultOf<J>> {
    return runJob(job);
  }
}

interface Pending {
  readonly job: Job;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker | undefined;
  readonly pending: Map<number, Pending>;
}

const WORKER_URL = new URL('./worker.ts', import.meta.url);
/**
 * A worker's garbage is nearly all short-lived (zstd stream objects, cipher output strings): a
 * small young generation keeps it from growing to V8's default of up to 48 MiB per thread.
 */
const YOUNG_GENERATION_MB = 8;

export class WorkerPool implements JobRunner {
  readonly threads: number;
  readonly #slots: Slot[];
  #nextId = 1;
  #closed = false;

  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new SkiffError('Config', `worker threads must be a positive integer, got ${threads}`);
    this.threads = threads;
    this.#slots = Array.from({ length: threads }, () => ({ worker: undefined, pending: new Map() }));
  }

  run<J extends Job>(job: J): Promise<ResultOf<J>> {
    if (this.#closed) return Promise.reject(new SkiffError('Permanent', 'worker pool is closed'));
    let slot = this.#slots[0]!;
    for (const s of this.#slots) if (s.pending.size < slot.pending.size) slot = s;
    const worker = this.#workerOf(slot);
    const id = this.#nextId++;
    return new Promise<ResultOf<J>>((resolve, reject) => {
      slot.pending.set(id, { job, resolve: resolve as (v: unknown) => void, reject });
      if (slot.pending.size === 1) worker.ref();
      try {
        worker.postMessage({ id, job }, transferList(job));
      } catch (err) {
        this.#settle(slot, id);
        reject(err);
      }
    });
  }

  /** Stops every worker; outstanding jobs reject with `Cancelled`. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async (slot) => {
        const w = slot.worker;
        slot.worker = undefined;
        this.#failAll(slot, new SkiffError('Cancelled', 'worker pool closed'));
        if (w) await w.terminate();
      }),
    );
  }

  #workerOf(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const w = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    w.unref();
    w.on('message', (reply: Reply) => {
      const p = this.#settle(slot, reply.id);
      if (!p) return;
      if (!reply.ok) p.reject(rebuildError(reply));
      else {
        try {
          p.resolve(fromReply(reply.result, p.job));
        } catch (err) {
          p.reject(new SkiffError('Permanent', (err as Error).message));
        }
      }
    });
    const fail = (why: string) => {
      if (slot.worker !== w) return;
      slot.worker = undefined;
      this.#failAll(slot, new SkiffError('Permanent', `worker thread failed: ${why}`));
    };
    w.on('error', (err) => fail(err.message));
    w.on('exit', (code) => fail(`exited with code ${code}`));
    slot.worker = w;
    return w;
  }

  #settle(slot: Slot, id: number): Pending | undefined {
    const p = slot.pending.get(id);
    slot.pending.delete(id);
    if (p && slot.pending.size === 0) slot.worker?.unref();
    return p;
  }

  #failAll(slot: Slot, err: Error): void {
    const all = [...slot.pending.values()];
    slot.pending.clear();
    for (const p of all) p.reject(err);
  }
}

function rebuildError(reply: Extract<Reply, { ok: false }>): Error {
  if (reply.skiff) return new SkiffError((reply.code ?? 'Permanent') as ErrorCode, reply.message);
  return Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
}

/**
 * Worker threads used when nothing is configured: `SKIFF_WORKERS` when set to an integer 0-64
 * (0: no workers), else one per CPU, at most 8.
 */
export function defaultThreads(): number {
  const env = process.env['SKIFF_WORKERS'];
  if (env !== undefined && /^\d+$/.test(env) && Number(env) <= 64) return Number(env);
  return Math.max(1, Math.min(8, os.availableParallelism()));
}

const shared = new Map<number, JobRunner>();

/** One runner per thread count for the whole process (repositories share their workers). */
export function sharedRunner(threads: number = defaultThreads()): JobRunner {
  let r = shared.get(threads);
  if (!r) {
    r = threads === 0 ? new InlineRunner() : new WorkerPool(threads);
    shared.set(threads, r);
  }
  return r;
}
