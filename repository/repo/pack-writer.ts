/**
 * Collects sealed blobs of one type into a pack and hands finished packs to `upload`.
 *
 * Contract: a pack is only reported through `onStored` after its upload resolved, so callers add
 * its blobs to the index (and later to an index file) only once the bytes are durable. Data and
 * tree blobs never share a pack: the repository keeps one PackWriter per blob type.
 */
import { createHash } from 'node:crypto';
import { assemblePackTail, headerEntrySize, type BlobType, type PackedBlob } from '../format/index.ts';
import type { MasterKey } from '../crypto/index.ts';

export interface FinishedPack {
  readonly id: string;
  readonly bytes: Buffer;
  readonly blobs: readonly PackedBlob[];
}

export class PackWriter {
  readonly type: BlobType;
  #key: MasterKey;
  #target: number;
  #parts: Buffer[] = [];
  #blobs: PackedBlob[] = [];
  #size = 0;
  #headerSize = 0;

  constructor(opts: { type: BlobType; key: MasterKey; targetSize: number }) {
    this.type = opts.type;
    this.#key = opts.key;
    this.#target = opts.targetSize;
  }

  get blobCount(): number {
    return this.#blobs.length;
  }

  get size(): number {
    return this.#size;
  }

  /** Appends one sealed blob; returns a finished pack when the target size is reached. */
  add(id: Buffer, sealed: Buffer, uncompressedLength: number): FinishedPack | undefined {
    this.#blobs.push({ id, type: this.type, offset: this.#size, length: sealed.length, uncompressedLength });
    this.#parts.push(sealed);
    this.#size += sealed.length;
    this.#headerSize += headerEntrySize(uncompressedLength !== 0);
    // cut at the target, or before the header approaches restic's 16 MiB header limit
    if (this.#size >= this.#target || this.#headerSize > 15 * 1024 * 1024) return this.finish();
    return undefined;
  }

  /** Seals the header and returns the pack, or undefined when empty. Resets the writer. */
  finish(): FinishedPack | undefined {
    if (this.#blobs.length === 0) return undefined;
    const tail = assemblePackTail(this.#key, this.#blobs);
    const bytes = Buffer.concat([...this.#parts, tail]);
    const id = createHash('sha256').update(bytes).digest('hex');
    const blobs = this.#blobs;
    this.#parts = [];
    this.#blobs = [];
    this.#size = 0;
    this.#headerSize = 0;
    return { id, bytes, blobs };
  }
}
