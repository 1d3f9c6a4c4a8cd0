/**
 * Reused SharedArrayBuffers for the restorer's reads. A read lands in one, the jobs of its group
 * read their blobs from it on the worker threads (shared, not moved: several threads read one
 * read), and it comes back for the next read once they are done. Fresh buffers per read were
 * most of the main thread's garbage collection in an S3 restore, and their page faults a share
 * of its CPU time.
 */
export class SharedBuffers {
  readonly #size: number;
  readonly #free: SharedArrayBuffer[] = [];

  /** `size`: the usual read (larger reads get buffers of their own size, kept too) */
  constructor(size: number) {
    this.#size = size;
  }

  /** A buffer of at least `min` bytes. */
  take(min: number): SharedArrayBuffer {
    const i = this.#free.findIndex((b) => b.byteLength >= min);
    if (i >= 0) return this.#free.splice(i, 1)[0]!;
    return new SharedArrayBuffer(Math.max(min, this.#size));
  }

  give(buf: SharedArrayBuffer): void {
    this.#free.push(buf);
  }
}
