import { constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { SkiffError } from '../errors/errors.ts';

/** zstd level used when the caller gives none; restic's "auto" is about level 3. */
export const DEFAULT_LEVEL = 3;

/**
 * One zstd frame, frame checksum off, window 512 KiB (restic's settings, §6.2). Returns null when the
 * frame is not smaller than the input: the caller then stores the blob uncompressed (type 0/1), which the
 * format allows and restic reads. Never call it for an empty blob (uncompressed_length 0 means "not
 * compressed"); it returns null for one.
 *
 * No pre-check for incompressible input: zstd already emits raw blocks for random data at ~3 GB/s
 * (0.3 ms per MiB here, against ~2 ms per MiB for text), so sampling would save almost nothing.
 */
export function compressBlob(plain: Uint8Array, level: number = DEFAULT_LEVEL): Buffer | null {
  if (plain.length === 0) return null;
  const out = compressFrame(plain, level);
  return out.length < plain.length ? out : null;
}

/** One zstd frame regardless of size (used for v2 unpacked files). */
export function compressFrame(plain: Uint8Array, level: number = DEFAULT_LEVEL): Buffer {
  return zstdCompressSync(plain, {
    params: {
      [constants.ZSTD_c_compressionLevel]: level,
      [constants.ZSTD_c_checksumFlag]: 0,
      [constants.ZSTD_c_windowLog]: 19,
    },
  });
}

/**
 * Decompresses one zstd frame (with or without content size or checksum). Output is capped at
 * `maxLength`, so a hostile frame cannot exhaust memory. Integrity error on a corrupt frame or when the
 * output would exceed the cap. Only the first frame is decoded (node:zlib stops there).
 */
export function decompressFrame(data: Uint8Array, maxLength: number): Buffer {
  try {
    return zstdDecompressSync(data, { maxOutputLength: Math.max(1, maxLength) });
  } catch (cause) {
    if (cause instanceof RangeError) {
      throw new SkiffError('Integrity', `zstd output exceeds ${maxLength} bytes`, { cause });
    }
    throw new SkiffError('Integrity', `zstd decompression failed: ${(cause as Error).message}`, { cause });
  }
}

/** Decompresses a blob whose plaintext must be exactly `expectedLength` bytes; Integrity error otherwise. */
export function decompressBlob(data: Uint8Array, expectedLength: number): Buffer {
  const out = decompressFrame(data, expectedLength);
  if (out.length !== expectedLength) {
    throw new SkiffError(
      'Integrity',
      `decompressed blob is ${out.length} bytes, expected ${expectedLength}`,
    );
  }
  return out;
}
