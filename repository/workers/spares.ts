/**
 * A small free list of ArrayBuffers, so that the big buffers a pipeline cycles through (read
 * blocks, sealed output, packs) are reused instead of being left to the garbage collector, which
 * frees external memory late and lets the allocator's heaps grow. Buffers come back detached
 * when they were transferred to a worker and lost there; those are simply dropped.
 */
export class SpareBuffers {
  /** size of new buffers (or larger, when a request needs more) */
  readonly size: number;
  readonly #keep: number;
  readonly #free: ArrayBuffer[] = [];

  constructor(size: number, keep: number) {
    this.size = size;
    this.#keep = keep;
  }

  /** A buffer of at least `min` bytes (its length may be larger); new ones get `alloc` bytes. */
  take(min: number = this.size, alloc: number = Math.max(min, this.size)): ArrayBuffer {
    for (let i = this.#free.length - 1; i >= 0; i--) {
      if (this.#free[i]!.byteLength >= min) return this.#free.splice(i, 1)[0]!;
    }
    return new ArrayBuffer(Math.max(min, alloc));
  }

  give(buf: ArrayBuffer | undefined): void {
    if (!buf || buf.detached || buf.byteLength < this.size || this.#free.length >= this.#keep) return;
    this.#free.push(buf);
  }

  /** Drops every free buffer (a phase that used them is over; they go back to the allocator). */
  clear(): void {
    this.#free.length = 0;
  }
}
