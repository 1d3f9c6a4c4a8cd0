/**
 * Restore: recreates a snapshot (or sub-paths of it) under a target directory.
 *
 * The plan (plan.ts) reads every tree first. Directories, symlinks and special files are created
 * next. Content is then fetched pack by pack, several jobs at once (restore-jobs.ts); a worker
 * thread decrypts and hash-verifies each blob once and writes it to every file and offset that
 * needs it. A file written by a single job (nearly every small file; empty files get jobs of
 * their own) is created, written and given its metadata by that job on the worker, whatever was
 * in the way removed first. Files several jobs write (large ones) are created here beforehand,
 * truncated to their size so all-zero regions stay holes, and get their metadata once those jobs
 * are done; then hardlinks, symlinks and special files, and directories last, deepest first, so
 * restored times stick. A damaged blob becomes a warning naming the files it affects; the rest
 * restores.
 */
import { closeSync, constants, ftruncateSync, openSync } from 'node:fs';
import { link, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { applyMetadata, createSpecial } from '../fs/index.ts';
import { applyFileMetadataSync, type FileMetadata } from '../fs/apply-metadata.ts';
import type { Node } from '../tree/index.ts';
import { SkiffError } from '../errors/errors.ts';
import { OVERHEAD } from '../crypto/index.ts';
import type { Repository } from '../repo/repository.ts';
import { includeFilter, planRestore, type RestorePlan } from './plan.ts';
import { planJobs, type JobSpec } from './restore-jobs.ts';
import { clearPath, clearPathSync, ensureDir } from './safe-path.ts';
import { runSpread } from './spread.ts';

export { nonZeroSegments } from '../workers/index.ts';

export interface RestoreOptions {
  readonly target: string;
  /** snapshot paths to restore (with their ancestors); default: everything */
  readonly include?: readonly string[];
  /** leave all-zero blobs as holes (default true) */
  readonly sparse?: boolean;
  readonly packConcurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { bytesDone: number; totalBytes: number }) => void;
}

export interface RestoreResult {
  readonly files: number;
  readonly dirs: number;
  readonly bytes: number;
  readonly warnings: readonly { path: string; message: string }[];
}

type Warnings = { path: string; message: string }[];

const CREATE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;
/** metadata calls (chown, chmod, times, xattrs) in flight at once */
const METADATA_CONCURRENCY = 32;

export async function restoreTree(repo: Repository, treeId: string, opts: RestoreOptions): Promise<RestoreResult> {
  const target = Buffer.from(path.resolve(opts.target));
  await mkdir(target, { recursive: true, mode: 0o700 });
  const plan = await planRestore(repo, treeId, target, includeFilter(opts.include ?? []));
  const { files } = plan;
  const warnings = [...plan.warnings];
  const isRoot = process.getuid?.() === 0;
  const abort = () => {
    if (opts.signal?.aborted) throw new SkiffError('Cancelled', 'restore cancelled');
  };

  for (const d of plan.dirs) await ensureDir(d.path);
  for (const o of plan.others) {
    abort();
    await clearPath(o.path);
    try {
      if (o.node.type === 'symlink') await symlink(o.node.linktarget ?? Buffer.alloc(0), o.path);
      else if (o.node.type !== 'socket') await createSpecial(o.path, o.node);
    } catch (err) {
      warnings.push({ path: o.path.toString(), message: (err as Error).message });
    }
  }

  const { jobs, jobsPerFile } = planJobs(plan.packs.values(), files.length, (f) => files.linkTo(f) >= 0);
  plan.packs.clear();
  // files several jobs write are created here (at their size, holes until written); their
  // metadata once all those jobs are done
  const later: number[] = [];
  for (let f = 0; f < files.length; f++) {
    if (jobsPerFile[f]! < 2) continue;
    abort();
    const p = files.path(f);
    clearPathSync(p);
    createFile(p, files.size(f));
    later.push(f);
  }

  let bytesDone = 0;
  const ctx: JobContext = { repo, plan, jobsPerFile, warnings, isRoot, sparse: opts.sparse !== false };
  const dirs = createdDirs(plan, jobs, jobsPerFile);
  await runSpread(
    jobs.map((job, j) => ({ job, dirs: dirs[j]! })),
    (t) => t.dirs,
    opts.packConcurrency ?? Math.max(2, 2 * repo.runner.threads),
    async ({ job }) => {
      abort();
      const n = await runJob(ctx, job); // not `bytesDone += await …`: that reads bytesDone before the await
      bytesDone += n;
      opts.onProgress?.({ bytesDone, totalBytes: plan.totalBytes });
    },
  );

  for (const f of later) applyFileOrWarn(files.path(f), files.meta(f), isRoot, warnings);
  for (let f = 0; f < files.length; f++) {
    const to = files.linkTo(f);
    if (to < 0) continue;
    const p = files.path(f);
    await clearPath(p);
    await link(files.path(to), p);
    applyFileOrWarn(p, files.meta(f), isRoot, warnings);
  }
  await applyAll(plan.others, isRoot, warnings);
  // directories deepest first (a parent made unsearchable must not block its children), each depth at once
  const depths = [...new Set(plan.dirs.map((d) => d.depth))].sort((a, b) => b - a);
  for (const depth of depths) await applyAll(plan.dirs.filter((d) => d.depth === depth), isRoot, warnings);
  return { files: files.length, dirs: plan.dirs.length, bytes: bytesDone, warnings };
}

interface JobContext {
  readonly repo: Repository;
  readonly plan: RestorePlan;
  readonly jobsPerFile: Uint32Array;
  readonly warnings: Warnings;
  readonly isRoot: boolean;
  readonly sparse: boolean;
}

/** Per job, the directories it creates files in (those of the files it owns). */
function createdDirs(plan: RestorePlan, jobs: readonly JobSpec[], jobsPerFile: Uint32Array): number[][] {
  return jobs.map((job) => {
    const dirs = new Set<number>();
    if (!job.pack) for (const f of job.create) dirs.add(plan.files.dir(f));
    else {
      for (const row of job.rows) {
        const f = job.pack.file.get(row);
        if (jobsPerFile[f] === 1) dirs.add(plan.files.dir(f));
      }
    }
    return [...dirs];
  });
}

/** Creates a file of `size` bytes (a hole until written). */
function createFile(p: Buffer, size: number): void {
  const fd = openSync(p, CREATE_FLAGS, 0o600);
  try {
    if (size > 0) ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** What a job sends a worker besides its files: the sealed blobs and where each goes. */
interface Payload {
  readonly buf: ArrayBuffer;
  readonly ranges: Uint32Array;
  readonly ids: Uint8Array;
  readonly ulens: Uint32Array;
  /** per target: blob, path (index into the job's files), offset and length */
  readonly tBlob: Uint32Array;
  readonly tPath: Uint32Array;
  readonly tOffset: Float64Array;
  readonly tLen: Float64Array;
}

/** No blobs (a fresh buffer each time: the job's buffer is moved to the worker). */
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
async function runJob(ctx: JobContext, job: JobSpec): Promise<number> {
  if (!job.pack) return send(ctx, Array.from(job.create), nothing(), () => undefined);
  const { repo, plan, warnings } = ctx;
  const { pack, rows } = job;
  const files = plan.files;
  const offset = (row: number) => pack.offset.get(row);
  const length = (row: number) => pack.length.get(row);
  const base = offset(rows[0]!);
  const last = rows[rows.length - 1]!;
  let range: Buffer | undefined;
  let loadError: string | undefined;
  try {
    range = await repo.io(() => repo.storage.load({ type: 'data', name: pack.packId }, { offset: base, length: offset(last) + length(last) - base }));
  } catch (err) {
    if (err instanceof SkiffError && (err.code === 'Transient' || err.code === 'Auth' || err.code === 'Cancelled')) throw err;
    loadError = `pack ${pack.packId.slice(0, 8)} cannot be read: ${(err as Error).message}`;
  }

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
    if (t === 0 || offset(row) !== offset(rows[t - 1]!)) blobRows.push(row);
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
  if (!range) {
    // nothing to write, but the files this job owns are still created (at their size) and finished
    blobRows.forEach((_, k) => blobFailed(k, loadError!));
    return send(ctx, fileOf, nothing(), damaged);
  }

  const n = blobRows.length;
  const ranges = new Uint32Array(2 * n);
  const ids = new Uint8Array(32 * n);
  const ulens = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const row = blobRows[k]!;
    ranges[2 * k] = offset(row) - base;
    ranges[2 * k + 1] = length(row);
    ids.set(blobId(k), 32 * k);
    ulens[k] = pack.ulen.get(row);
  }
  const tOffset = new Float64Array(rows.length);
  const tLen = new Float64Array(rows.length);
  rows.forEach((row, t) => {
    const plainSize = pack.ulen.get(row) || length(row) - OVERHEAD;
    tOffset[t] = pack.fileOffset.get(row);
    tLen[t] = Math.max(0, Math.min(plainSize, files.size(fileOf[tPath[t]!]!) - tOffset[t]!));
  });
  return send(ctx, fileOf, { buf: ownBuffer(range), ranges, ids, ulens, tBlob, tPath, tOffset, tLen }, damaged);
}

/** Sends the job for files `fileOf` to a worker and turns what it reports into warnings. */
async function send(ctx: JobContext, fileOf: readonly number[], payload: Payload, damaged: (blob: number, why: string) => void): Promise<number> {
  const files = ctx.plan.files;
  const own = Uint8Array.from(fileOf, (f) => (ctx.jobsPerFile[f] === 1 ? 1 : 0));
  const paths = fileOf.map((f) => files.path(f));
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
  const warn = (p: number, message: string) => ctx.warnings.push({ path: paths[p]!.toString(), message });
  for (const e of r.fileErrors) warn(e.path, e.message);
  for (const e of r.metaErrors) warn(e.path, `metadata: ${e.message}`);
  for (const e of r.warnings) warn(e.path, `metadata: ${e.message}`);
  return r.bytes;
}

/** The loaded bytes as an ArrayBuffer of their own, moved to the worker (copied only when the Buffer is a view of a larger one). */
function ownBuffer(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const buf = new ArrayBuffer(b.length);
  new Uint8Array(buf).set(b);
  return buf;
}

function applyFileOrWarn(p: Buffer, meta: FileMetadata, isRoot: boolean, warnings: Warnings): void {
  try {
    const res = applyFileMetadataSync(p, undefined, meta, { isRoot });
    for (const w of res.warnings) warnings.push({ path: p.toString(), message: `metadata: ${w}` });
  } catch (err) {
    warnings.push({ path: p.toString(), message: `metadata: ${(err as Error).message}` });
  }
}

async function applyAll(entries: readonly { path: Buffer; node: Node }[], isRoot: boolean, warnings: Warnings): Promise<void> {
  const limit = pLimit(METADATA_CONCURRENCY);
  const each = await Promise.all(
    entries.map((e) =>
      limit(async () => {
        const w: Warnings = [];
        await applyOrWarn(e.path, e.node, isRoot, w);
        return w;
      }),
    ),
  );
  for (const w of each) warnings.push(...w);
}

async function applyOrWarn(p: Buffer, node: Parameters<typeof applyMetadata>[1], isRoot: boolean, warnings: Warnings): Promise<void> {
  try {
    const res = await applyMetadata(p, node, { isRoot });
    for (const w of res.warnings) warnings.push({ path: p.toString(), message: `metadata: ${w}` });
  } catch (err) {
    warnings.push({ path: p.toString(), message: `metadata: ${(err as Error).message}` });
  }
}
