/**
 * An open repository: its config, master key, index, and the blob/pack/unpacked-file plumbing
 * every higher layer (archiver, restorer, checker, maintenance) goes through.
 *
 * Ordering contract: a blob is in `index` only after the pack holding it is stored; an index file
 * is written only after all its packs are stored; callers write a snapshot only after `flush()`.
 * Nothing is ever overwritten: every object except `config` is named by its SHA-256.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { open, seal } from '../crypto/index.ts';
import type { MasterKey } from '../crypto/index.ts';
import {
  decodeIndexJSON,
  decodeUnpacked,
  decompressBlob,
  encodeIndexJSON,
  encodeUnpacked,
  type BlobType,
  type IndexFile,
  type RepoConfig,
} from '../format/index.ts';
import { MasterIndex, type BlobLocation } from '../index/master-index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { FileInfo, FileType, Storage } from '../storage/storage.ts';
import { PackWriter, type FinishedPack, type UnnamedPack } from './pack-writer.ts';
import { DEFAULT_PACK_SIZE, type Compression, type RepoOptions } from './options.ts';
import { compressForBlob, defaultThreads, rawKey, sealGap, sharedRunner, type JobRunner } from '../workers/index.ts';

/** Blobs collected before an index file is written mid-backup (crash recovery keeps them). */
const INDEX_FLUSH_PACKS = 8;
const INDEX_MAX_BLOBS = 100_000;
/**
 * Finished packs held in memory while they upload (at least one); packs are uploaded from memory.
 * A full pack waits for a slot, and blobs wait while it does, so the data packs in memory are at
 * most the uploads, the one waiting, and none filling meanwhile.
 */
const UPLOAD_MEMORY = 40 * 1024 * 1024;
/**
 * Storage requests per pack upload slot. A local disk takes a 16 MiB pack in 10-50 ms, less than
 * filling the next one takes, so one upload at a time (of its 2 connections) keeps it busy; S3
 * (8 connections) gets two at a time, as UPLOAD_MEMORY allows.
 */
const CONNECTIONS_PER_UPLOAD = 2;
/** Blobs at least this large are sealed on a worker thread by `saveBlob` (smaller ones inline). */
const WORKER_BLOB_MIN = 64 * 1024;

export interface SavedBlob {
  readonly id: Buffer;
  /** false when the repository already had the blob (deduplicated) */
  readonly added: boolean;
  /** bytes this blob adds to the repository (0 when deduplicated) */
  readonly storedBytes: number;
}

type UnpackedType = 'snapshot' | 'index' | 'lock';

export class Repository {
  readonly storage: Storage;
  readonly config: RepoConfig;
  readonly key: MasterKey;
  /** the key file this repository was opened with */
  readonly keyId: string;
  readonly index = new MasterIndex();
  readonly options: Required<Omit<RepoOptions, 'connections'>> & { connections: number };
  /** worker threads (or the calling thread) for hashing, compression and sealing */
  readonly runner: JobRunner;
  readonly #writers: Record<BlobType, PackWriter>;
  readonly #pending = new Set<string>();
  readonly #uploads = new Set<Promise<void>>();
  #unindexed: { id: string; blobs: FinishedPack['blobs'] }[] = [];
  #unindexedBlobs = 0;
  #indexChain: Promise<void> = Promise.resolve();
  #failure: unknown;
  readonly #loadedIndexFiles = new Set<string>();
  readonly #io;
  #rawKey: Uint8Array | undefined;
  /** set while a finished pack waits for an upload slot */
  #slotWait: Promise<void> | undefined;

  constructor(args: { storage: Storage; config: RepoConfig; key: MasterKey; keyId: string; options: RepoOptions }) {
    this.storage = args.storage;
    this.config = args.config;
    this.key = args.key;
    this.keyId = args.keyId;
    const o = args.options;
    this.options = {
      compression: o.compression ?? 'auto',
      packSize: o.packSize ?? DEFAULT_PACK_SIZE,
      now: o.now ?? (() => new Date()),
      hostname: o.hostname ?? '',
      username: o.username ?? '',
      connections: o.connections ?? args.storage.connections,
      workers: o.workers ?? defaultThreads(),
    };
    this.runner = sharedRunner(this.options.workers);
    this.#io = pLimit(Math.max(1, this.options.connections));
    // packs are hashed on a worker when there are workers: shared with it, not moved there and back
    const mk = (type: BlobType) => new PackWriter({ type, key: this.key, targetSize: this.options.packSize, shared: this.runner.threads > 0 });
    this.#writers = { data: mk('data'), tree: mk('tree') };
  }

  get version(): 1 | 2 {
    return this.config.version;
  }

  /** Runs `fn` under the repository's storage concurrency limit. `fn` must not call `io` itself (deadlock). */
  io<T>(fn: () => Promise<T>): Promise<T> {
    return this.#io(fn);
  }

  // ---- index ---------------------------------------------------------------------------------

  /** Loads every index file not loaded yet. Damaged index files throw `Integrity` naming the file. */
  async loadIndex(opts: { signal?: AbortSignal } = {}): Promise<void> {
    const ids: string[] = [];
    for await (const f of this.storage.list('index', opts)) if (!this.#loadedIndexFiles.has(f.name)) ids.push(f.name);
    // loadUnpacked takes an I/O slot itself; this limiter only bounds decoded files in memory
    const limit = pLimit(Math.max(1, this.options.connections));
    await Promise.all(
      ids.map((id) =>
        limit(async () => {
          const idx = await this.loadIndexFile(id);
          this.addIndexFile(id, idx);
        }),
      ),
    );
  }

  /**
   * Forgets the loaded index and loads it again: for a process that loaded it and then waited
   * for another's exclusive lock (a prune may have replaced index files and deleted packs
   * meanwhile). Not while blobs of this process are being stored.
   */
  async reloadIndex(opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.index.clear();
    this.#loadedIndexFiles.clear();
    await this.loadIndex(opts);
  }

  async loadIndexFile(id: string): Promise<IndexFile> {
    const json = await this.loadUnpacked('index', id);
    try {
      return decodeIndexJSON(json);
    } catch (err) {
      throw new SkiffError('Integrity', `index ${id.slice(0, 8)} is damaged: ${(err as Error).message}`, { cause: err });
    }
  }

  addIndexFile(id: string, idx: IndexFile): void {
    this.#loadedIndexFiles.add(id);
    for (const pack of idx.packs) {
      for (const b of pack.blobs) {
        this.index.add(Buffer.from(b.id, 'hex'), {
          packId: pack.id,
          type: b.type,
          offset: b.offset,
          length: b.length,
          uncompressedLength: b.uncompressedLength ?? 0,
        });
      }
    }
  }

  loadedIndexFiles(): ReadonlySet<string> {
    return this.#loadedIndexFiles;
  }

  // ---- blobs ---------------------------------------------------------------------------------

  hasBlob(id: Buffer): boolean {
    return this.index.has(id) || this.#pending.has(id.toString('hex'));
  }

  /**
   * Stores a blob unless the repository has it. Returns after the blob is queued in a pack; it is
   * durable after `flush()`. `id` may be given when the caller already hashed the plaintext.
   */
  async saveBlob(type: BlobType, plain: Buffer, opts: { id?: Buffer } = {}): Promise<SavedBlob> {
    this.#throwIfFailed();
    const id = opts.id ?? createHash('sha256').update(plain).digest();
    const hex = id.toString('hex');
    if (this.index.has(id) || this.#pending.has(hex)) return { id, added: false, storedBytes: 0 };
    this.#pending.add(hex);
    if (this.runner.threads > 0 && plain.length >= WORKER_BLOB_MIN) {
      const gap = sealGap(1);
      const buf = new ArrayBuffer(gap + plain.length);
      new Uint8Array(buf).set(plain, gap);
      let r;
      try {
        r = await this.runner.run({ op: 'seal', buf, ranges: Uint32Array.of(gap, plain.length), key: this.rawKey, level: this.compressionLevel(type) });
      } catch (err) {
        this.releaseBlob(id);
        throw err;
      }
      return this.addSealedBlob(type, id, new Uint8Array(r.out, 0, r.lengths[0]!), r.ulens[0]!);
    }
    const { payload, ulen } = compressForBlob(plain, this.compressionLevel(type));
    return this.addSealedBlob(type, id, seal(this.key, payload), ulen);
  }

  /**
   * Claims a blob for the caller to store: false when the repository has it or another save of it
   * is under way. After true the caller must follow with `addSealedBlob` (or the backup fails).
   */
  reserveBlob(id: Buffer): boolean {
    this.#throwIfFailed();
    const hex = id.toString('hex');
    if (this.index.has(id) || this.#pending.has(hex)) return false;
    this.#pending.add(hex);
    return true;
  }

  /** Gives up a reservation whose blob could not be sealed, so a later save stores it. */
  releaseBlob(id: Buffer): void {
    this.#pending.delete(id.toString('hex'));
  }

  /**
   * Queues a blob sealed elsewhere (a worker thread) and reserved with `reserveBlob`. The bytes
   * are copied into the pack at once. Resolves after the blob is in a pack, waiting for an upload
   * slot when that pack is full.
   */
  async addSealedBlob(type: BlobType, id: Buffer, sealed: Uint8Array, uncompressedLength: number): Promise<SavedBlob> {
    await this.addSealedBlobNow(type, id, sealed, uncompressedLength);
    return { id, added: true, storedBytes: sealed.length };
  }

  /**
   * `addSealedBlob` without a promise in the usual case: returns the stored size once the blob is
   * in a pack, or a promise of it when it has to wait (an upload slot). Small files by the
   * million otherwise cost a promise each on the main thread.
   */
  addSealedBlobNow(type: BlobType, id: Buffer, sealed: Uint8Array, uncompressedLength: number): number | Promise<number> {
    // while a finished pack waits for an upload slot, new blobs wait too: at most one pack waits
    if (this.#slotWait) {
      return (async () => {
        while (this.#slotWait) await this.#slotWait;
        return this.addSealedBlobNow(type, id, sealed, uncompressedLength);
      })();
    }
    const pack = this.#writers[type].add(id, sealed, uncompressedLength);
    if (pack) return this.#upload(pack).then(() => sealed.length);
    return sealed.length;
  }

  /** The 64-byte key form worker jobs carry. */
  get rawKey(): Uint8Array {
    return (this.#rawKey ??= rawKey(this.key));
  }

  /** zstd level for blobs of this type (0: stored uncompressed), as `saveBlob` uses it. */
  compressionLevel(type: BlobType): number {
    if (this.version === 1) return 0;
    const mode: Compression = type === 'tree' ? 'auto' : this.options.compression;
    return mode === 'off' ? 0 : mode === 'max' ? 19 : 3;
  }

  async #upload(unnamed: UnnamedPack): Promise<void> {
    const slots = Math.max(1, Math.min(Math.floor(this.options.connections / CONNECTIONS_PER_UPLOAD), Math.floor(UPLOAD_MEMORY / this.options.packSize)));
    if (this.#uploads.size >= slots) {
      let open!: () => void;
      this.#slotWait = new Promise((resolve) => (open = resolve));
      try {
        while (this.#uploads.size >= slots) await Promise.race(this.#uploads);
      } finally {
        this.#slotWait = undefined;
        open();
      }
    }
    this.#throwIfFailed();
    const p = this.#name(unnamed)
      .then((pack) => this.#io(() => this.storage.save({ type: 'data', name: pack.id }, pack.bytes, pack.md5 === undefined ? {} : { md5: pack.md5 })).then(() => pack))
      .then((pack) => {
        this.#packStored(pack);
        this.#writers[pack.blobs[0]!.type].recycle(pack.bytes.buffer);
      })
      .catch((err: unknown) => {
        this.#failure ??= err;
      })
      .finally(() => this.#uploads.delete(p));
    this.#uploads.add(p);
  }

  /**
   * The pack's SHA-256 names it; hashed on a worker when there are workers (the bytes come back),
   * together with the MD5 a storage like S3 sends, which would otherwise be computed on this thread.
   */
  async #name(pack: UnnamedPack): Promise<FinishedPack> {
    if (this.runner.threads === 0) return { id: createHash('sha256').update(pack.bytes).digest('hex'), ...pack };
    const length = pack.bytes.length;
    const r = await this.runner.run({ op: 'sha256', buf: pack.bytes.buffer, length, md5: this.storage.contentMd5 === true });
    const named = { id: r.hex, bytes: Buffer.from(r.buf, 0, length), blobs: pack.blobs };
    return r.md5 === undefined ? named : { ...named, md5: r.md5 };
  }

  #packStored(pack: FinishedPack): void {
    for (const b of pack.blobs) {
      this.index.add(b.id, {
        packId: pack.id,
        type: b.type,
        offset: b.offset,
        length: b.length,
        uncompressedLength: b.uncompressedLength,
      });
      this.#pending.delete(b.id.toString('hex'));
    }
    this.#unindexed.push({ id: pack.id, blobs: pack.blobs });
    this.#unindexedBlobs += pack.blobs.length;
    if (this.#unindexed.length >= INDEX_FLUSH_PACKS || this.#unindexedBlobs >= INDEX_MAX_BLOBS) {
      this.#indexChain = this.#indexChain.then(() => this.#writeIndex()).catch((err: unknown) => {
        this.#failure ??= err;
      });
    }
  }

  async #writeIndex(): Promise<void> {
    if (this.#unindexed.length === 0) return;
    const packs = this.#unindexed;
    this.#unindexed = [];
    this.#unindexedBlobs = 0;
    const id = await this.saveUnpacked('index', encodeIndexJSON({ packs }));
    this.#loadedIndexFiles.add(id);
  }

  /** Finishes open packs, waits for every upload, and writes the index file(s) for them. */
  async flush(): Promise<void> {
    for (const w of Object.values(this.#writers)) {
      const pack = w.finish();
      if (pack) await this.#upload(pack);
    }
    await Promise.all(this.#uploads);
    this.#throwIfFailed();
    await this.#indexChain;
    this.#indexChain = this.#indexChain.then(() => this.#writeIndex());
    await this.#indexChain;
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Loads, decrypts, decompresses and verifies one blob. */
  async loadBlob(type: BlobType, id: Buffer): Promise<Buffer> {
    const loc = this.index.get(id);
    if (!loc || loc.type !== type) {
      throw new SkiffError('NotFound', `${type} blob ${id.toString('hex').slice(0, 8)} not found in index`);
    }
    const sealed = await this.#io(() =>
      this.storage.load({ type: 'data', name: loc.packId }, { offset: loc.offset, length: loc.length }),
    );
    return this.decryptBlob(sealed, id, loc);
  }

  /** Opens a sealed blob as read from its pack and checks its plaintext hash. */
  decryptBlob(sealed: Buffer, id: Buffer, loc: BlobLocation): Buffer {
    const where = () => `${loc.type} blob ${id.toString('hex').slice(0, 8)} in pack ${loc.packId.slice(0, 8)}`;
    let plain: Buffer;
    try {
      plain = open(this.key, sealed);
      if (loc.uncompressedLength) plain = decompressBlob(plain, loc.uncompressedLength);
    } catch (err) {
      throw new SkiffError('Integrity', `${where()} is damaged: ${(err as Error).message}`, { cause: err });
    }
    const got = createHash('sha256').update(plain).digest();
    if (!got.equals(id)) throw new SkiffError('Integrity', `${where()} is damaged: hash mismatch`);
    return plain;
  }

  // ---- unpacked files (index, snapshot, lock) -------------------------------------------------

  async saveUnpacked(type: UnpackedType, json: Buffer, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const payload = encodeUnpacked(json, { version: this.version, compress: this.version === 2 });
    const sealed = seal(this.key, payload);
    const id = createHash('sha256').update(sealed).digest('hex');
    await this.#io(() => this.storage.save({ type, name: id }, sealed, opts));
    return id;
  }

  async loadUnpacked(type: UnpackedType, id: string): Promise<Buffer> {
    const bytes = await this.#io(() => this.storage.load({ type, name: id }));
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== id) throw new SkiffError('Integrity', `${type} ${id.slice(0, 8)} is damaged: content does not match its name`);
    try {
      return decodeUnpacked(open(this.key, bytes), this.version);
    } catch (err) {
      throw new SkiffError('Integrity', `${type} ${id.slice(0, 8)} is damaged: ${(err as Error).message}`, { cause: err });
    }
  }

  async listIds(type: FileType, opts: { signal?: AbortSignal } = {}): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    for await (const f of this.storage.list(type, opts)) out.push(f);
    return out;
  }

  /** Resolves a unique ID prefix (as restic accepts short IDs) to the full ID. */
  async resolveId(type: FileType, prefix: string): Promise<string> {
    if (!/^[0-9a-f]{1,64}$/.test(prefix)) throw new SkiffError('Config', `invalid ${type} ID "${prefix}"`);
    const matches = (await this.listIds(type)).filter((f) => f.name.startsWith(prefix));
    if (matches.length === 0) throw new SkiffError('NotFound', `no ${type} with ID ${prefix}`);
    if (matches.length > 1) throw new SkiffError('Config', `${type} ID prefix ${prefix} is ambiguous`);
    return matches[0]!.name;
  }
}
