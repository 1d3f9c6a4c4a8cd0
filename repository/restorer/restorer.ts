/**
 * Restore: recreates a snapshot (or sub-paths of it) under a target directory.
 *
 * The plan (plan.ts) reads every tree first. Directories, symlinks and special files are created
 * next. Content is then read pack by pack, a few reads ahead of several jobs at once
 * (restore-jobs.ts, read-groups.ts, read-ahead.ts), into reused shared buffers; a worker thread
 * decrypts and hash-verifies each blob once and writes it to every file and offset that needs it. A file written by a single job (nearly every small file; empty files get jobs of
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
import type { Repository } from '../repo/repository.ts';
import { includeFilter, planRestore, type RestorePlan } from './plan.ts';
import { JOB_BYTES, planJobs, type JobSpec } from './restore-jobs.ts';
import { groupReads, jobSpan, type ReadGroup } from './read-groups.ts';
import { runReadAhead } from './read-ahead.ts';
import { runJob, type JobContext, type ReadBytes } from './run-job.ts';
import { clearPath, clearPathSync, ensureDir } from './safe-path.ts';
import { SharedBuffers } from './shared-buffers.ts';
import { loadInto } from '../storage/load-into.ts';

export { nonZeroSegments } from '../workers/index.ts';

export interface RestoreOptions {
  readonly target: string;
  /** snapshot paths to restore (with their ancestors); default: everything */
  readonly include?: readonly string[];
  /** leave all-zero blobs as holes (default true) */
  readonly sparse?: boolean;
  /** jobs on the worker threads at once (default twice the threads) */
  readonly packConcurrency?: number;
  /** reads in flight or held at once: with the read size, the bound on data in flight */
  readonly readAhead?: number;
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
  const limit = opts.packConcurrency ?? Math.max(2, 2 * repo.runner.threads);
  // one job's worth on a local disk; on S3 a whole pack per request (see read-groups.ts)
  const readBytes = Math.max(JOB_BYTES, repo.storage.readBytes ?? 0);
  const buffers = new SharedBuffers(readBytes);
  await runReadAhead({
    groups: groupReads(jobs, readBytes, readBytes / 16),
    jobsOf: (g) => g.jobs,
    keysOf: (j) => dirs[j]!,
    limit,
    ahead: opts.readAhead ?? (readBytes > JOB_BYTES ? repo.runner.threads + 2 : limit + 2),
    read: (g) => readGroup(repo, buffers, g),
    run: async (j, read) => {
      abort();
      const n = await runWithBytes(ctx, buffers, jobs[j]!, read); // not `bytesDone += await …`: that reads bytesDone before the await
      bytesDone += n;
      opts.onProgress?.({ bytesDone, totalBytes: plan.totalBytes });
    },
    done: (_, read) => {
      if ('buf' in read) buffers.give(read.buf);
    },
  });

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

/**
 * Runs a job with its group's bytes; when a read of several jobs failed (a damaged or short pack),
 * the job reads its own range again, so the damage costs only the jobs whose blobs it touches.
 */
async function runWithBytes(ctx: JobContext, buffers: SharedBuffers, job: JobSpec, read: ReadBytes | GroupFailed): Promise<number> {
  if (!('jobs' in read) || !job.pack) return runJob(ctx, job, 'jobs' in read ? { error: read.error } : read);
  const own = await readGroup(ctx.repo, buffers, { packId: job.pack.packId, ...jobSpan(job), jobs: [0] });
  try {
    return await runJob(ctx, job, own);
  } finally {
    if ('buf' in own) buffers.give(own.buf);
  }
}

/** A read of several jobs that failed: each job reads its own range. */
interface GroupFailed {
  readonly jobs: number;
  readonly error: string;
}

/** Reads a group's bytes into a reused shared buffer; a pack that cannot be read (and is not worth retrying) becomes the jobs' warning. */
async function readGroup(repo: Repository, buffers: SharedBuffers, g: ReadGroup): Promise<ReadBytes | GroupFailed> {
  if (g.packId === undefined) return { error: 'nothing to read' };
  const buf = buffers.take(g.end - g.start);
  try {
    await repo.io(() => loadInto(repo.storage, { type: 'data', name: g.packId! }, new Uint8Array(buf, 0, g.end - g.start), { offset: g.start }));
    return { buf, base: g.start };
  } catch (err) {
    buffers.give(buf);
    if (err instanceof SkiffError && (err.code === 'Transient' || err.code === 'Auth' || err.code === 'Cancelled')) throw err;
    const error = `pack ${g.packId.slice(0, 8)} cannot be read: ${(err as Error).message}`;
    return g.jobs.length > 1 ? { jobs: g.jobs.length, error } : { error };
  }
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
