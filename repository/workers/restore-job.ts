/**
 * The restore job on a worker thread: open and verify each blob, then write it with pwrite into
 * every file and offset that needs it. A file the job owns (it holds all of the file's blobs,
 * as it does for nearly every small file) is finished here in one go: created at first touch
 * (O_EXCL; whatever is in the way is removed and the create retried), written, extended to its
 * size when the tail was left as a hole, given its owner, mode, times and xattrs on the open
 * descriptor, and closed. That keeps the per-file system calls on the threads and off the main
 * thread, and each file's inode is touched while it is hot. Files the job does not own exist
 * already at their size and are only written. With `sparse`, 64 KiB blocks of zeros inside a
 * blob are skipped (the truncated file reads them back as zeros).
 */
import { closeSync, constants, ftruncateSync, openSync, writeSync } from 'node:fs';
import { applyFileMetadataSync } from '../fs/apply-metadata.ts';
import { clearPathSync } from './clear-path.ts';
import { keyOf } from './job-keys.ts';
import { openVerified } from './open-blob.ts';
import type { RestoreJob, RestoreResult } from './protocol.ts';

const CREATE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;
const WRITE = constants.O_WRONLY | constants.O_NOFOLLOW;
const HOLE_BLOCK = 64 * 1024;
const ZEROS = Buffer.alloc(HOLE_BLOCK);

/**
 * The [from, to) ranges of `buf[0, len)` that are not all zeros, in 64 KiB blocks: the files are
 * preallocated by truncate, so skipped blocks stay holes and read back as zeros.
 */
export function nonZeroSegments(buf: Uint8Array, len: number): (readonly [number, number])[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: [number, number][] = [];
  for (let from = 0; from < len; from += HOLE_BLOCK) {
    const to = Math.min(len, from + HOLE_BLOCK);
    if (b.compare(ZEROS, 0, to - from, from, to) === 0) continue;
    const last = out.at(-1);
    if (last && last[1] === from) last[1] = to;
    else out.push([from, to]);
  }
  return out;
}

/** Creates an owned file, clearing whatever the target directory had at its name. */
function createOwned(path: Buffer): number {
  try {
    return openSync(path, CREATE, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  clearPathSync(path);
  return openSync(path, CREATE, 0o600);
}

export function restoreBlobs(job: RestoreJob): RestoreResult {
  const key = keyOf(job.key);
  const n = job.ranges.length / 2;
  const blobErrors: (string | null)[] = [];
  const fileErrors: { path: number; message: string }[] = [];
  const metaErrors: { path: number; message: string }[] = [];
  const warnings: { path: number; message: string }[] = [];
  const failed = new Set<number>();
  const fds = new Map<number, number>();
  /** per owned path: end of the last byte written, to know whether its size still needs setting */
  const end = new Float64Array(job.paths.length);
  const pathOf = (p: number): Buffer => {
    const raw = job.paths[p]!;
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  };
  const fdOf = (p: number): number => {
    let fd = fds.get(p);
    if (fd !== undefined) return fd;
    fd = job.own[p] ? createOwned(pathOf(p)) : openSync(pathOf(p), WRITE);
    fds.set(p, fd);
    return fd;
  };
  const fail = (p: number, err: unknown): void => {
    failed.add(p);
    fileErrors.push({ path: p, message: (err as Error).message });
  };
  let bytes = 0;
  let t = 0;
  try {
    for (let k = 0; k < n; k++) {
      let plain: Uint8Array | undefined;
      try {
        plain = openVerified(key, job, k);
        blobErrors.push(null);
      } catch (err) {
        blobErrors.push((err as Error).message);
      }
      let segments: (readonly [number, number])[] | undefined;
      for (; t < job.tBlob.length && job.tBlob[t] === k; t++) {
        if (!plain) continue;
        const p = job.tPath[t]!;
        const len = Math.min(job.tLen[t]!, plain.length);
        if (failed.has(p)) continue;
        // the same blob at different offsets of different files has the same holes
        const segs = !job.sparse ? [[0, len] as const] : len === plain.length ? (segments ??= nonZeroSegments(plain, len)) : nonZeroSegments(plain, len);
        try {
          const fd = fdOf(p); // also for an all-zero blob: the file must exist at its size
          const at = job.tOffset[t]!;
          for (const [from, to] of segs) {
            let done = from;
            while (done < to) done += writeSync(fd, plain, done, to - done, at + done);
            if (at + to > end[p]!) end[p] = at + to;
          }
          bytes += len;
        } catch (err) {
          fail(p, err);
        }
      }
    }
    // owned files: a tail of holes (or blobs that were damaged) still needs the size; then metadata
    for (let p = 0; p < job.paths.length; p++) {
      if (!job.own[p] || failed.has(p)) continue;
      let fd: number;
      try {
        fd = fdOf(p); // created here when no blob reached it (all damaged)
        if (end[p]! < job.sizes[p]!) ftruncateSync(fd, job.sizes[p]!);
      } catch (err) {
        fail(p, err);
        continue;
      }
      const meta = job.meta[p];
      if (!meta) continue;
      try {
        const res = applyFileMetadataSync(pathOf(p), fd, meta, { isRoot: job.isRoot });
        for (const message of res.warnings) warnings.push({ path: p, message });
      } catch (err) {
        metaErrors.push({ path: p, message: (err as Error).message });
      }
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return { bytes, blobErrors, fileErrors, metaErrors, warnings };
}
