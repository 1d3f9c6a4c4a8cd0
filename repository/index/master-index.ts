/**
 * The in-memory index: blob ID → where the blob is stored.
 *
 * Compact by construction, no object per blob: entries live in fixed segments of 1024, each a
 * byte array of IDs (32 bytes per blob) and a Uint32 array of the location (pack number with the
 * blob type in its top bit, offset, length, uncompressed length: 16 bytes), so growing never
 * copies and at most one segment (48 KiB) is partly empty. Lookup goes through an
 * open-addressing table of Int32 slots kept between 3/8 and 3/4 full (5.3-10.7 bytes per blob).
 * 54-62 bytes per blob in all from 20,000 blobs on (the budget is 64). Pack IDs are interned
 * once per pack.
 *
 * Not thread-safe; one owner (the repository) mutates it.
 */
import type { BlobType } from '../format/index.ts';

export interface BlobLocation {
  readonly packId: string;
  readonly type: BlobType;
  readonly offset: number;
  readonly length: number;
  /** 0 when stored uncompressed */
  readonly uncompressedLength: number;
}

const EMPTY = -1;
const SEG_BITS = 10;
const SEG = 1 << SEG_BITS;
const SEG_MASK = SEG - 1;
/** Uint32 words per entry in a segment's location array */
const W = 4;
const TREE_BIT = 0x8000_0000;

export class MasterIndex {
  #ids: Uint8Array[] = [];
  #locs: Uint32Array[] = [];
  #count = 0;
  #table = new Int32Array(2048).fill(EMPTY);
  #packIds: string[] = [];
  #packNumbers = new Map<string, number>();

  get size(): number {
    return this.#count;
  }

  get packCount(): number {
    return this.#packIds.length;
  }

  /** Approximate bytes held by the index structures (for the ≤ 64 B/blob budget). */
  get memoryBytes(): number {
    return this.#ids.length * SEG * (32 + W * 4) + this.#table.byteLength + this.#packIds.length * 120;
  }

  /** Forgets every blob and pack (for reloading the index from scratch). */
  clear(): void {
    this.#ids = [];
    this.#locs = [];
    this.#count = 0;
    this.#table = new Int32Array(2048).fill(EMPTY);
    this.#packIds = [];
    this.#packNumbers = new Map();
  }

  /** Adds a blob; a blob already present keeps its first location (returns false). */
  add(id: Uint8Array, loc: BlobLocation): boolean {
    if (id.length !== 32) throw new RangeError('blob id must be 32 bytes');
    if (this.#find(id) !== EMPTY) return false;
    const n = this.#count;
    const seg = n >>> SEG_BITS;
    if (seg === this.#ids.length) {
      this.#ids.push(new Uint8Array(SEG * 32));
      this.#locs.push(new Uint32Array(SEG * W));
    }
    if ((n + 1) * 4 > this.#table.length * 3) this.#rehash(this.#table.length * 2);
    const i = n & SEG_MASK;
    this.#ids[seg]!.set(id, i * 32);
    const l = this.#locs[seg]!;
    const pack = this.#internPack(loc.packId);
    l[i * W] = loc.type === 'tree' ? (pack | TREE_BIT) >>> 0 : pack;
    l[i * W + 1] = loc.offset;
    l[i * W + 2] = loc.length;
    l[i * W + 3] = loc.uncompressedLength;
    this.#count = n + 1;
    this.#insertSlot(n);
    return true;
  }

  has(id: Uint8Array): boolean {
    return this.#find(id) !== EMPTY;
  }

  get(id: Uint8Array): BlobLocation | undefined {
    const n = this.#find(id);
    return n === EMPTY ? undefined : this.#location(n);
  }

  /** Plaintext size of a blob (uncompressed length, or stored length minus crypto overhead). */
  plainSize(id: Uint8Array): number | undefined {
    const n = this.#find(id);
    if (n === EMPTY) return undefined;
    const l = this.#locs[n >>> SEG_BITS]!;
    const i = (n & SEG_MASK) * W;
    const u = l[i + 3]!;
    return u !== 0 ? u : l[i + 2]! - 32;
  }

  hasPack(packId: string): boolean {
    return this.#packNumbers.has(packId);
  }

  packIds(): readonly string[] {
    return this.#packIds;
  }

  *entries(): IterableIterator<{ id: Buffer; loc: BlobLocation }> {
    for (let n = 0; n < this.#count; n++) {
      const i = (n & SEG_MASK) * 32;
      yield { id: Buffer.from(this.#ids[n >>> SEG_BITS]!.subarray(i, i + 32)), loc: this.#location(n) };
    }
  }

  #location(n: number): BlobLocation {
    const l = this.#locs[n >>> SEG_BITS]!;
    const i = (n & SEG_MASK) * W;
    const p = l[i]!;
    return {
      packId: this.#packIds[(p & ~TREE_BIT) >>> 0]!,
      type: p & TREE_BIT ? 'tree' : 'data',
      offset: l[i + 1]!,
      length: l[i + 2]!,
      uncompressedLength: l[i + 3]!,
    };
  }

  #internPack(packId: string): number {
    let p = this.#packNumbers.get(packId);
    if (p === undefined) {
      p = this.#packIds.length;
      if (p >= TREE_BIT) throw new RangeError('too many packs');
      this.#packIds.push(packId);
      this.#packNumbers.set(packId, p);
    }
    return p;
  }

  #hash(id: Uint8Array, off: number): number {
    // blob IDs are SHA-256 outputs: their first bytes are already uniformly distributed
    return (id[off]! | (id[off + 1]! << 8) | (id[off + 2]! << 16) | (id[off + 3]! << 24)) >>> 0;
  }

  #find(id: Uint8Array): number {
    const table = this.#table;
    const mask = table.length - 1;
    let slot = this.#hash(id, 0) & mask;
    for (;;) {
      const n = table[slot]!;
      if (n === EMPTY) return EMPTY;
      if (this.#equals(n, id)) return n;
      slot = (slot + 1) & mask;
    }
  }

  #equals(n: number, id: Uint8Array): boolean {
    const ids = this.#ids[n >>> SEG_BITS]!;
    const base = (n & SEG_MASK) * 32;
    for (let i = 0; i < 32; i++) if (ids[base + i] !== id[i]) return false;
    return true;
  }

  #insertSlot(n: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let slot = this.#hash(this.#ids[n >>> SEG_BITS]!, (n & SEG_MASK) * 32) & mask;
    while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
    table[slot] = n;
  }

  #rehash(size: number): void {
    this.#table = new Int32Array(size).fill(EMPTY);
    for (let n = 0; n < this.#count; n++) this.#insertSlot(n);
  }
}
