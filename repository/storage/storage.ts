/**
 * The storage contract every backend implements (local filesystem, S3, in-memory).
 *
 * A backend stores opaque byte objects under restic's default layout:
 *   config, keys/<id>, data/<id[0:2]>/<id>, index/<id>, snapshots/<id>, locks/<id>
 * It knows nothing of encryption or the repository format.
 *
 * Contract:
 * - `save` is atomic: a reader sees the whole object or nothing. Saving a name that already
 *   exists with different bytes is a `Conflict` unless `overwrite` is set (only locks are ever
 *   rewritten; everything else is content-addressed and written once).
 * - `load` of a missing object throws SkiffError code `NotFound`; a short read (object smaller
 *   than offset+length) throws `Integrity`. `loadInto` reads `into.length` bytes from `offset` into
 *   the caller's memory, with the same errors; a failed call may have written part of `into`.
 * - transient failures (timeouts, resets, 5xx, throttling) throw `Transient` after the backend's
 *   own retries are exhausted; auth failures `Auth`; a missing bucket or path `Config`.
 * - `list` yields every object of a type once, in no particular order; names that are not
 *   64-char lowercase hex (temporary files) are skipped.
 * - `remove` of a missing object succeeds (idempotent).
 */
export type FileType = 'config' | 'key' | 'data' | 'index' | 'snapshot' | 'lock';

export const FILE_TYPES: readonly FileType[] = ['config', 'key', 'data', 'index', 'snapshot', 'lock'];

export interface Handle {
  readonly type: FileType;
  /** 64 lowercase hex characters; ignored (may be '') for `config`. */
  readonly name: string;
}

export interface FileInfo {
  readonly name: string;
  readonly size: number;
}

export interface LoadOptions {
  /** byte offset into the object; default 0 */
  readonly offset?: number;
  /** number of bytes; default: to the end */
  readonly length?: number;
  readonly signal?: AbortSignal;
}

export interface LoadIntoOptions {
  /** byte offset into the object; default 0 */
  readonly offset?: number;
  readonly signal?: AbortSignal;
}

export interface SaveOptions {
  readonly signal?: AbortSignal;
  /** allow replacing an existing object (lock refresh only) */
  readonly overwrite?: boolean;
  /** base64 MD5 of the data, for storages with `contentMd5`, when the caller computed it already */
  readonly md5?: string;
}

export interface Storage {
  /** Where this storage points, for messages. Never contains credentials. */
  readonly location: string;
  /** Number of concurrent requests this backend handles well (fs: 2-4, S3: 8+). */
  readonly connections: number;
  /**
   * Reads of about this many bytes or fewer cost the same (S3: a request costs milliseconds of
   * server and client time, whatever its size): readers combine nearby ranges up to it. Absent
   * for storages where small reads cost nothing extra (local disks, memory).
   */
  readonly readBytes?: number;
  /**
   * `save` sends the data's MD5 along (S3's Content-MD5), which costs about 1.3 CPU s per GB
   * wherever it is computed: callers with spare threads compute it there and pass `md5`.
   */
  readonly contentMd5?: boolean;
  /** Prepare an empty location (mkdir, check the bucket exists). Fails with `Conflict` if a config already exists. */
  create(): Promise<void>;
  save(h: Handle, data: Uint8Array, opts?: SaveOptions): Promise<void>;
  load(h: Handle, opts?: LoadOptions): Promise<Buffer>;
  /**
   * Reads `into.length` bytes at `offset` into `into` (which may be a view of a larger or shared
   * buffer): no buffer per read for the garbage collector. Optional for other implementations; every backend here has it,
   * and `loadInto()` (load-into.ts) falls back to `load` and a copy.
   */
  loadInto?(h: Handle, into: Uint8Array, opts?: LoadIntoOptions): Promise<void>;
  /** Size of an object; `NotFound` if absent. */
  stat(h: Handle): Promise<FileInfo>;
  list(type: FileType, opts?: { signal?: AbortSignal }): AsyncIterable<FileInfo>;
  remove(h: Handle): Promise<void>;
  close(): Promise<void>;
}

/** Relative object path in restic's default layout. */
export function layoutPath(h: Handle): string {
  switch (h.type) {
    case 'config':
      return 'config';
    case 'key':
      return `keys/${h.name}`;
    case 'data':
      return `data/${h.name.slice(0, 2)}/${h.name}`;
    case 'index':
      return `index/${h.name}`;
    case 'snapshot':
      return `snapshots/${h.name}`;
    case 'lock':
      return `locks/${h.name}`;
  }
}

/** Directory (relative) holding objects of a type. */
export function layoutDir(type: FileType): string {
  switch (type) {
    case 'config':
      return '';
    case 'key':
      return 'keys';
    case 'data':
      return 'data';
    case 'index':
      return 'index';
    case 'snapshot':
      return 'snapshots';
    case 'lock':
      return 'locks';
  }
}

const ID_RE = /^[0-9a-f]{64}$/;

export function isId(name: string): boolean {
  return ID_RE.test(name);
}
