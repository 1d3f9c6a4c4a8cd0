/**
 * Stores small files (at most the chunker's minimum size, so each is one blob) in batches: a
 * worker thread reads, hashes, compresses and seals a whole batch in one job, and the calling
 * thread only deduplicates and packs. The seal is speculative: a file whose blob the repository
 * already has costs a wasted seal, which is rare because unchanged files are never read.
 *
 * A batch is sent when it holds `maxFiles` files or `maxBytes` bytes, or on the next turn of the
 * event loop, so a lone file never waits. Each file holds its size (plus 64 bytes) of the byte
 * budget from before its batch is sent until its blob is packed. At most `maxInFlight` batches
 * are at the workers at once (the others wait their turn, in order), so the output buffers are a
 * few, reused: a worker seals one batch at a time, and more in flight only hold memory.
 */
import type { Repository } from '../repo/repository.ts';
import { OVERHEAD } from '../crypto/index.ts';
import { FILE_BLOB, FILE_CHANGED, FILE_EMPTY, SpareBuffers, filesJob, type ByteBudget, type FilesResult } from '../workers/index.ts';
import type { SavedFile } from './large-file.ts';

/** The file changed size since lstat: read it through the chunker instead. */
export const CHANGED = Symbol('changed');

/** What became of a small file: stored, CHANGED (read it through the chunker), or the read error. */
export type SmallOutcome = SavedFile | typeof CHANGED | Error;

interface Waiter {
  readonly path: Buffer;
  readonly size: number;
  readonly held: number;
  readonly done: (r: SmallOutcome) => void;
}

export class SmallFileBatcher {
  readonly #repo: Repository;
  readonly #budget: ByteBudget;
  readonly #outs: SpareBuffers;
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  readonly #maxInFlight: number;
  #inFlight = 0;
  /** full batches waiting for one in flight to finish */
  readonly #ready: Waiter[][] = [];
  #batch: Waiter[] = [];
  #bytes = 0;
  #scheduled = false;

  /**
   * `outBytes`: the size of a batch's output buffer (a batch that needs more gets a larger one).
   * There is one per batch in flight, each reused and shared with the workers when there are any:
   * none is dropped and made again (a dropped shared buffer lives on until a worker's next full
   * collection).
   */
  constructor(repo: Repository, budget: ByteBudget, opts: { outBytes: number; maxFiles?: number; maxBytes?: number; maxInFlight?: number }) {
    this.#repo = repo;
    this.#budget = budget;
    this.#maxFiles = opts.maxFiles ?? 64;
    this.#maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
    this.#maxInFlight = Math.max(1, opts.maxInFlight ?? 2 * repo.runner.threads + 1);
    this.#outs = new SpareBuffers(opts.outBytes, this.#maxInFlight, { shared: repo.runner.threads > 0 });
  }

  /**
   * Queues a file; `done` is called once with its outcome. Without a promise per file: a backup
   * of a million small files otherwise makes several per file on the main thread. Returns a
   * promise when the byte budget is used up, and the file is queued once it resolves; the caller
   * waits for it before queueing more.
   */
  add(path: Buffer, size: number, done: (r: SmallOutcome) => void): Promise<void> | undefined {
    const held = size + 64;
    if (this.#budget.tryAcquire(held)) {
      this.#push({ path, size, held, done });
      return undefined;
    }
    return this.#budget.acquire(held).then(() => this.#push({ path, size, held, done }));
  }

  #push(w: Waiter): void {
    this.#batch.push(w);
    this.#bytes += w.size;
    if (this.#batch.length >= this.#maxFiles || this.#bytes >= this.#maxBytes) this.#send();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#send();
      });
    }
  }

  #send(): void {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    this.#bytes = 0;
    if (this.#inFlight >= this.#maxInFlight) this.#ready.push(batch);
    else this.#run(batch);
  }

  #run(batch: Waiter[]): void {
    this.#inFlight++;
    let bound = 0;
    for (const w of batch) bound += w.size + OVERHEAD;
    const repo = this.#repo;
    const paths = batch.map((w) => w.path);
    const sizes = batch.map((w) => w.size);
    repo.runner
      .run(filesJob(paths, sizes, repo.rawKey, repo.compressionLevel('data'), this.#outs.take(bound)))
      .then((r) => this.#finish(batch, r))
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        for (const w of batch) {
          this.#budget.release(w.held);
          w.done(e);
        }
      })
      .finally(() => {
        this.#inFlight--;
        const next = this.#ready.shift();
        if (next) this.#run(next);
      });
  }

  async #finish(batch: Waiter[], r: FilesResult): Promise<void> {
    let offset = 0;
    let error = 0;
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!;
      const kind = r.kinds[i]!;
      let outcome: SmallOutcome;
      try {
        if (kind === FILE_CHANGED) outcome = CHANGED;
        else if (kind === FILE_EMPTY) outcome = { content: [], size: 0, addedBytes: 0, newBlobs: 0 };
        else if (kind !== FILE_BLOB) {
          const e = r.errors[error++]!;
          outcome = Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
        } else {
          const at = offset;
          const length = r.lengths[i]!;
          offset += length;
          const id = Buffer.from(r.ids.buffer, r.ids.byteOffset + 32 * i, 32);
          let addedBytes = 0;
          if (this.#repo.reserveBlob(id)) {
            const added = this.#repo.addSealedBlobNow('data', id, new Uint8Array(r.out, at, length), r.ulens[i]!);
            addedBytes = typeof added === 'number' ? added : await added;
          }
          outcome = { content: [id.toString('hex')], size: w.size, addedBytes, newBlobs: addedBytes > 0 ? 1 : 0 };
        }
      } catch (err) {
        outcome = err instanceof Error ? err : new Error(String(err));
      }
      this.#budget.release(w.held);
      w.done(outcome);
    }
    this.#outs.give(r.out);
  }
}
