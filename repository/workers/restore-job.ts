/**
 * The restore job on a worker thread: open and verify each blob, then write it with pwrite into
 * every file and offset that needs it. The first job to touch a file creates it (O_EXCL) and
 * truncates it to its size, so an all-zero region may be skipped (the hole reads as zeros); later
 * jobs open it. Creating on the workers spreads the filesystem's per-file cost over threads.
 * With `sparse`, 64 KiB blocks of zeros inside a blob are skipped the same way. Descriptors are
 * opened once per file per job (O_WRONLY | O_NOFOLLOW) and closed at its end.
 */
import { closeSync, constants, ftruncateSync, openSync, writeSync } from 'node:fs';
import { keyOf } from './job-keys.ts';
import { openVerified } from './open-blob.ts';
import type { RestoreJob, RestoreResult } from './protocol.ts';

const CREATE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;
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

export function restoreBlobs(job: RestoreJob): RestoreResult {
  const key = keyOf(job.key);
  const n = job.ranges.length / 2;
  const blobErrors: (string | null)[] = [];
  const fileErrors: { path: number; message: string }[] = [];
  const failed = new Set<number>();
  const fds = new Map<number, number>();
  const created: number[] = [];
  const fdOf = (p: number): number => {
    let fd = fds.get(p);
    if (fd !== undefined) return fd;
    const raw = job.paths[p]!;
    const path = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    try {
      fd = openSync(path, CREATE, 0o600);
      fds.set(p, fd);
      created.push(p);
      if (job.sizes[p]! > 0) ftruncateSync(fd, job.sizes[p]!);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || fd !== undefined) throw err;
      fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
      fds.set(p, fd);
    }
    return fd;
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
          for (const [from, to] of segs) {
            let done = from;
            while (done < to) done += writeSync(fd, plain, done, to - done, job.tOffset[t]! + done);
          }
          bytes += len;
        } catch (err) {
          failed.add(p);
          fileErrors.push({ path: p, message: (err as Error).message });
        }
      }
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return { buf: job.buf, bytes, blobErrors, fileErrors, created };
}
