/**
 * A growable column of numbers over a typed array. The restore plan keeps one row per file and
 * per blob target; a million files as objects would cost hundreds of MiB of heap and make every
 * garbage collection walk them, while columns cost a few bytes per row and nothing to mark.
 */
type Typed = Float64Array | Uint32Array | Int32Array | Uint8Array;

export class Column<A extends Typed> {
  #a: A;
  #n = 0;
  readonly #make: (n: number) => A;

  constructor(make: (n: number) => A, initial = 1024) {
    this.#make = make;
    this.#a = make(initial);
  }

  get length(): number {
    return this.#n;
  }

  push(v: number): number {
    if (this.#n === this.#a.length) this.#reserve(this.#n + 1);
    this.#a[this.#n] = v;
    return this.#n++;
  }

  get(i: number): number {
    return this.#a[i]!;
  }

  set(i: number, v: number): void {
    this.#a[i] = v;
  }

  /** The rows so far (a view: valid until the next push). */
  view(): A {
    return this.#a.subarray(0, this.#n) as A;
  }

  #reserve(n: number): void {
    let cap = this.#a.length;
    while (cap < n) cap *= 2;
    const next = this.#make(cap);
    next.set(this.#a);
    this.#a = next;
  }
}

/** Variable-length byte strings (file names, blob IDs) back to back in one growing buffer. */
export class ByteArena {
  #buf: Buffer;
  #used = 0;

  constructor(initial = 64 * 1024) {
    this.#buf = Buffer.allocUnsafe(initial);
  }

  get used(): number {
    return this.#used;
  }

  /** Appends `bytes` and returns their offset. */
  push(bytes: Uint8Array): number {
    if (this.#used + bytes.length > this.#buf.length) {
      let cap = this.#buf.length;
      while (cap < this.#used + bytes.length) cap *= 2;
      const next = Buffer.allocUnsafe(cap);
      this.#buf.copy(next, 0, 0, this.#used);
      this.#buf = next;
    }
    this.#buf.set(bytes, this.#used);
    const at = this.#used;
    this.#used += bytes.length;
    return at;
  }

  /** A view of `len` bytes at `at` (valid until the next push). */
  view(at: number, len: number): Buffer {
    return this.#buf.subarray(at, at + len);
  }
}
