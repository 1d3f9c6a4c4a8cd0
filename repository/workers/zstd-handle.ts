/**
 * The part of node:zlib's internals the reused-context fast paths drive (zstd-frames.ts for
 * decompression, zstd-reuse.ts for compression): a stream's native handle and its write state,
 * the pair node:zlib's own synchronous path uses. `asEngine` says whether a stream has them.
 */
import type { Duplex } from 'node:stream';

export interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}

export interface Engine {
  /** null once the handle closed itself (an error) */
  readonly _handle: NativeHandle | null;
  /** [avail_out, avail_in] after each write */
  readonly _writeState: Uint32Array;
  close(): void;
}

/**
 * The stream as an Engine, its errors swallowed (an error closes the handle and the caller falls
 * back to the ordinary call, which reports it); undefined when this Node lacks the internals.
 */
export function asEngine(stream: Duplex): Engine | undefined {
  stream.on('error', () => undefined);
  const candidate = stream as unknown as Partial<Engine>;
  if (typeof candidate._handle?.writeSync !== 'function' || !(candidate._writeState instanceof Uint32Array)) return undefined;
  return candidate as Engine;
}
