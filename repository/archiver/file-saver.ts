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
import { CHANGED, SmallFileBatcher, type SmallOutcome } from './small-files.ts';

export type { SavedFile } from './large-file.ts';
export { CHANGED, type SmallOutcome } from './small-files.ts';

/** bytes of small files sent to a worker in one job */
const SMALL_BATCH_BYTES = 2 * 1024 * 1024;
/**
 * Bytes of file data per read block of a large file. Smaller than the largest chunk (8 MiB), so
 * that the blocks in flight, about one per worker plus the one being read, keep every worker busy
 * while holding little memory; a chunk longer than a block grows the block (large-file.ts). The
 * price is scanning a block's tail twice, about 1/6 more chunker work at 4 MiB.
 */
const BLOCK_SIZE = 4 * 1024 * 1024;
/**
 * Free read blocks are dropped when no large file has been read for this long: a tree's small
 * files (often most of a backup) then do not hold the blocks, while a run of large files keeps
 * reusing them.
 */
const IDLE_BLOCKS_MS = 250;

export interface FileSaverOptions {
  /** file data in flight at once; default one read block per worker thread plus two */
  readonly budgetBytes?: number;
  /** large files read at once; default 2 */
  readonly largeFiles?: number;
  /** bytes per read block of a large file; default 4 MiB (at most the chunker's `max`) */
  readonly blockBytes?: number;
}

export class FileSaver {
  readonly #ctx: SaveContext;
  readonly #small: SmallFileBatcher;
  readonly #large;
  readonly #smallMax: number;
  #largeActive = 0;
  #idle: NodeJS.Timeout | undefined;

  constructor(repo: Repository, params: ChunkerParams, opts: FileSaverOptions = {}) {
    const blockSize = Math.min(opts.blockBytes ?? BLOCK_SIZE, params.max);
    const budget = new ByteBudget(opts.budgetBytes ?? (repo.runner.threads + 2) * blockSize);
    const gap = blockGap(params, blockSize);
    // as many free blocks as the budget can have in flight: a block is either in flight or
    // spare, so blocks take at most the budget, and are not allocated (and faulted in) again
    const spareBlocks = Math.max(1, Math.ceil(budget.limit / blockSize));
    // shared with the worker threads, when there are any (see SpareBuffers)
    const blocks = new SpareBuffers(gap + blockSize, spareBlocks, { shared: repo.runner.threads > 0 });
    this.#ctx = { repo, params, budget, blockSize, gap, blocks };
    this.#small = new SmallFileBatcher(repo, budget, { outBytes: SMALL_BATCH_BYTES + params.min + 64 * 1024, maxBytes: SMALL_BATCH_BYTES });
    this.#large = pLimit(opts.largeFiles ?? 2);
    this.#smallMax = params.min;
  }

  /** Files of at most this many bytes (one chunk) go to the small-file batches. */
  get smallMax(): number {
    return this.#smallMax;
  }

  /**
   * Reads and stores one regular file; `size` is its lstat size (a hint: the file may change). The
   * promise form of `queueSmall` + `saveLarge`, one file at a time.
   */
  async save(path: Buffer, size: number, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<SavedFile> {
    if (size <= this.#smallMax) {
      const r = await new Promise<SmallOutcome>((resolve, reject) => this.queueSmall(path, size, resolve)?.catch(reject));
      if (r instanceof Error) throw r;
      if (r !== CHANGED) {
        opts.onBytes?.(r.size);
        return r;
      }
    }
    return this.saveLarge(path, size, opts);
  }

  /**
   * Queues a file of at most `smallMax` bytes without a promise of its own (see
   * SmallFileBatcher.add): `done` gets the stored file, CHANGED (then store it with `saveLarge`),
   * or the read error. A returned promise means: wait for it before queueing more.
   */
  queueSmall(path: Buffer, size: number, done: (r: SmallOutcome) => void): Promise<void> | undefined {
    return this.#small.add(path, size, done);
  }

  /** Reads a file through the chunker, whatever its size. */
  saveLarge(path: Buffer, size: number, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<SavedFile> {
    return this.#large(async () => {
      this.#largeActive++;
      clearTimeout(this.#idle);
      try {
        return await saveLargeFile(this.#ctx, path, size, opts);
      } finally {
        if (--this.#largeActive === 0) {
          this.#idle = setTimeout(() => this.#ctx.blocks.clear(), IDLE_BLOCKS_MS);
          this.#idle.unref();
        }
      }
    });
  }
}
