/**
 * Compressing many small blobs with one reused zstd compression context per thread and level.
 *
 * `zstdCompressSync` builds a stream object and a native context for every call (hash tables for
 * a 512 KiB window, zeroed), and returns output pieces that live on as garbage until a full
 * collection: with small files by the million that setup costs more than the compression, and
 * the garbage is most of a worker's memory. As zstd-frames.ts does for decompression, this drives
 * the native handle of one `ZstdCompress` directly (`_handle.writeSync`, node:zlib's own sync
 * call) with the settings of `compressFrame` (level, no checksum, 512 KiB window). Given
 * ZSTD_compressBound bytes of room, one `ZSTD_e_end` call writes the whole frame, and the
 * context starts the next frame on its next call.
 *
 * Output goes to a per-thread scratch buffer, one blob after another, valid until
 * `resetScratch()`: a job resets it, compresses its blobs, and seals them (copying) before it
 * returns. This is only a fast path: when the internals are missing or anything looks wrong the
 * answer is undefined and the caller compresses the ordinary way. Frames decode with any zstd;
 * for blobs up to 64 KiB they are byte for byte what zstdCompressSync writes (larger ones carry
 * their content size in the header, which node:zlib's piecewise output leaves out).
 */
import { constants, ZstdCompress } from 'node:zlib';
import { asEngine, type Engine } from './zstd-handle.ts';

const engines = new Map<number, Engine>();
let unavailable = false;
let scratch = new Uint8Array(0);
let used = 0;

function engineFor(level: number): Engine | undefined {
  if (unavailable) return undefined;
  const have = engines.get(level);
  if (have?._handle) return have;
  const e = asEngine(
    new ZstdCompress({
      params: {
        [constants.ZSTD_c_compressionLevel]: level,
        [constants.ZSTD_c_checksumFlag]: 0,
        [constants.ZSTD_c_windowLog]: 19,
      },
    }),
  );
  if (e === undefined) {
    unavailable = true;
    return undefined;
  }
  engines.set(level, e);
  return e;
}

function forget(level: number): void {
  engines.get(level)?.close();
  engines.delete(level);
}

/** Starts a new batch: views returned before are no longer valid. */
export function resetScratch(): void {
  used = 0;
}

/** ZSTD_COMPRESSBOUND, plus room for the frame header */
function bound(n: number): number {
  return n + (n >>> 8) + (n < 131072 ? (131072 - n) >>> 11 : 0) + 64;
}

/**
 * One zstd frame of `plain` (never empty) as `compressFrame` makes it, as a view of this thread's
 * scratch buffer valid until `resetScratch()`; undefined when the caller must compress the
 * ordinary way.
 */
export function compressFrameReused(plain: Uint8Array, level: number): Uint8Array | undefined {
  if (plain.length === 0) return undefined;
  const e = engineFor(level);
  if (!e) return undefined;
  const room = bound(plain.length);
  if (scratch.length - used < room) {
    // earlier views keep the old buffer alive until the batch is sealed
    scratch = new Uint8Array(Math.max(room, used + room, scratch.length * 2, 256 * 1024));
    used = 0;
  }
  try {
    e._handle!.writeSync(constants.ZSTD_e_end, plain, 0, plain.length, scratch, used, room);
  } catch {
    forget(level);
    return undefined;
  }
  const outLeft = e._writeState[0]!;
  const inLeft = e._writeState[1]!;
  // room to spare and all input taken: the frame is complete (else the context is mid-frame)
  if (!e._handle || inLeft !== 0 || outLeft === 0) {
    forget(level);
    return undefined;
  }
  const n = room - outLeft;
  const view = scratch.subarray(used, used + n);
  used += n;
  return view;
}
