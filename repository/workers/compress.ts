/**
 * zstd for data blobs with a quick exit for incompressible input: blobs of 64 KiB and more are
 * first sampled (four 4 KiB windows spread over the blob); when every window's byte entropy is
 * at least 7.5 bits per byte (random, encrypted or already-compressed data measures about 7.95),
 * the blob is stored uncompressed without running zstd over it. The test costs about 20 µs per
 * blob, where zstd level 3 spends about 1 ms per MiB of random data, and it allocates nothing
 * (zstd's output buffers would otherwise pile up as external memory until a full GC).
 *
 * Storing a blob uncompressed is always valid in repository v2. The price: a high-entropy blob
 * that repeats itself at long range (the same random block many times within one chunk) is not
 * compressed. Compression "max" (level 10 and up) skips the test.
 */
import { compressBlob } from '../format/index.ts';
import { compressFrameReused } from './zstd-reuse.ts';

const SAMPLE = 4096;
const SAMPLES = 4;
const CHECK_FROM = 64 * 1024;
const INCOMPRESSIBLE_BITS = 7.5;
/** levels from here on (compression "max") always try the whole blob */
const MAX_LEVEL_FROM = 10;

const counts = new Uint32Array(256);

/** Shannon entropy, in bits per byte, of bytes[start, start + n). */
export function byteEntropy(bytes: Uint8Array, start: number, n: number): number {
  counts.fill(0);
  for (let i = start; i < start + n; i++) counts[bytes[i]!]!++;
  let h = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!;
    if (c !== 0) h -= c * Math.log2(c / n);
  }
  return h / n;
}

/** True unless samples say `plain` is incompressible. Blobs under 64 KiB always say yes. */
export function looksCompressible(plain: Uint8Array): boolean {
  if (plain.length < CHECK_FROM) return true;
  const step = Math.floor((plain.length - SAMPLE) / (SAMPLES - 1));
  for (let i = 0; i < SAMPLES; i++) {
    if (byteEntropy(plain, i * step, SAMPLE) < INCOMPRESSIBLE_BITS) return true;
  }
  return false;
}

/** The payload to seal and restic's uncompressed_length for it (0: stored as is). */
export function compressForBlob(plain: Uint8Array, level: number): { payload: Uint8Array; ulen: number } {
  if (level <= 0 || plain.length === 0) return { payload: plain, ulen: 0 };
  if (level < MAX_LEVEL_FROM && !looksCompressible(plain)) return { payload: plain, ulen: 0 };
  const c = compressBlob(plain, level);
  return c ? { payload: c, ulen: plain.length } : { payload: plain, ulen: 0 };
}

/**
 * `compressForBlob` for a worker job's batch: compressed payloads are views of the thread's
 * scratch buffer (zstd-reuse.ts), valid until the job calls `resetScratch()` again, so the job
 * must seal them before it returns.
 */
export function compressForBlobInBatch(plain: Uint8Array, level: number): { payload: Uint8Array; ulen: number } {
  if (level <= 0 || plain.length === 0) return { payload: plain, ulen: 0 };
  if (level < MAX_LEVEL_FROM && !looksCompressible(plain)) return { payload: plain, ulen: 0 };
  const c = compressFrameReused(plain, level) ?? compressBlob(plain, level);
  return c && c.length < plain.length ? { payload: c, ulen: plain.length } : { payload: plain, ulen: 0 };
}
