import { SkiffError } from '../errors/errors.ts';
import { OVERHEAD, open, seal, type MasterKey } from '../crypto/index.ts';
import { decodePackHeader, encodePackHeader, packSize, type PackedBlob } from './pack-header.ts';
import type { RepoVersion } from './unpacked.ts';

/** Largest sealed header accepted or written (restic's limit, §5.3). */
export const MAX_HEADER_SIZE = 16 * 1024 * 1024;
/** Smallest legal pack: one 37-byte entry + 32 + 4 (§5.3). */
export const MIN_PACK_SIZE = 37 + OVERHEAD + 4;
/** First read from the end of a pack; covers the header of ~400 blobs in one request. */
const TAIL_GUESS = 16 * 1024;

/**
 * The bytes a pack writer appends after the sealed blobs: seal(header) ‖ uint32 LE length of that sealed
 * header. `blobs` must be in pack order with contiguous offsets from 0.
 */
export function assemblePackTail(key: MasterKey, blobs: readonly PackedBlob[]): Buffer {
  const sealed = seal(key, encodePackHeader(blobs));
  if (sealed.length > MAX_HEADER_SIZE) {
    throw new SkiffError('Permanent', `pack header of ${sealed.length} bytes exceeds 16 MiB`);
  }
  const out = Buffer.allocUnsafe(sealed.length + 4);
  sealed.copy(out, 0);
  out.writeUInt32LE(sealed.length, sealed.length);
  return out;
}

export interface ReadPackHeaderOptions {
  key: MasterKey;
  /** Size of the pack file in storage. */
  size: number;
  version: RepoVersion;
  /** Reads `length` bytes at `offset` of the pack; must return exactly that many. */
  loadRange: (offset: number, length: number) => Promise<Buffer>;
}

async function load(opts: ReadPackHeaderOptions, offset: number, length: number): Promise<Buffer> {
  const buf = await opts.loadRange(offset, length);
  if (buf.length !== length) {
    throw new SkiffError('Integrity', `pack read returned ${buf.length} bytes, expected ${length}`);
  }
  return buf;
}

/**
 * Reads, opens and parses a pack's header with one ranged read (two when the header exceeds ~16 KiB).
 * Integrity error when the pack is too small, the header length is out of bounds (0, < 32, > size − 4,
 * > 16 MiB), the MAC fails, the header is malformed, or the entries do not account for exactly `size`
 * bytes (§5.3).
 */
export async function readPackHeader(opts: ReadPackHeaderOptions): Promise<PackedBlob[]> {
  const { size } = opts;
  if (!Number.isSafeInteger(size) || size < MIN_PACK_SIZE) {
    throw new SkiffError('Integrity', `pack of ${size} bytes is too small`);
  }
  const tailLength = Math.min(size, TAIL_GUESS);
  const tail = await load(opts, size - tailLength, tailLength);
  const hlen = tail.readUInt32LE(tail.length - 4);
  if (hlen < OVERHEAD || hlen > size - 4 || hlen > MAX_HEADER_SIZE) {
    throw new SkiffError('Integrity', `invalid pack header length ${hlen} for a pack of ${size} bytes`);
  }
  const sealed =
    hlen + 4 <= tail.length
      ? tail.subarray(tail.length - 4 - hlen, tail.length - 4)
      : await load(opts, size - 4 - hlen, hlen);
  let plain: Buffer;
  try {
    plain = open(opts.key, sealed);
  } catch (cause) {
    throw new SkiffError('Integrity', 'pack header: ciphertext verification failed', { cause });
  }
  const blobs = decodePackHeader(plain, opts.version);
  const expected = packSize(blobs);
  if (expected !== size) {
    throw new SkiffError('Integrity', `pack header describes ${expected} bytes, pack has ${size}`);
  }
  return blobs;
}
