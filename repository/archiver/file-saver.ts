/**
 * Stores file contents for the archiver: small files (one chunk at most) go to worker threads in
 * batches, larger ones through the block pipeline of large-file.ts. All of them share one byte
 * budget, which bounds the file data held in memory at once (reads, hashing, sealing) whatever
 * the input.
 */
import pLimit from 'p-limit';
import type { ChunkerParams } from '../chunker/index.ts';
import type { Repository } from '../repo/repository.ts';
import { ByteBudget, SpareBuffers } from '../workers/index.ts';
import { blockGap, saveLargeFile, type SaveContext, type SavedFile } from './large-file.ts';
import { CHANGED, SmallFileBatcher } from './small-files.ts';

export type { SavedFile } from './large-file.ts';

/** bytes of small files sent to a worker in one job */
const SMALL_BATCH_BYTES = 2 * 1024 * 1024;

export interface FileSaverOptions {
  /** file data in flight at once; default three read blocks */
  readonly budgetBytes?: number;
  /** large files read at once; default 2 */
  readonly largeFiles?: number;
}

export class FileSaver {
  readonly #ctx: SaveContext;
  readonly #small: SmallFileBatcher;
  readonly #large;
  readonly #smallMax: number;

  constructor(repo: Repository, params: ChunkerParams, opts: FileSaverOptions = {}) {
    // a full block of `max` bytes always yields a cut (findCut cuts at `max` at the latest)
    const blockSize = params.max;
    const budget = new ByteBudget(opts.budgetBytes ?? 3 * blockSize);
    const gap = blockGap(params, blockSize);
    this.#ctx = { repo, params, budget, blockSize, gap, blocks: new SpareBuffers(gap + blockSize, 3) };
    this.#small = new SmallFileBatcher(repo, budget, new SpareBuffers(SMALL_BATCH_BYTES + params.min + 64 * 1024, 3), { maxBytes: SMALL_BATCH_BYTES });
    this.#large = pLimit(opts.largeFiles ?? 2);
    this.#smallMax = params.min;
  }

  /** Reads and stores one regular file; `size` is its lstat size (a hint: the file may change). */
  async save(path: Buffer, size: number, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<SavedFile> {
    if (size <= this.#smallMax) {
      const r = await this.#small.save(path, size);
      if (r !== CHANGED) {
        opts.onBytes?.(r.size);
        return r;
      }
    }
    return this.#large(() => saveLargeFile(this.#ctx, path, size, opts));
  }
}
