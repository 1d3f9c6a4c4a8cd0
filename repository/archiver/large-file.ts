/**
 * Stores a file of any size: the calling thread reads it in blocks and finds the FastCDC cut
 * points; worker threads hash the chunks of a block, and seal (compress + encrypt) the ones the
 * repository does not have yet. Blocks of one file overlap: while one is hashed and sealed the
 * next is read and chunked, so one large file keeps every worker busy.
 *
 * Memory: every block holds `budget` bytes from before its read until its sealed blobs are in a
 * pack; blocks of the usual size are recycled through a small free list.
 */
import { findCut, type ChunkerParams } from '../chunker/index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { Repository } from '../repo/repository.ts';
import { openRead, sealGap, type ByteBudget, type SpareBuffers } from '../workers/index.ts';

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
  /** bytes of file data per block; at least `params.max`, so a full block always yields a cut */
  readonly blockSize: number;
  /** free bytes before a block's data (see blockGap) */
  readonly gap: number;
  /** read blocks of `gap + blockSize` bytes */
  readonly blocks: SpareBuffers;
}

/**
 * Bytes left free before a block's data so the worker can seal its chunks in place (every chunk
 * but the last is longer than `min`); 0 when chunks can be so small that the gap would be large.
 */
export function blockGap(params: ChunkerParams, dataSize: number): number {
  const gap = sealGap(Math.ceil(dataSize / (params.min + 1)) + 1);
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
  if (blockSize < params.max) throw new SkiffError('Permanent', `block size ${blockSize} is below the largest chunk ${params.max}`);
  const fh = await openRead(path);
  const parts: Promise<BlockResult>[] = [];
  let size = 0;
  try {
    let carry: Uint8Array | undefined;
    let pos = 0; // file position of the first byte after carry
    let eof = false;
    let grow = false;
    while (!eof || carry) {
      checkAborted(opts.signal);
      const carried = carry?.length ?? 0;
      // carry < max <= blockSize: a grown block always has room to read, so the loop advances
      const want: number = grow ? blockSize : Math.min(blockSize, Math.max(carried + Math.max(0, sizeHint - pos) + 1, 64 * 1024));
      await budget.acquire(want);
      const ab = blocks.take(want + gap, want + gap);
      const buf: Uint8Array = new Uint8Array(ab, gap, want);
      if (carry) buf.set(carry, 0);
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
      carry = lo < hi ? buf.slice(lo, hi) : undefined;
      grow = ranges.length === 0 && carry !== undefined;
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
async function storeBlock(ctx: SaveContext, ab: ArrayBuffer, ranges: Uint32Array, held: number, onBytes?: (n: number) => void): Promise<BlockResult> {
  const { repo, budget, blocks } = ctx;
  let back: ArrayBuffer | undefined;
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
