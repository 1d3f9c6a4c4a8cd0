/**
 * A growable column of numbers over typed arrays. The restore plan keeps one row per file and per
 * blob target; a million files as objects would cost hundreds of MiB of heap and make every
 * garbage collection walk them, while columns cost a few bytes per row and nothing to mark.
 *
 * The first segment grows by doubling up to `segmentRows`, then fixed segments of that size are
 * added: a column wastes at most one segment, where one array doubled wasted up to half (30 MiB
 * over the targets of a million files) and held the old and new copies while growing.
 */
type Typed = Float64Array | Uint32Array | Int32Array | Uint8Array;

export class Column<A extends Typed> {
  readonly #segs: A[];
  readonly #bits: number;
  readonly #mask: number;
  readonly #make: (n: number) => A;
  #n = 0;

  /** `segmentRows`: a power of two */
  constructor(make: (n: number) => A, initialRows = 64, segmentRows = 4096) {
    this.#make = make;
    this.#bits = Math.log2(segmentRows);
    this.#mask = segmentRows - 1;
    this.#segs = [make(Math.min(initialRows, segmentRows))];
  }

  get length(): number {
    return this.#n;
  }

  push(v: number): number {
    const i = this.#n;
    const s = i >>> this.#bits;
    if (s === this.#segs.length) this.#segs.push(this.#make(this.#mask + 1));
    else if (s === 0 && i === this.#segs[0]!.length) this.#segs[0] = grown(this.#segs[0]!, this.#make, this.#mask + 1);
    this.#segs[s]![i & this.#mask] = v;
    return this.#n++;
  }

  get(i: number): number {
    return this.#segs[i >>> this.#bits]![i & this.#mask]!;
  }
}

function grown<A extends Typed>(a: A, make: (n: number) => A, most: number): A {
  const next = make(Math.min(most, 2 * a.length));
  next.set(a);
  return next;
}

/**
 * Byte strings (file names, blob IDs) back to back in chunks, the first growing by doubling up to
 * `chunkSize` as Column's first segment does; a string never spans two chunks (one longer than a
 * chunk gets a chunk of its own).
 */
export class ByteArena {
  readonly #chunks: Buffer[];
  readonly #size: number;
  #used = 0;

  constructor(initial = 4096, chunkSize = 64 * 1024) {
    this.#size = chunkSize;
    this.#chunks = [Buffer.allocUnsafeSlow(Math.min(initial, chunkSize))];
  }

  /** Appends `bytes` and returns where they are (for `view`). */
  push(bytes: Uint8Array): number {
    let last = this.#chunks.length - 1;
    if (this.#used + bytes.length > this.#chunks[last]!.length) {
      if (last === 0 && this.#used + bytes.length <= this.#size) {
        let cap = this.#chunks[0]!.length;
        while (cap < this.#used + bytes.length) cap *= 2;
        const next = Buffer.allocUnsafeSlow(Math.min(cap, this.#size));
        this.#chunks[0]!.copy(next, 0, 0, this.#used);
        this.#chunks[0] = next;
      } else {
        this.#chunks.push(Buffer.allocUnsafeSlow(Math.max(this.#size, bytes.length)));
        this.#used = 0;
        last++;
      }
    }
    this.#chunks[last]!.set(bytes, this.#used);
    const at = last * this.#size + this.#used;
    this.#used += bytes.length;
    return at;
  }

  /** The `len` bytes pushed at `at` (a view). */
  view(at: number, len: number): Buffer {
    const chunk = Math.floor(at / this.#size);
    const from = at - chunk * this.#size;
    return this.#chunks[chunk]!.subarray(from, from + len);
  }
}

const KEEP_CHUNK = 64 * 1024;

/**
 * Copies of small byte strings kept for the whole restore (directory paths, the names of the
 * nodes the plan holds), packed into chunks of their own. A small Buffer from Node's allocation
 * pool is a view of a 64 KiB slab shared with everything allocated around it, and keeping it keeps
 * the whole slab: the 2,000 directories of a million-file plan held 123 MiB that way.
 */
export class KeptBytes {
  #chunk = Buffer.allocUnsafeSlow(KEEP_CHUNK);
  #used = 0;

  keep(bytes: Uint8Array): Buffer {
    if (bytes.length > KEEP_CHUNK / 8) {
      const own = Buffer.allocUnsafeSlow(bytes.length);
      own.set(bytes);
      return own;
    }
    if (this.#used + bytes.length > this.#chunk.length) {
      this.#chunk = Buffer.allocUnsafeSlow(KEEP_CHUNK);
      this.#used = 0;
    }
    const out = this.#chunk.subarray(this.#used, this.#used + bytes.length);
    out.set(bytes);
    this.#used += bytes.length;
    return out;
  }
}
