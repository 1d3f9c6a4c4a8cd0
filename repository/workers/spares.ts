import type { Bytes } from './protocol.ts';

/**
 * A small free list of buffers, so that the big buffers a pipeline cycles through (read blocks,
 * sealed output, packs) are reused instead of being left to the garbage collector, which frees
 * external memory late and lets the allocator's heaps grow. Buffers come back detached when they
 * were transferred to a worker and lost there; those are simply dropped.
 *
 * With `shared`, new buffers are SharedArrayBuffers: worker jobs then share them instead of
 * moving them there and back, and the caller's thread never sees a new buffer object for them
 * (each arriving buffer counts as fresh external memory for V8, which then collects the whole
 * heap every few dozen MiB; see protocol.ts `toReply`).
 */
export class SpareBuffers {
  /** size of new buffers (or larger, when a request needs more) */
  readonly size: number;
  readonly shared: boolean;
  readonly #keep: number;
  readonly #free: Bytes[] = [];

  constructor(size: number, keep: number, opts: { shared?: boolean } = {}) {
    this.size = size;
    this.#keep = keep;
    this.shared = opts.shared === true;
  }

  /** A buffer of at least `min` bytes (its length may be larger); new ones get `alloc` bytes. */
  take(min: number = this.size, alloc: number = Math.max(min, this.size)): Bytes {
    for (let i = this.#free.length - 1; i >= 0; i--) {
      if (this.#free[i]!.byteLength >= min) return this.#free.splice(i, 1)[0]!;
    }
    const n = Math.max(min, alloc);
    return this.shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n);
  }

  give(buf: Bytes | undefined): void {
    if (!buf || (buf instanceof ArrayBuffer && buf.detached) || buf.byteLength < this.size || this.#free.length >= this.#keep) return;
    this.#free.push(buf);
  }

  /** Drops every free buffer (a phase that used them is over; they go back to the allocator). */
  clear(): void {
    this.#free.length = 0;
  }
}
