import { createHash } from 'node:crypto';
import { openInto, type MasterKey } from '../crypto/index.ts';
import { decompressBlob } from '../format/index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { OpenJob } from './protocol.ts';
import { decompressFrameReused, forget as forgetZstd } from './zstd-frames.ts';

/** Decryption buffer of this thread, reused for every blob (grows to the largest blob seen). */
let scratch = new Uint8Array(0);

/**
 * Opens blob `i` of an open or restore job and checks its hash; throws the reason it is damaged.
 * The result may be a view of one of this thread's scratch buffers: use it before the next call.
 */
export function openVerified(key: MasterKey, job: Pick<OpenJob, 'ranges' | 'ids' | 'ulens'> & { readonly buf: ArrayBufferLike }, i: number): Uint8Array {
  const start = job.ranges[2 * i]!;
  const len = job.ranges[2 * i + 1]!;
  if (scratch.length < len) scratch = new Uint8Array(Math.max(len, 1024 * 1024));
  let plain: Uint8Array = openInto(key, new Uint8Array(job.buf, start, len), scratch);
  const ulen = job.ulens[i]!;
  const id = job.ids.subarray(32 * i, 32 * i + 32);
  if (ulen) {
    const fast = decompressFrameReused(plain, ulen);
    if (fast && createHash('sha256').update(fast).digest().equals(id)) return fast;
    if (fast) forgetZstd(); // the fast path's answer is never the last word on damage
    plain = decompressBlob(plain, ulen);
  }
  const got = createHash('sha256').update(plain).digest();
  if (!got.equals(id)) throw new SkiffError('Integrity', 'hash mismatch');
  return plain;
}

