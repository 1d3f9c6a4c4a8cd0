/**
 * One restore job on a worker thread: the job's blobs, already read (read-ahead.ts), are opened,
 * verified and written to their files there (workers/restore-job.ts); what the worker reports
 * becomes warnings naming the files. A pack that could not be read (other than Transient, Auth
 * or Cancelled, which end the restore) is a warning for every file of the job; the files the job
 * owns are still created at their size and finished.
 */
import type { FileMetadata } from '../fs/apply-metadata.ts';
import { OVERHEAD } from '../crypto/index.ts';
import type { Repository } from '../repo/repository.ts';
import type { RestorePlan } from './plan.ts';
import type { JobSpec } from './restore-jobs.ts';

export interface JobContext {
  readonly repo: Repository;
  readonly plan: RestorePlan;
  readonly jobsPerFile: Uint32Array;
  readonly warnings: { path: string; message: string }[];
  readonly isRoot: boolean;
  readonly sparse: boolean;
}

/** What a read produced for the jobs of its group: the bytes from pack offset `base` on, or why there are none. */
export type ReadBytes = { readonly buf: SharedArrayBuffer; readonly base: number } | { readonly error: string };

/** What a job sends a worker besides its files: the sealed blobs and where each goes. */
interface Payload {
  readonly buf: ArrayBuffer | SharedArrayBuffer;
  readonly ranges: Uint32Array;
  readonly ids: Uint8Array;
  readonly ulens: Uint32Array;
  /** per target: blob, path (index into the job's files), offset and length */
  readonly tBlob: Uint32Array;
  readonly tPath: Uint32Array;
  readonly tOffset: Float64Array;
  readonly tLen: Float64Array;
}

const nothing = (): Payload => ({
  buf: new ArrayBuffer(0),
  ranges: new Uint32Array(0),
  ids: new Uint8Array(0),
  ulens: new Uint32Array(0),
  tBlob: new Uint32Array(0),
  tPath: new Uint32Array(0),
  tOffset: new Float64Array(0),
  tLen: new Float64Array(0),
});

/** Runs one job on a worker; returns bytes restored. */
export async function runJob(ctx: JobContext, job: JobSpec, read: ReadBytes): Promise<number> {
  if (!job.pack) return send(ctx, Array.from(job.create), nothing(), () => undefined);
  const { plan, warnings } = ctx;
  const { pack, rows } = job;
  const files = plan.files;

  // the job's files, each once, and its blobs: runs of rows with the same offset
  const pathNo = new Map<number, number>();
  const fileOf: number[] = [];
  const tPath = new Uint32Array(rows.length);
  const blobRows: number[] = [];
  const tBlob = new Uint32Array(rows.length);
  rows.forEach((row, t) => {
    const f = pack.file.get(row);
    let p = pathNo.get(f);
    if (p === undefined) {
      p = fileOf.push(f) - 1;
      pathNo.set(f, p);
    }
    tPath[t] = p;
    if (t === 0 || pack.offset.get(row) !== pack.offset.get(rows[t - 1]!)) blobRows.push(row);
    tBlob[t] = blobRows.length - 1;
  });
  const blobId = (k: number) => pack.ids.view(32 * blobRows[k]!, 32);
  const blobFailed = (k: number, message: string) => {
    rows.forEach((_, t) => {
      if (tBlob[t] === k) warnings.push({ path: files.path(fileOf[tPath[t]!]!).toString(), message });
    });
  };
  const damaged = (k: number, why: string) =>
    blobFailed(k, `data blob ${blobId(k).toString('hex').slice(0, 8)} in pack ${pack.packId.slice(0, 8)} is damaged: ${why}`);
  if ('error' in read) {
    // nothing to write, but the files this job owns are still created (at their size) and finished
    blobRows.forEach((_, k) => blobFailed(k, read.error));
    return send(ctx, fileOf, nothing(), damaged);
  }

  const n = blobRows.length;
  const ranges = new Uint32Array(2 * n);
  const ids = new Uint8Array(32 * n);
  const ulens = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const row = blobRows[k]!;
    ranges[2 * k] = pack.offset.get(row) - read.base;
    ranges[2 * k + 1] = pack.length.get(row);
    ids.set(blobId(k), 32 * k);
    ulens[k] = pack.ulen.get(row);
  }
  const tOffset = new Float64Array(rows.length);
  const tLen = new Float64Array(rows.length);
  rows.forEach((row, t) => {
    const plainSize = pack.ulen.get(row) || pack.length.get(row) - OVERHEAD;
    tOffset[t] = pack.fileOffset.get(row);
    tLen[t] = Math.max(0, Math.min(plainSize, files.size(fileOf[tPath[t]!]!) - tOffset[t]!));
  });
  return send(ctx, fileOf, { buf: read.buf, ranges, ids, ulens, tBlob, tPath, tOffset, tLen }, damaged);
}

/** Sends the job for files `fileOf` to a worker and turns what it reports into warnings. */
async function send(ctx: JobContext, fileOf: readonly number[], payload: Payload, damaged: (blob: number, why: string) => void): Promise<number> {
  const files = ctx.plan.files;
  const own = Uint8Array.from(fileOf, (f) => (ctx.jobsPerFile[f] === 1 ? 1 : 0));
  const paths = files.paths(fileOf);
  const r = await ctx.repo.runner.run({
    op: 'restore',
    ...payload,
    key: ctx.repo.rawKey,
    paths,
    sizes: Float64Array.from(fileOf, (f) => files.size(f)),
    own,
    meta: fileOf.map((f, p): FileMetadata | null => (own[p] ? files.meta(f) : null)),
    isRoot: ctx.isRoot,
    sparse: ctx.sparse,
  });
  r.blobErrors.forEach((why, k) => {
    if (why) damaged(k, why);
  });
  const warn = (p: number, message: string) => ctx.warnings.push({ path: files.path(fileOf[p]!).toString(), message });
  for (const e of r.fileErrors) warn(e.path, e.message);
  for (const e of r.metaErrors) warn(e.path, `metadata: ${e.message}`);
  for (const e of r.warnings) warn(e.path, `metadata: ${e.message}`);
  return r.bytes;
}
