/**
 * The in-memory index: blob ID → where the blob is stored.
 *
 * Compact by construction: IDs live in one growing byte array (32 bytes each), the location in
 * parallel typed arrays (pack number, offset, length, uncompressed length: 16 bytes), the type in a
 * byte array, and lookup goes through an open-addressing hash table of Int32 slots. About 56-60
 * bytes per blob, no object per blob. Pack IDs are interned once per pack.
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

export class MasterIndex {
  #ids = new Uint8Array(32 * 1024);
  #pack = new Uint32Array(1024);
  #offset = new Uint32Array(1024);
  #length = new Uint32Array(1024);
  #ulen = new Uint32Array(1024);
  #type = new Uint8Array(1024);
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
    return (
      this.#ids.byteLength +
      this.#pack.byteLength * 4 +
      this.#type.byteLength +
      this.#table.byteLength +
      this.#packIds.length * 120
    );
  }

  /** Adds a blob; a blob already present keeps its first location (returns false). */
  add(id: Uint8Array, loc: BlobLocation): boolean {
    if (id.length !== 32) throw new RangeError('blob id must be 32 bytes');
    if (this.#find(id) !== EMPTY) return false;
    if (this.#count >= this.#pack.length) this.#grow();
    if ((this.#count + 1) * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    const n = this.#count++;
    this.#ids.set(id, n * 32);
    this.#pack[n] = this.#internPack(loc.packId);
    this.#offset[n] = loc.offset;
    this.#length[n] = loc.length;
    this.#ulen[n] = loc.uncompressedLength;
    this.#type[n] = loc.type === 'tree' ? 1 : 0;
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
    const u = this.#ulen[n]!;
    return u !== 0 ? u : this.#length[n]! - 32;
  }

  hasPack(packId: string): boolean {
    return this.#packNumbers.has(packId);
  }

  packIds(): readonly string[] {
    return this.#packIds;
  }

  *entries(): IterableIterator<{ id: Buffer; loc: BlobLocation }> {
    for (let n = 0; n < this.#count; n++) {
      yield { id: Buffer.from(this.#ids.subarray(n * 32, n * 32 + 32)), loc: this.#location(n) };
    }
  }

  #location(n: number): BlobLocation {
    return {
      packId: this.#packIds[this.#pack[n]!]!,
      type: this.#type[n] === 1 ? 'tree' : 'data',
      offset: this.#offset[n]!,
      length: this.#length[n]!,
      uncompressedLength: this.#ulen[n]!,
    };
  }

  #internPack(packId: string): number {
    let p = this.#packNumbers.get(packId);
    if (p === undefined) {
      p = this.#packIds.length;
      this.#packIds.push(packId);
      this.#packNumbers.set(packId, p);
    }
    return p;
  }

  #hash(id: Uint8Array, off: number): number {
    // blob IDs are SHA-256 outputs: their first bytes are already uniformly distributed
    return ((id[off]! | (id[off + 1]! << 8) | (id[off + 2]! << 16) | (id[off + 3]! << 24)) >>> 0);
  }

  #find(id: Uint8Array): number {
    const mask = this.#table.length - 1;
    let slot = this.#hash(id, 0) & mask;
    for (;;) {
      const n = this.#table[slot]!;
      if (n === EMPTY) return EMPTY;
      if (this.#equals(n, id)) return n;
      slot = (slot + 1) & mask;
    }
  }

  #equals(n: number, id: Uint8Array): boolean {
    const base = n * 32;
    const ids = this.#ids;
    for (let i = 0; i < 32; i++) if (ids[base + i] !== id[i]) return false;
    return true;
  }

  #insertSlot(n: number): void {
    const mask = this.#table.length - 1;
    let slot = this.#hash(this.#ids, n * 32) & mask;
    while (this.#table[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.#table[slot] = n;
  }

  #rehash(size: number): void {
    this.#table = new Int32Array(size).fill(EMPTY);
    for (let n = 0; n < this.#count; n++) this.#insertSlot(n);
  }

  #grow(): void {
    const cap = this.#pack.length * 2;
    const ids = new Uint8Array(cap * 32);
    ids.set(this.#ids);
    this.#ids = ids;
    this.#pack = growU32(this.#pack, cap);
    this.#offset = growU32(this.#offset, cap);
    this.#length = growU32(this.#length, cap);
    this.#ulen = growU32(this.#ulen, cap);
    const type = new Uint8Array(cap);
    type.set(this.#type);
    this.#type = type;
  }
}

function growU32(a: Uint32Array, cap: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
