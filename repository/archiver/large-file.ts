/**
 * Stores a file of any size: the calling thread reads it in blocks and finds the FastCDC cut
 * points; worker threads hash the chunks of a block, and seal (compress + encrypt) the ones the
 * repository does not have yet. Blocks of one file overlap: while one is hashed and sealed the
 * next is read and chunked, so one large file keeps every worker busy.
 *
 * Memory: every block holds `budget` bytes from before its read until its sealed blobs are in a
 * pack; blocks of the usual size are recycled through a small free list. Blocks are smaller than
 * the largest chunk (so that a few of them in flight keep the workers busy without holding tens
 * of MiB): a chunk longer than a block is found by growing the next block, up to `max`, which a
 * chunk never exceeds. The bytes after a block's last cut start the next block; they wait in a
 * per-file buffer reused from block to block.
 */
import { findCut, type ChunkerParams } from '../chunker/index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { Repository } from '../repo/repository.ts';
import { openRead, sealGap, type ByteBudget, type Bytes, type SpareBuffers } from '../workers/index.ts';

export interface SavedFile {
  readonly content: string[];
  readonly size: number;
  readonly addedBytes: number;
  readonly newBlobs: number;
}

export interface SaveContext {
  readonly repo: Repository;
  readonly params: ChunkerParams;
  readonly budget: ByteBudget;
  /** bytes of file data per block (a block grows past it, up to `params.max`, to find a cut) */
  readonly blockSize: number;
  /** free bytes before a block's data (see blockGap) */
  readonly gap: number;
  /** read blocks of `gap + blockSize` bytes */
  readonly blocks: SpareBuffers;
}

/**
 * Bytes left free before a block's data so the worker can seal its chunks in place (every chunk
 * but the last is longer than `min`; a grown block holds up to `max`); 0 when chunks can be so
 * small that the gap would be large.
 */
export function blockGap(params: ChunkerParams, dataSize: number): number {
  const gap = sealGap(Math.ceil(Math.max(dataSize, params.max) / (params.min + 1)) + 1);
  return gap <= 64 * 1024 ? gap : 0;
}

interface BlockResult {
  readonly ids: string[];
  readonly addedBytes: number;
  readonly newBlobs: number;
}

export async function saveLargeFile(
  ctx: SaveContext,
  path: Buffer,
  sizeHint: number,
  opts: { signal?: AbortSignal; onBytes?: (n: number) => void },
): Promise<SavedFile> {
  const { params, budget, blocks, gap, blockSize } = ctx;
  if (!(blockSize > 0)) throw new SkiffError('Permanent', `block size ${blockSize} is not positive`);
  const fh = await openRead(path);
  const parts: Promise<BlockResult>[] = [];
  let size = 0;
  try {
    // the bytes after the last cut: carry.subarray(0, carried)
    let carry: Uint8Array | undefined;
    let carried = 0;
    let pos = 0; // file position of the first byte after carry
    let eof = false;
    let grow = false;
    while (!eof || carried > 0) {
      checkAborted(opts.signal);
      // Normally a block of blockSize bytes, or what the size hint says is left. When the last
      // block had no cut, or the carry fills a block, grow: carry < max (a span of max bytes always
      // has a cut), so min(2 carry, max) > carry and the loop advances.
      const fit = Math.min(blockSize, Math.max(carried + Math.max(0, sizeHint - pos) + 1, 64 * 1024));
      const want: number = grow || fit <= carried ? Math.max(blockSize, Math.min(2 * carried, params.max)) : fit;
      await budget.acquire(want);
      const ab = blocks.take(want + gap, want + gap);
      const buf: Uint8Array = new Uint8Array(ab, gap, want);
      if (carried > 0) buf.set(carry!.subarray(0, carried), 0);
      let hi = carried;
      try {
        while (hi < buf.length && !eof) {
          checkAborted(opts.signal);
          const { bytesRead } = await fh.read(buf, hi, buf.length - hi, pos + hi - carried);
          if (bytesRead === 0) eof = true;
          hi += bytesRead;
        }
      } catch (err) {
        blocks.give(ab);
        budget.release(want);
        throw err;
      }
      pos += hi - carried;
      const ranges: number[] = [];
      let lo = 0;
      for (;;) {
        const cut = hi > lo ? findCut(params, buf, lo, hi) : -1;
        if (cut < 0) {
          if (eof && hi > lo) ranges.push(gap + lo, hi - lo);
          if (eof) lo = hi;
          break;
        }
        ranges.push(gap + lo, cut);
        lo += cut;
      }
      carried = hi - lo;
      if (carried > 0) {
        if (!carry || carry.length < carried) carry = new Uint8Array(Math.max(carried, Math.min(2 * (carry?.length ?? 0), params.max)));
        carry.set(buf.subarray(lo, hi), 0);
      }
      grow = ranges.length === 0 && carried > 0;
      for (let i = 1; i < ranges.length; i += 2) size += ranges[i]!;
      if (ranges.length === 0) {
        blocks.give(ab);
        budget.release(want);
        continue;
      }
      const part = storeBlock(ctx, ab, Uint32Array.from(ranges), want, opts.onBytes);
      part.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
      parts.push(part);
    }
  } finally {
    await Promise.allSettled(parts);
    await fh.close();
  }
  const results = await Promise.all(parts);
  return {
    content: results.flatMap((r) => r.ids),
    size,
    addedBytes: results.reduce((a, r) => a + r.addedBytes, 0),
    newBlobs: results.reduce((a, r) => a + r.newBlobs, 0),
  };
}

/** Hashes a block's chunks, seals those the repository lacks, and queues them into packs. */
async function storeBlock(ctx: SaveContext, ab: Bytes, ranges: Uint32Array, held: number, onBytes?: (n: number) => void): Promise<BlockResult> {
  const { repo, budget, blocks } = ctx;
  let back: Bytes | undefined;
  try {
    const hashed = await repo.runner.run({ op: 'hash', buf: ab, ranges });
    back = hashed.buf;
    const n = ranges.length / 2;
    const ids: Buffer[] = [];
    const need: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = Buffer.from(hashed.ids.buffer, hashed.ids.byteOffset + 32 * i, 32);
      ids.push(id);
      if (repo.reserveBlob(id)) need.push(i);
      onBytes?.(ranges[2 * i + 1]!);
    }
    let addedBytes = 0;
    if (need.length > 0) {
      const sealRanges = new Uint32Array(2 * need.length);
      need.forEach((i, k) => sealRanges.set([ranges[2 * i]!, ranges[2 * i + 1]!], 2 * k));
      let sealed;
      try {
        sealed = await repo.runner.run({ op: 'seal', buf: hashed.buf, ranges: sealRanges, key: repo.rawKey, level: repo.compressionLevel('data') });
      } catch (err) {
        for (const i of need) repo.releaseBlob(ids[i]!);
        throw err;
      }
      back = sealed.buf;
      let at = 0;
      for (let k = 0; k < need.length; k++) {
        const len = sealed.lengths[k]!;
        const saved = await repo.addSealedBlob('data', ids[need[k]!]!, new Uint8Array(sealed.out, at, len), sealed.ulens[k]!);
        addedBytes += saved.storedBytes;
        at += len;
      }
    }
    return { ids: ids.map((id) => id.toString('hex')), addedBytes, newBlobs: need.length };
  } finally {
    if (back) blocks.give(back);
    budget.release(held);
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SkiffError('Cancelled', 'backup cancelled', { cause: signal.reason });
}
