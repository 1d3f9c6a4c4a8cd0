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
import type { ByteBudget, FilesResult, SpareBuffers } from '../workers/index.ts';
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
      .run({ op: 'files', paths, sizes, key: repo.rawKey, level: repo.compressionLevel('data'), spare: this.#outs.take(bound) })
      .then((r) => this.#finish(batch, r))
      .catch((err: unknown) => {
        for (const w of batch) {
          this.#budget.release(w.held);
          w.reject(err);
        }
      });
  }

  async #finish(batch: Waiter[], r: FilesResult): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!;
      const o = r.files[i]!;
      try {
        if (o.kind === 'changed') w.resolve(CHANGED);
        else if (o.kind === 'error') w.reject(Object.assign(new Error(o.message), o.code ? { code: o.code } : {}));
        else if (o.kind === 'empty') w.resolve({ content: [], size: 0, addedBytes: 0, newBlobs: 0 });
        else {
          const id = Buffer.from(o.id.buffer, o.id.byteOffset, 32);
          let addedBytes = 0;
          if (this.#repo.reserveBlob(id)) {
            addedBytes = (await this.#repo.addSealedBlob('data', id, new Uint8Array(r.out, o.offset, o.length), o.ulen)).storedBytes;
          }
          w.resolve({ content: [id.toString('hex')], size: o.size, addedBytes, newBlobs: addedBytes > 0 ? 1 : 0 });
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
