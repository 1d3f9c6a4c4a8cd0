/**
 * Collects sealed blobs of one type into a pack; `add` returns the finished pack bytes once the
 * target size is reached. The pack is not named here: its ID is the SHA-256 of `bytes`, which the
 * repository computes (on a worker thread when it has them) before uploading.
 *
 * Contract: the repository adds a pack's blobs to the index only after its upload resolved, so
 * the index never points at bytes that are not durable. Data and tree blobs never share a pack:
 * the repository keeps one PackWriter per blob type. Sealed blobs are copied into one growing
 * buffer as they arrive, so callers may reuse or drop theirs at once, and finishing needs no
 * second copy of the pack. Once a pack is stored, the repository hands its buffer back through
 * `recycle`, so a long backup cycles through a few pack buffers instead of leaving one per pack
 * to the garbage collector (storages do not keep `data` after `save` resolves).
 */
import { assemblePackTail, headerEntrySize, type BlobType, type PackedBlob } from '../format/index.ts';
import type { MasterKey } from '../crypto/index.ts';

export interface FinishedPack {
  readonly id: string;
  readonly bytes: Buffer;
  readonly blobs: readonly PackedBlob[];
  /** base64 MD5 of `bytes`, when computed with the ID for a storage that sends it */
  readonly md5?: string;
}

/** A finished pack before it is named. `bytes` owns its whole ArrayBuffer from offset 0. */
export interface UnnamedPack {
  readonly bytes: Buffer;
  readonly blobs: readonly PackedBlob[];
}

/** Header entries may not exceed restic's 16 MiB header limit; cut well before it. */
const MAX_HEADER = 15 * 1024 * 1024;
/** first buffer of a pack when no recycled one is at hand; it doubles as the pack grows */
const INITIAL = 1024 * 1024;
/** room past the target size for the blob that completes a pack, and the header */
const SLACK = 1024 * 1024;
/** recycled buffers kept per writer */
const KEEP = 1;

export class PackWriter {
  readonly type: BlobType;
  #key: MasterKey;
  #target: number;
  #buf: Buffer | undefined;
  #blobs: PackedBlob[] = [];
  #size = 0;
  #headerSize = 0;
  readonly #spares: ArrayBufferLike[] = [];
  readonly #shared: boolean;
  /** a pack of this writer reached the target size */
  #filled = false;

  /** `shared`: pack buffers are SharedArrayBuffers (a worker thread hashes them in place) */
  constructor(opts: { type: BlobType; key: MasterKey; targetSize: number; shared?: boolean }) {
    this.type = opts.type;
    this.#shared = opts.shared === true;
    this.#key = opts.key;
    this.#target = opts.targetSize;
  }

  get blobCount(): number {
    return this.#blobs.length;
  }

  get size(): number {
    return this.#size;
  }

  /** Appends (copies) one sealed blob; returns a finished pack when the target size is reached. */
  add(id: Buffer, sealed: Uint8Array, uncompressedLength: number): UnnamedPack | undefined {
    this.#reserve(sealed.length);
    this.#buf!.set(sealed, this.#size);
    this.#blobs.push({ id, type: this.type, offset: this.#size, length: sealed.length, uncompressedLength });
    this.#size += sealed.length;
    this.#headerSize += headerEntrySize(uncompressedLength !== 0);
    if (this.#size >= this.#target || this.#headerSize > MAX_HEADER) {
      this.#filled = true;
      return this.finish();
    }
    return undefined;
  }

  /** Seals the header and returns the pack, or undefined when empty. Resets the writer. */
  finish(): UnnamedPack | undefined {
    if (this.#blobs.length === 0) return undefined;
    const tail = assemblePackTail(this.#key, this.#blobs);
    this.#reserve(tail.length);
    this.#buf!.set(tail, this.#size);
    const end = this.#size + tail.length;
    const bytes = this.#buf!.byteLength === end ? this.#buf! : Buffer.from(this.#buf!.buffer, 0, end);
    const blobs = this.#blobs;
    this.#buf = undefined;
    this.#blobs = [];
    this.#size = 0;
    this.#headerSize = 0;
    return { bytes, blobs };
  }

  /** Takes back the buffer of a stored pack (`bytes.buffer` of a pack this writer made) for reuse. */
  recycle(buf: ArrayBufferLike): void {
    if (buf instanceof ArrayBuffer && buf.detached) return;
    if (this.#spares.length < KEEP) this.#spares.push(buf);
    else {
      // keep the largest: a spare too small for the next pack means a new buffer
      const i = this.#spares.findIndex((b) => b.byteLength < buf.byteLength);
      if (i >= 0) this.#spares[i] = buf;
    }
  }

  /** Makes room for `n` more bytes: a recycled buffer if one is large enough, else doubling. */
  #reserve(n: number): void {
    const need = this.#size + n;
    if (this.#buf && this.#buf.length >= need) return;
    let next: Buffer | undefined;
    const i = this.#spares.findIndex((b) => b.byteLength >= need);
    if (i >= 0) next = Buffer.from(this.#spares.splice(i, 1)[0]!);
    else {
      // Start small and double (a writer of a few tree blobs stays small); once this writer has
      // filled a pack, start at full size. Never far past the target: the last blob rarely needs it.
      const first = this.#filled ? this.#target + SLACK : INITIAL;
      // rounded up: a pack that a large last blob took past the usual size leaves a spare that
      // fits the next one of its kind
      const cap = roundUp(Math.max(need, Math.min(this.#buf ? this.#buf.length * 2 : first, this.#target + SLACK)), SLACK);
      next = Buffer.from(this.#shared ? new SharedArrayBuffer(cap) : new ArrayBuffer(cap));
    }
    if (this.#buf) this.#buf.copy(next, 0, 0, this.#size);
    this.#buf = next;
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
