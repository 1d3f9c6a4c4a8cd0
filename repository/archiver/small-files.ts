/**
 * Stores small files (at most the chunker's minimum size, so each is one blob) in batches: a
 * worker thread reads, hashes, compresses and seals a whole batch in one job, and the calling
 * thread only deduplicates and packs. The seal is speculative: a file whose blob the repository
 * already has costs a wasted seal, which is rare because unchanged files are never read.
 *
 * A batch is sent when it holds `maxFiles` files or `maxBytes` bytes, or on the next turn of the
 * event loop, so a lone file never waits. Each file holds its size (plus 64 bytes) of the byte
 * budget from before its batch is sent until its blob is packed.
 */
import type { Repository } from '../repo/repository.ts';
import { OVERHEAD } from '../crypto/index.ts';
import { FILE_BLOB, FILE_CHANGED, FILE_EMPTY, filesJob, type ByteBudget, type FilesResult, type SpareBuffers } from '../workers/index.ts';
import type { SavedFile } from './large-file.ts';

/** The file changed size since lstat: read it through the chunker instead. */
export const CHANGED = Symbol('changed');

interface Waiter {
  readonly path: Buffer;
  readonly size: number;
  readonly held: number;
  resolve(v: SavedFile | typeof CHANGED): void;
  reject(e: unknown): void;
}

export class SmallFileBatcher {
  readonly #repo: Repository;
  readonly #budget: ByteBudget;
  readonly #outs: SpareBuffers;
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  #batch: Waiter[] = [];
  #bytes = 0;
  #scheduled = false;

  constructor(repo: Repository, budget: ByteBudget, outs: SpareBuffers, opts: { maxFiles?: number; maxBytes?: number } = {}) {
    this.#repo = repo;
    this.#budget = budget;
    this.#outs = outs;
    this.#maxFiles = opts.maxFiles ?? 64;
    this.#maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
  }

  /** Resolves with the stored file, or CHANGED; rejects with the read error (an errno Error). */
  async save(path: Buffer, size: number): Promise<SavedFile | typeof CHANGED> {
    const held = size + 64;
    await this.#budget.acquire(held);
    return new Promise((resolve, reject) => {
      this.#batch.push({ path, size, held, resolve, reject });
      this.#bytes += size;
      if (this.#batch.length >= this.#maxFiles || this.#bytes >= this.#maxBytes) this.#send();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#send();
        });
      }
    });
  }

  #send(): void {
    const batch = this.#batch;
    if (batch.length === 0) return;
    const bound = this.#bytes + OVERHEAD * batch.length;
    this.#batch = [];
    this.#bytes = 0;
    const repo = this.#repo;
    const paths = batch.map((w) => w.path);
    const sizes = batch.map((w) => w.size);
    repo.runner
      .run(filesJob(paths, sizes, repo.rawKey, repo.compressionLevel('data'), this.#outs.take(bound)))
      .then((r) => this.#finish(batch, r))
      .catch((err: unknown) => {
        for (const w of batch) {
          this.#budget.release(w.held);
          w.reject(err);
        }
      });
  }

  async #finish(batch: Waiter[], r: FilesResult): Promise<void> {
    let offset = 0;
    let error = 0;
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!;
      const kind = r.kinds[i]!;
      try {
        if (kind === FILE_CHANGED) w.resolve(CHANGED);
        else if (kind === FILE_EMPTY) w.resolve({ content: [], size: 0, addedBytes: 0, newBlobs: 0 });
        else if (kind !== FILE_BLOB) {
          const e = r.errors[error++]!;
          w.reject(Object.assign(new Error(e.message), e.code ? { code: e.code } : {}));
        } else {
          const at = offset;
          const length = r.lengths[i]!;
          offset += length;
          const id = Buffer.from(r.ids.buffer, r.ids.byteOffset + 32 * i, 32);
          let addedBytes = 0;
          if (this.#repo.reserveBlob(id)) {
            addedBytes = (await this.#repo.addSealedBlob('data', id, new Uint8Array(r.out, at, length), r.ulens[i]!)).storedBytes;
          }
          w.resolve({ content: [id.toString('hex')], size: w.size, addedBytes, newBlobs: addedBytes > 0 ? 1 : 0 });
        }
      } catch (err) {
        w.reject(err);
      } finally {
        this.#budget.release(w.held);
      }
    }
    this.#outs.give(r.out);
  }
}
