import { SkiffError } from '../errors/errors.ts';
import { findCut } from './find-cut.ts';
import { type ChunkerParams, validateChunkerParams } from './params.ts';

/** What chunkFile reads from; `fs.promises.FileHandle` fits. Reads are positional. */
export interface ChunkSource {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

export interface ChunkFileOptions {
  /** Read buffer size in bytes; must exceed params.max. Default 2 × max. */
  bufferSize?: number;
  /** Aborting stops before the next read or yield with SkiffError `Cancelled`. */
  signal?: AbortSignal;
}

export interface Chunk {
  /** The chunk's bytes, in a Buffer of its own (byteOffset 0, whole ArrayBuffer): the caller owns it
   * and may keep, modify or transfer it to a worker. */
  data: Buffer;
  /** Position of the chunk's first byte in the source. */
  offset: number;
}

/**
 * Reads `source` from position 0 to its end (a read returning 0 bytes) and yields its chunks in
 * order, cut exactly as chunkBuffer would cut the whole content. Memory is bounded by bufferSize
 * plus the chunks the caller still holds. The buffer is filled completely (or to the end of input)
 * before chunks are cut from it; each byte is copied once out of it into its chunk, and the
 * unfinished tail (less than one chunk) is moved to the buffer's front before each refill and
 * hashed again, which costs about avg / bufferSize extra work. Read errors propagate unchanged.
 */
export async function* chunkFile(
  source: ChunkSource,
  params: ChunkerParams,
  opts: ChunkFileOptions = {},
): AsyncGenerator<Chunk, void, undefined> {
  validateChunkerParams(params);
  const size = opts.bufferSize ?? 2 * params.max;
  if (!Number.isInteger(size) || size <= params.max) {
    throw new SkiffError('Config', `chunker buffer size must be an integer above max chunk size ${params.max}, got ${size}`);
  }
  const { signal } = opts;
  const buf = Buffer.allocUnsafeSlow(size);
  let lo = 0; // first byte of the current chunk in buf
  let hi = 0; // end of the bytes read into buf
  let base = 0; // source position of buf[0]
  let eof = false;
  for (;;) {
    checkAborted(signal);
    const cut = hi > lo ? findCut(params, buf, lo, hi) : -1;
    if (cut < 0 && !eof) {
      if (lo > 0) {
        buf.copyWithin(0, lo, hi);
        base += lo;
        hi -= lo;
        lo = 0;
      }
      // Fill the buffer completely so short reads (pipes, sockets) do not make us rehash the tail.
      while (hi < size && !eof) {
        checkAborted(signal);
        const { bytesRead } = await source.read(buf, hi, size - hi, base + hi);
        if (bytesRead === 0) eof = true;
        hi += bytesRead;
      }
      continue;
    }
    if (cut < 0 && hi === lo) return;
    const length = cut < 0 ? hi - lo : cut;
    const data = Buffer.allocUnsafeSlow(length);
    buf.copy(data, 0, lo, lo + length);
    const offset = base + lo;
    lo += length;
    yield { data, offset };
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SkiffError('Cancelled', 'chunking was cancelled', { cause: signal.reason });
}
