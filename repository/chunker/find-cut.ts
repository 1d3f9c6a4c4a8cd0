import { SkiffError } from '../errors/errors.ts';
import { type ChunkerParams, validateChunkerParams } from './params.ts';

/**
 * FastCDC (Xia et al., USENIX ATC 2016 / IEEE TPDS 2020) with normalized chunking, level 2.
 *
 * For a chunk starting at `start`: the first `min` bytes are skipped unhashed; from there the gear
 * hash `fp = (fp << 1) + gear[byte]` (32-bit, wrapping, fp = 0 at start + min) is updated per byte,
 * and after hashing the byte at index i the chunk ends with length i + 1 - start when
 *   (fp & maskS) == 0 while i - start <  normal, or
 *   (fp & maskL) == 0 while i - start >= normal,
 * where bits = log2(avg), maskS = the top bits+2 bits of the word, maskL = the top bits-2 bits,
 * normal = floor((min + avg) / 2). A chunk reaching `max` bytes ends there.
 * (`normal` lies below `avg` so that the mean chunk size is close to `avg` despite the skipped
 * `min` bytes: with min = avg / 2 the expected size is about 0.98 avg; see README.md.)
 */

/**
 * Length of the chunk that starts at `start`, looking only at buf[start, end).
 * Returns a length in [min + 1, max] if a cut point lies in the range, `max` if end - start >= max
 * and none does, else -1: no cut yet, supply more bytes (or, at end of input, the rest is the
 * last chunk). The answer never depends on bytes past the returned cut, so calling again with more
 * bytes gives the same cut. Pure; throws SkiffError `Config` for invalid params or `Permanent`
 * for a range outside buf.
 */
export function findCut(params: ChunkerParams, buf: Uint8Array, start: number, end: number): number {
  validateChunkerParams(params);
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= buf.length)) {
    throw new SkiffError('Permanent', `chunker range [${start}, ${end}) is outside a buffer of ${buf.length} bytes`);
  }
  const { min, avg, max } = params;
  const available = end - start;
  if (available <= min) return -1;
  const bits = 31 - Math.clz32(avg);
  const maskS = -1 << (32 - (bits + 2));
  const maskL = -1 << (32 - (bits - 2));
  const limit = start + Math.min(available, max);
  const normal = Math.min(start + Math.floor((min + avg) / 2), limit);
  // Monomorphic, int32 views keep the hot loop on V8's fastest path whatever subclass came in.
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  const gear = new Int32Array(params.gear.buffer, params.gear.byteOffset, 256);
  const from = start + min;
  let cut = scan(bytes, gear, from, from, normal, maskS);
  if (cut < 0 && normal < limit) cut = scan(bytes, gear, Math.max(from, normal - 32), normal, limit, maskL);
  if (cut >= 0) return cut - start;
  return available >= max ? max : -1;
}

/**
 * Hashes bytes[warm, to) from fp = 0, testing `mask` only from index `from` on, and returns the
 * index just past the first cut, or -1. Resuming with a new mask at `from` needs only the 32 bytes
 * before it (warm = from - 32): the hash is a sum of gear[byte] << age mod 2^32, so older bytes
 * have shifted out. Unrolled sixteen-fold: the fastest variant measured (see README.md).
 */
function scan(bytes: Uint8Array, gear: Int32Array, warm: number, from: number, to: number, mask: number): number {
  let fp = 0;
  let i = warm;
  for (; i < from; i++) fp = ((fp << 1) + gear[bytes[i]!]!) | 0;
  for (; i + 15 < to; i += 16) {
    fp = ((fp << 1) + gear[bytes[i]!]!) | 0;
    if ((fp & mask) === 0) return i + 1;
    fp = ((fp << 1) + gear[bytes[i + 1]!]!) | 0;
    if ((fp & mask) === 0) return i + 2;
    fp = ((fp << 1) + gear[bytes[i + 2]!]!) | 0;
    if ((fp & mask) === 0) return i + 3;
    fp = ((fp << 1) + gear[bytes[i + 3]!]!) | 0;
    if ((fp & mask) === 0) return i + 4;
    fp = ((fp << 1) + gear[bytes[i + 4]!]!) | 0;
    if ((fp & mask) === 0) return i + 5;
    fp = ((fp << 1) + gear[bytes[i + 5]!]!) | 0;
    if ((fp & mask) === 0) return i + 6;
    fp = ((fp << 1) + gear[bytes[i + 6]!]!) | 0;
    if ((fp & mask) === 0) return i + 7;
    fp = ((fp << 1) + gear[bytes[i + 7]!]!) | 0;
    if ((fp & mask) === 0) return i + 8;
    fp = ((fp << 1) + gear[bytes[i + 8]!]!) | 0;
    if ((fp & mask) === 0) return i + 9;
    fp = ((fp << 1) + gear[bytes[i + 9]!]!) | 0;
    if ((fp & mask) === 0) return i + 10;
    fp = ((fp << 1) + gear[bytes[i + 10]!]!) | 0;
    if ((fp & mask) === 0) return i + 11;
    fp = ((fp << 1) + gear[bytes[i + 11]!]!) | 0;
    if ((fp & mask) === 0) return i + 12;
    fp = ((fp << 1) + gear[bytes[i + 12]!]!) | 0;
    if ((fp & mask) === 0) return i + 13;
    fp = ((fp << 1) + gear[bytes[i + 13]!]!) | 0;
    if ((fp & mask) === 0) return i + 14;
    fp = ((fp << 1) + gear[bytes[i + 14]!]!) | 0;
    if ((fp & mask) === 0) return i + 15;
    fp = ((fp << 1) + gear[bytes[i + 15]!]!) | 0;
    if ((fp & mask) === 0) return i + 16;
  }
  for (; i < to; i++) {
    fp = ((fp << 1) + gear[bytes[i]!]!) | 0;
    if ((fp & mask) === 0) return i + 1;
  }
  return -1;
}

/** Lengths of the chunks of `data`, in order; they sum to data.length (none for empty data). */
export function chunkBuffer(params: ChunkerParams, data: Uint8Array): number[] {
  const lengths: number[] = [];
  let start = 0;
  while (start < data.length) {
    const cut = findCut(params, data, start, data.length);
    const length = cut < 0 ? data.length - start : cut;
    lengths.push(length);
    start += length;
  }
  return lengths;
}
