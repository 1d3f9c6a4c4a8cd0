/**
 * The CPU work behind each job, as plain synchronous functions: a worker thread runs them, and
 * so does the inline runner (no workers) on the calling thread. Results never alias the input
 * buffer, so both may be transferred.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, readSync } from 'node:fs';
import { openReadSync } from './no-atime.ts';
import { OVERHEAD, open, sealInto, type MasterKey } from '../crypto/index.ts';
import { keyOf } from './job-keys.ts';
import { restoreBlobs } from './restore-job.ts';
import { openVerified } from './open-blob.ts';
import { decompressBlob } from '../format/index.ts';
import { SkiffError } from '../errors/errors.ts';
import { compressForBlobInBatch } from './compress.ts';
import { resetScratch } from './zstd-reuse.ts';
import type {
  FilesJob,
  FilesResult,
  HashJob,
  HashResult,
  Job,
  OpenJob,
  OpenResult,
  ResultOf,
  SealJob,
  SealResult,
  Sha256Job,
  Sha256Result,
} from './protocol.ts';
import { FILE_BLOB, FILE_CHANGED, FILE_EMPTY, FILE_ERROR, sealGap, type Bytes } from './protocol.ts';

export function runJob<J extends Job>(job: J): ResultOf<J> {
  switch (job.op) {
    case 'hash':
      return hash(job) as ResultOf<J>;
    case 'seal':
      return sealRanges(job) as ResultOf<J>;
    case 'files':
      return readFiles(job) as ResultOf<J>;
    case 'sha256':
      return sha256(job) as ResultOf<J>;
    case 'open':
      return openRanges(job) as ResultOf<J>;
    case 'restore':
      return restoreBlobs(job) as ResultOf<J>;
  }
  throw new SkiffError('Permanent', 'unknown worker job');
}

function hash(job: HashJob): HashResult {
  const bytes = new Uint8Array(job.buf);
  const n = job.ranges.length / 2;
  const ids = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) {
    const start = job.ranges[2 * i]!;
    ids.set(createHash('sha256').update(bytes.subarray(start, start + job.ranges[2 * i + 1]!)).digest(), 32 * i);
  }
  return { buf: job.buf, ids };
}

/** Compresses each plaintext, then seals them all into one freshly allocated buffer. */
function sealAll(key: MasterKey, plains: readonly Uint8Array[], level: number, spare: Bytes | undefined): { out: Bytes; lengths: Uint32Array; ulens: Uint32Array } {
  const payloads: Uint8Array[] = [];
  const lengths = new Uint32Array(plains.length);
  const ulens = new Uint32Array(plains.length);
  let total = 0;
  resetScratch();
  plains.forEach((plain, i) => {
    const c = compressForBlobInBatch(plain, level);
    payloads.push(c.payload);
    ulens[i] = c.ulen;
    lengths[i] = c.payload.length + OVERHEAD;
    total += lengths[i]!;
  });
  const out = spare && spare.byteLength >= total ? spare : new ArrayBuffer(total);
  let at = 0;
  payloads.forEach((p, i) => {
    sealInto(key, p, new Uint8Array(out, at, lengths[i]!));
    at += lengths[i]!;
  });
  return { out, lengths, ulens };
}

function sealRanges(job: SealJob): SealResult {
  const bytes = new Uint8Array(job.buf);
  const key = keyOf(job.key);
  const n = job.ranges.length / 2;
  if (!sealableInPlace(job.ranges)) {
    const plains: Uint8Array[] = [];
    for (let i = 0; i < n; i++) plains.push(bytes.subarray(job.ranges[2 * i]!, job.ranges[2 * i]! + job.ranges[2 * i + 1]!));
    return { buf: job.buf, ...sealAll(key, plains, job.level, undefined) };
  }
  // Blob k is written at w <= (its start - gap) + 32 k: it never reaches a later range, and its
  // nonce and each cipher slice land before the plaintext bytes still to be read (see sealGap).
  const lengths = new Uint32Array(n);
  const ulens = new Uint32Array(n);
  let w = 0;
  resetScratch();
  for (let k = 0; k < n; k++) {
    const start = job.ranges[2 * k]!;
    const c = compressForBlobInBatch(bytes.subarray(start, start + job.ranges[2 * k + 1]!), job.level);
    const len = c.payload.length + OVERHEAD;
    sealInto(key, c.payload, bytes.subarray(w, w + len));
    lengths[k] = len;
    ulens[k] = c.ulen;
    w += len;
  }
  return { buf: job.buf, out: job.buf, lengths, ulens };
}

function sealableInPlace(ranges: Uint32Array): boolean {
  const n = ranges.length / 2;
  if (n === 0 || ranges[0]! < sealGap(n)) return false;
  for (let k = 1; k < n; k++) if (ranges[2 * k]! < ranges[2 * k - 2]! + ranges[2 * k - 1]!) return false;
  return true;
}

/**
 * The buffer a worker reads small files into: one batch at a time, each file after the other,
 * reused from batch to batch (sealing copies what it keeps). One buffer per thread instead of one
 * per file: small files by the million otherwise leave a worker holding tens of MiB of dead read
 * buffers between collections.
 */
let arena = Buffer.allocUnsafe(256 * 1024);

/**
 * Reads a whole file of the expected size into `arena` at `at`; the bytes, or null when its size
 * changed. Throws the fs error.
 */
function readWhole(path: Uint8Array, size: number, at: number): Buffer | null {
  const fd = openReadSync(Buffer.from(path.buffer, path.byteOffset, path.byteLength), constants.O_NOFOLLOW);
  try {
    // one byte more than expected: a file that grew fills it
    const buf = arena.subarray(at, at + size + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
      if (got > size) return null;
    }
    return got === size ? buf.subarray(0, size) : null;
  } finally {
    closeSync(fd);
  }
}

function readFiles(job: FilesJob): FilesResult {
  const key = keyOf(job.key);
  const n = job.ends.length;
  const kinds = new Uint8Array(n);
  const ids = new Uint8Array(32 * n);
  const errors: { file: number; message: string; code?: string }[] = [];
  const plains: Uint8Array[] = [];
  const blobFiles: number[] = [];
  let need = 0;
  for (let i = 0; i < n; i++) need += job.sizes[i]! + 1;
  if (arena.length < need) arena = Buffer.allocUnsafe(Math.max(need, arena.length * 2));
  let at = 0;
  for (let i = 0; i < n; i++) {
    const path = job.paths.subarray(i === 0 ? 0 : job.ends[i - 1]!, job.ends[i]!);
    try {
      const data = readWhole(path, job.sizes[i]!, at);
      if (!data) {
        kinds[i] = FILE_CHANGED;
        continue;
      }
      at += data.length;
      if (data.length === 0) {
        kinds[i] = FILE_EMPTY;
        continue;
      }
      kinds[i] = FILE_BLOB;
      plains.push(data);
      blobFiles.push(i);
      ids.set(createHash('sha256').update(data).digest(), 32 * i);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      kinds[i] = FILE_ERROR;
      errors.push({ file: i, message: e.message, ...(e.code ? { code: e.code } : {}) });
    }
  }
  const sealed = sealAll(key, plains, job.level, job.spare);
  const lengths = new Uint32Array(n);
  const ulens = new Uint32Array(n);
  blobFiles.forEach((file, b) => {
    lengths[file] = sealed.lengths[b]!;
    ulens[file] = sealed.ulens[b]!;
  });
  return { out: sealed.out, kinds, ids, lengths, ulens, errors };
}

function sha256(job: Sha256Job): Sha256Result {
  const bytes = new Uint8Array(job.buf, 0, job.length);
  const hex = createHash('sha256').update(bytes).digest('hex');
  if (job.md5 !== true) return { buf: job.buf, hex };
  return { buf: job.buf, hex, md5: createHash('md5').update(bytes).digest('base64') };
}

function openRanges(job: OpenJob): OpenResult {
  const key = keyOf(job.key);
  const n = job.ranges.length / 2;
  const plains: Uint8Array[] = [];
  const errors: (string | null)[] = [];
  const lengths = new Uint32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    try {
      const plain = openVerified(key, job, i).slice(); // the view is reused by the next blob
      plains.push(plain);
      lengths[i] = plain.length;
      total += plain.length;
      errors.push(null);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of plains) {
    out.set(p, at);
    at += p.length;
  }
  return { buf: job.buf, out: out.buffer, lengths, errors };
}
