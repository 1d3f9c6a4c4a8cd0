/**
 * The jobs a worker thread runs and what it answers. Every byte payload is a whole buffer;
 * ranges index into it as `[start, length]` pairs. An `ArrayBuffer` is transferred (moved, not
 * copied) to the worker and back. A `SharedArrayBuffer` is shared, and an answer hands a job's
 * shared buffer back as a reference to it (see `toReply`), so the caller gets its own object
 * again. Keys travel as 64 bytes `encrypt ‖ macK ‖ macR` with each job, so a worker holds no
 * state between jobs beyond caches.
 */
import type { FileMetadata } from '../fs/apply-metadata.ts';

/** A job's bytes: moved when an ArrayBuffer, shared when a SharedArrayBuffer. */
export type Bytes = ArrayBuffer | SharedArrayBuffer;

/** SHA-256 of each range. */
export interface HashJob {
  readonly op: 'hash';
  readonly buf: Bytes;
  /** `[start, length]` pairs into `buf` */
  readonly ranges: Uint32Array;
}

export interface HashResult {
  readonly buf: Bytes;
  /** 32 bytes per range, in order */
  readonly ids: Uint8Array;
}

/**
 * Compresses (level > 0, skipped for incompressible data) and seals each range. When the ranges
 * are ascending, disjoint and the first starts at `sealGap(n)` or later, the sealed blobs are
 * written over `buf` itself from offset 0 (each is at most 32 bytes longer than its plaintext,
 * and the gap absorbs that), so `out === buf` and no second buffer exists; otherwise `out` is new.
 */
export interface SealJob {
  readonly op: 'seal';
  readonly buf: Bytes;
  readonly ranges: Uint32Array;
  readonly key: Uint8Array;
  /** zstd level; 0 stores the blobs uncompressed (repository v1 or compression off) */
  readonly level: number;
}

/** Free bytes before the first range that let `n` ranges be sealed in place. */
export function sealGap(n: number): number {
  return 32 * (n + 1);
}

export interface SealResult {
  readonly buf: Bytes;
  /** the sealed blobs back to back from offset 0 (the buffer may be longer); may be `buf` */
  readonly out: Bytes;
  /** sealed length of each blob */
  readonly lengths: Uint32Array;
  /** plaintext length when compressed, else 0 (restic's uncompressed_length) */
  readonly ulens: Uint32Array;
}

/**
 * Reads small files whole (each is one chunk), hashes, compresses and seals them. A file whose
 * size differs from `sizes[i]` (it changed since lstat) is answered `changed`, and the caller
 * reads it through the chunker instead; an empty file is `empty` (no blob).
 *
 * Paths and results travel as a few typed arrays per batch, not an object or buffer per file:
 * with a million small files, per-file objects and 32-byte ArrayBuffers crossing threads were a
 * large share of the main thread's garbage and of malloc's heap (files-job.ts packs and reads them).
 */
export interface FilesJob {
  readonly op: 'files';
  /** the paths back to back */
  readonly paths: Uint8Array;
  /** end offset of each path in `paths` */
  readonly ends: Uint32Array;
  readonly sizes: Float64Array;
  readonly key: Uint8Array;
  readonly level: number;
  /** where to put the sealed blobs when they fit (else `out` is new) */
  readonly spare?: Bytes;
}

/** What became of each file of a FilesJob (`FilesResult.kinds`). */
export const FILE_BLOB = 0;
export const FILE_EMPTY = 1;
export const FILE_CHANGED = 2;
export const FILE_ERROR = 3;

export interface FilesResult {
  /** the sealed blobs back to back, in file order */
  readonly out: Bytes;
  /** per file: FILE_BLOB, FILE_EMPTY, FILE_CHANGED or FILE_ERROR */
  readonly kinds: Uint8Array;
  /** per file, 32 bytes: the plaintext's SHA-256 (blobs only; zeros otherwise) */
  readonly ids: Uint8Array;
  /** per file: sealed length (blobs only) */
  readonly lengths: Uint32Array;
  /** per file: plaintext length when compressed, else 0 */
  readonly ulens: Uint32Array;
  /** the files that could not be read: index, message and errno code */
  readonly errors: readonly { readonly file: number; readonly message: string; readonly code?: string }[];
}

/** SHA-256 of the buffer's first `length` bytes (pack IDs), and their MD5 if asked. */
export interface Sha256Job {
  readonly op: 'sha256';
  readonly buf: Bytes;
  readonly length: number;
  readonly md5?: boolean;
}

export interface Sha256Result {
  readonly buf: Bytes;
  readonly hex: string;
  /** base64, when the job asked for it */
  readonly md5?: string;
}

/** Opens sealed blobs (verify MAC, decrypt, decompress) and checks each plaintext's SHA-256. */
export interface OpenJob {
  readonly op: 'open';
  readonly buf: ArrayBuffer;
  readonly ranges: Uint32Array;
  /** expected plaintext SHA-256, 32 bytes per range */
  readonly ids: Uint8Array;
  /** uncompressed length per range, 0 when stored uncompressed */
  readonly ulens: Uint32Array;
  readonly key: Uint8Array;
}

export interface OpenResult {
  readonly buf: ArrayBuffer;
  /** the plaintexts back to back (failed blobs take no space) */
  readonly out: ArrayBuffer;
  readonly lengths: Uint32Array;
  /** null, or why the blob is damaged (the message of a SkiffError `Integrity`) */
  readonly errors: readonly (string | null)[];
}

/**
 * Restore: opens and verifies sealed blobs as OpenJob does, then writes each plaintext into its
 * target files at the given offsets. Target t belongs to blob `tBlob[t]` and writes `tLen[t]`
 * bytes to `paths[tPath[t]]` at `tOffset[t]`; targets come in blob order. With `sparse`, all-zero
 * 64 KiB blocks are not written (they read back as zeros: the file has its full size).
 *
 * A path with `own[p]` set is written by this job alone: the job creates it (O_EXCL, mode 0600,
 * removing whatever is in the way), gives it its size `sizes[p]`, and applies `meta[p]` when given.
 * Other paths exist already at their full size (the caller created them) and are only written.
 */
export interface RestoreJob {
  readonly op: 'restore';
  /** a SharedArrayBuffer is shared, not moved: the jobs of one read all read theirs from it */
  readonly buf: ArrayBuffer | SharedArrayBuffer;
  readonly ranges: Uint32Array;
  readonly ids: Uint8Array;
  readonly ulens: Uint32Array;
  readonly key: Uint8Array;
  readonly paths: readonly Uint8Array[];
  /** final size of each file in `paths` */
  readonly sizes: Float64Array;
  /** 1 for the paths this job creates and completes */
  readonly own: Uint8Array;
  /** metadata to apply to owned paths after writing them (null: the caller applies it) */
  readonly meta: readonly (FileMetadata | null)[];
  /** as ApplyOptions.isRoot */
  readonly isRoot: boolean;
  readonly tBlob: Uint32Array;
  readonly tPath: Uint32Array;
  readonly tOffset: Float64Array;
  readonly tLen: Float64Array;
  readonly sparse: boolean;
}

export interface RestoreResult {
  /** plaintext bytes accounted to targets (written, or left as holes) */
  readonly bytes: number;
  /** per blob: null, or why it is damaged */
  readonly blobErrors: readonly (string | null)[];
  /** files a create or write failed for: index into `paths` and the error */
  readonly fileErrors: readonly { readonly path: number; readonly message: string }[];
  /** owned files whose metadata could not be applied (all failed steps in one message) */
  readonly metaErrors: readonly { readonly path: number; readonly message: string }[];
  /** degradation notices from applying metadata (the native addon missing), once per thread */
  readonly warnings: readonly { readonly path: number; readonly message: string }[];
}

export type Job = HashJob | SealJob | FilesJob | Sha256Job | OpenJob | RestoreJob;

export type ResultOf<J extends Job> = J extends HashJob
  ? HashResult
  : J extends SealJob
    ? SealResult
    : J extends FilesJob
      ? FilesResult
      : J extends Sha256Job
        ? Sha256Result
        : J extends OpenJob
          ? OpenResult
          : J extends RestoreJob
            ? RestoreResult
            : never;

/** What a worker posts back: the result, or a serialisable error. */
export type Reply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly code: string | undefined; readonly message: string; readonly skiff: boolean };

/** ArrayBuffers to move with a job or result (everything named `buf`, `out` or `spare`; a SharedArrayBuffer is not moved but shared). */
export function transferList(msg: { readonly buf?: unknown; readonly out?: unknown; readonly spare?: unknown }): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const b of [msg.buf, msg.out, msg.spare]) if (b instanceof ArrayBuffer && !list.includes(b)) list.push(b);
  return list;
}

/** The fields of a result that may hand a job's shared buffer back. */
const SHAREABLE = ['buf', 'out'] as const;
/** The fields of a job that may hold a shared buffer. */
const SHARED_IN = ['buf', 'spare'] as const;

/**
 * A result as the worker posts it: a field holding one of the job's SharedArrayBuffers becomes
 * the name of the job's field (`{ shared: 'buf' }`). Posted as it is, the buffer would arrive as
 * a new SharedArrayBuffer object on the caller's thread, which V8 counts as fresh external memory
 * there: a backup moving gigabytes through a few shared buffers then ran a full collection of the
 * main heap every few dozen MiB.
 */
export function toReply(result: unknown, job: Job): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const r = result as Record<string, unknown>;
  const j = job as unknown as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k of SHAREABLE) {
    const v = r[k];
    if (!(v instanceof SharedArrayBuffer)) continue;
    const from = SHARED_IN.find((f) => j[f] === v);
    if (from !== undefined) (out ??= { ...r })[k] = { shared: from };
  }
  return out ?? result;
}

/** The inverse of `toReply`, on the caller's thread: references become the job's own buffers. */
export function fromReply(result: unknown, job: Job): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const r = result as Record<string, unknown>;
  const j = job as unknown as Record<string, unknown>;
  for (const k of SHAREABLE) {
    const name = (r[k] as { shared?: unknown } | undefined)?.shared;
    if (typeof name !== 'string') continue;
    const buf = SHARED_IN.some((f) => f === name) ? j[name] : undefined;
    if (!(buf instanceof SharedArrayBuffer)) throw new Error(`worker answered with a reference to a shared buffer the job did not have (${name})`);
    r[k] = buf;
  }
  return result;
}
