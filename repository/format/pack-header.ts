import { SkiffError } from '../errors/errors.ts';
import type { RepoVersion } from './unpacked.ts';

export type BlobType = 'data' | 'tree';

/** One blob of a pack as its header describes it (§5.2). */
export interface PackedBlob {
  /** Raw 32-byte SHA-256 of the plaintext. */
  readonly id: Buffer;
  readonly type: BlobType;
  /** Offset of the sealed blob in the pack. */
  readonly offset: number;
  /** Stored size: (compressed) payload + 32 bytes of crypto overhead. */
  readonly length: number;
  /** Plaintext size for a compressed blob; 0 = not compressed. */
  readonly uncompressedLength: number;
}

const PLAIN_ENTRY = 37;
const COMPRESSED_ENTRY = 41;
/** Bytes of a pack outside blobs and header entries: the header's 32 crypto bytes and the 4-byte length. */
export const PACK_FIXED_OVERHEAD = 32 + 4;
const U32_MAX = 0xffff_ffff;

export function headerEntrySize(compressed: boolean): number {
  return compressed ? COMPRESSED_ENTRY : PLAIN_ENTRY;
}

/** Exact pack size implied by its blobs (§5.3): 4 + 32 + Σ(length + entry size). */
export function packSize(blobs: readonly PackedBlob[]): number {
  let size = PACK_FIXED_OVERHEAD;
  for (const b of blobs) size += b.length + headerEntrySize(b.uncompressedLength > 0);
  return size;
}

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}

/**
 * Plain (unsealed) header: one entry per blob, in the given order, which must be pack order with offsets
 * contiguous from 0. Throws Permanent for entries that cannot be written (a caller bug).
 */
export function encodePackHeader(blobs: readonly PackedBlob[]): Buffer {
  let size = 0;
  for (const b of blobs) size += headerEntrySize(b.uncompressedLength > 0);
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  let offset = 0;
  for (const b of blobs) {
    if (b.id.length !== 32) throw new SkiffError('Permanent', 'blob id must be 32 bytes');
    if (b.offset !== offset) throw new SkiffError('Permanent', `blob offset ${b.offset}, expected ${offset}`);
    if (!isU32(b.length) || b.length < 32 || !isU32(b.uncompressedLength)) {
      throw new SkiffError('Permanent', 'blob length out of range');
    }
    const compressed = b.uncompressedLength > 0;
    out[pos] = (b.type === 'tree' ? 1 : 0) + (compressed ? 2 : 0);
    out.writeUInt32LE(b.length, pos + 1);
    pos += 5;
    if (compressed) {
      out.writeUInt32LE(b.uncompressedLength, pos);
      pos += 4;
    }
    b.id.copy(out, pos);
    pos += 32;
    offset += b.length;
  }
  return out;
}

/**
 * Parses a plain header, computing offsets. Integrity error for an unknown type byte, types 2/3 in a v1
 * repository, a compressed entry with uncompressed length 0, a blob shorter than 32 bytes or a
 * truncated final entry.
 */
export function decodePackHeader(plain: Buffer, version: RepoVersion): PackedBlob[] {
  const blobs: PackedBlob[] = [];
  let pos = 0;
  let offset = 0;
  while (pos < plain.length) {
    const t = plain[pos] ?? 0xff;
    if (t > 3) throw new SkiffError('Integrity', `invalid pack header: unknown blob type byte ${t}`);
    const compressed = t >= 2;
    if (compressed && version < 2) {
      throw new SkiffError('Integrity', 'invalid pack header: compressed blob in a version 1 repository');
    }
    const size = headerEntrySize(compressed);
    if (pos + size > plain.length) {
      throw new SkiffError('Integrity', 'invalid pack header: truncated entry');
    }
    const length = plain.readUInt32LE(pos + 1);
    const uncompressedLength = compressed ? plain.readUInt32LE(pos + 5) : 0;
    if (length < 32) throw new SkiffError('Integrity', `invalid pack header: blob length ${length}`);
    if (compressed && uncompressedLength === 0) {
      throw new SkiffError('Integrity', 'invalid pack header: compressed blob with uncompressed length 0');
    }
    const id = Buffer.from(plain.subarray(pos + size - 32, pos + size));
    blobs.push({ id, type: t & 1 ? 'tree' : 'data', offset, length, uncompressedLength });
    offset += length;
    pos += size;
  }
  return blobs;
}
