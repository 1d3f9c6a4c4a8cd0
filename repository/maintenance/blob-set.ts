/**
 * A compact map from 32-byte blob ID to a small number (0-255): about 41 bytes per blob (the ID,
 * one value byte and an Int32 open-addressing table kept at most half full), no object per blob.
 * Prune keeps the set of used blobs here, with a per-blob state in the value.
 */
const EMPTY = -1;

export class BlobSet {
  #ids = new Uint8Array(32 * 256);
  #values = new Uint8Array(256);
  #count = 0;
  #table = new Int32Array(512).fill(EMPTY);

  get size(): number {
    return this.#count;
  }

  /** Adds `id` with value 0; false when it was already present (its value is unchanged). */
  add(id: Uint8Array): boolean {
    if (this.#find(id) !== EMPTY) return false;
    this.#insert(id, 0);
    return true;
  }

  has(id: Uint8Array): boolean {
    return this.#find(id) !== EMPTY;
  }

  get(id: Uint8Array): number | undefined {
    const n = this.#find(id);
    return n === EMPTY ? undefined : this.#values[n];
  }

  /** Sets the value (clamped to 0-255), adding the ID if needed. */
  set(id: Uint8Array, value: number): void {
    const v = Math.max(0, Math.min(255, value));
    const n = this.#find(id);
    if (n === EMPTY) this.#insert(id, v);
    else this.#values[n] = v;
  }

  *entries(): IterableIterator<{ id: Buffer; value: number }> {
    for (let n = 0; n < this.#count; n++) {
      yield { id: Buffer.from(this.#ids.subarray(n * 32, n * 32 + 32)), value: this.#values[n]! };
    }
  }

  #insert(id: Uint8Array, value: number): void {
    if (id.length !== 32) throw new RangeError('blob id must be 32 bytes');
    if (this.#count >= this.#values.length) this.#grow();
    if ((this.#count + 1) * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    const n = this.#count++;
    this.#ids.set(id, n * 32);
    this.#values[n] = value;
    this.#place(n);
  }

  #slot(ids: Uint8Array, off: number): number {
    // IDs are SHA-256 outputs: their first four bytes are already uniform
    return (ids[off]! | (ids[off + 1]! << 8) | (ids[off + 2]! << 16) | (ids[off + 3]! << 24)) & (this.#table.length - 1);
  }

  #find(id: Uint8Array): number {
    if (id.length !== 32) return EMPTY;
    const mask = this.#table.length - 1;
    for (let slot = this.#slot(id, 0); ; slot = (slot + 1) & mask) {
      const n = this.#table[slot]!;
      if (n === EMPTY) return EMPTY;
      if (this.#equals(n, id)) return n;
    }
  }

  #equals(n: number, id: Uint8Array): boolean {
    const base = n * 32;
    for (let i = 0; i < 32; i++) if (this.#ids[base + i] !== id[i]) return false;
    return true;
  }

  #place(n: number): void {
    const mask = this.#table.length - 1;
    let slot = this.#slot(this.#ids, n * 32);
    while (this.#table[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.#table[slot] = n;
  }

  #rehash(size: number): void {
    this.#table = new Int32Array(size).fill(EMPTY);
    for (let n = 0; n < this.#count; n++) this.#place(n);
  }

  #grow(): void {
    const cap = this.#values.length * 2;
    const ids = new Uint8Array(cap * 32);
    ids.set(this.#ids);
    this.#ids = ids;
    const values = new Uint8Array(cap);
    values.set(this.#values);
    this.#values = values;
  }
}
