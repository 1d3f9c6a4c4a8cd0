import { SkiffError } from '../errors/errors.ts';
import { compressBlob, decompressFrame } from './compression.ts';

export type RepoVersion = 1 | 2;

/** Largest JSON document accepted from a compressed unpacked file (index files are ~25 MiB at most). */
export const MAX_UNPACKED_JSON = 512 * 1024 * 1024;

const ZSTD_MARKER = 0x02;

/**
 * Payload of an index, snapshot or lock file before sealing (§4). v2 with `compress`: `0x02 ‖ zstd`, or raw
 * JSON when compression would not shrink it. Otherwise raw JSON. `compress` is ignored in v1, which has
 * no compressed form.
 */
export function encodeUnpacked(json: Uint8Array, opts: { version: RepoVersion; compress: boolean }): Buffer {
  if (opts.version === 2 && opts.compress) {
    const z = compressBlob(json);
    if (z !== null && z.length + 1 < json.length) {
      const out = Buffer.allocUnsafe(z.length + 1);
      out[0] = ZSTD_MARKER;
      z.copy(out, 1);
      return out;
    }
  }
  return Buffer.from(json.buffer, json.byteOffset, json.length);
}

/**
 * JSON of an unpacked file from its opened payload. v1: the payload itself. v2: `0x02` → decompress the
 * rest; `{` or `[` → the payload is raw JSON; empty → empty; any other first byte → Integrity error.
 */
export function decodeUnpacked(payload: Buffer, version: RepoVersion): Buffer {
  if (version === 1 || payload.length === 0) return payload;
  const first = payload[0];
  if (first === ZSTD_MARKER) return decompressFrame(payload.subarray(1), MAX_UNPACKED_JSON);
  if (first === 0x7b || first === 0x5b) return payload;
  const hex = (first ?? 0).toString(16).padStart(2, '0');
  throw new SkiffError('Integrity', `unsupported encoding of unpacked file: first byte 0x${hex}`);
}
