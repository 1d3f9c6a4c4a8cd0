/**
 * Decompressing many small zstd blobs with one reused decompression context per thread.
 *
 * `zstdDecompressSync` builds a stream object and a native context (about 100 KiB, zeroed) for
 * every call: 10-20 µs, as much as decoding a small text blob itself, and the bulk of a restore's
 * user time for 50,000 small files. node:zlib has no public way to reuse a context synchronously,
 * so this drives the native handle of one `ZstdDecompress` directly (`_handle.writeSync`, the
 * call node:zlib's own sync path makes); after a complete frame zstd is ready for the next one. It is only a fast path: when the internals
 * are missing, on any error, or when the output is not exactly the expected length with all input
 * consumed, it answers undefined and the caller decompresses the ordinary way, which gives the
 * canonical result or error. A wrong answer cannot slip through either: the caller checks the
 * plaintext's SHA-256.
 */
import { constants, ZstdDecompress } from 'node:zlib';
import { asEngine, type Engine } from './zstd-handle.ts';

let engine: Engine | undefined;
let unavailable = false;
/** Output buffer of this thread, reused for every blob (grows to the largest blob seen). */
let out = new Uint8Array(0);

function current(): Engine | undefined {
  if (unavailable) return undefined;
  if (engine?._handle) return engine;
  engine = asEngine(new ZstdDecompress()); // a corrupt frame closes the handle; the caller reports it the ordinary way
  if (engine === undefined) unavailable = true;
  return engine;
}

/**
 * The one zstd frame in `data` decompressed, if it is exactly `ulen` bytes; undefined when the
 * caller must decompress the ordinary way. The result is a view of this thread's output buffer:
 * use it before the next call.
 */
export function decompressFrameReused(data: Uint8Array, ulen: number): Uint8Array | undefined {
  const e = current();
  if (!e) return undefined;
  if (out.length < ulen + 1) out = new Uint8Array(Math.max(ulen + 1, 64 * 1024));
  const handle = e._handle!;
  try {
    // one byte of room more than expected, so a longer output is noticed rather than cut
    handle.writeSync(constants.ZSTD_e_end, data, 0, data.length, out, 0, ulen + 1);
  } catch {
    return undefined;
  }
  if (!e._handle) return undefined; // the frame was corrupt: the handle closed itself
  const produced = ulen + 1 - e._writeState[0]!;
  const inputLeft = e._writeState[1]!;
  if (produced === ulen && inputLeft === 0) return out.subarray(0, ulen); // the decoder is ready for the next frame
  forget();
  return undefined;
}

/**
 * Drops the context (it may be in the middle of a frame); the next call starts a new one. Callers
 * also call it when an answer failed its hash check, so a context left in a bad state by some
 * unforeseen input costs one retry, never a false report of damage. (`reset()` would cost as
 * much: node:zlib builds a new zstd context for it.)
 */
export function forget(): void {
  engine?.close();
  engine = undefined;
}
