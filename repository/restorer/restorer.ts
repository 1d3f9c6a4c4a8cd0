/**
 * Restore: recreates a snapshot (or sub-paths of it) under a target directory.
 *
 * Whatever is in the way of a file is removed first. Content is then fetched pack by pack,
 * several packs at once; a worker thread decrypts and hash-verifies each blob once and writes it
 * to every file and offset that needs it, creating a file (truncated to its size, so all-zero
 * regions stay holes) when it writes its first blob: file creation, slow on some filesystems,
 * runs on the workers too. Files no blob reached (empty ones, or all blobs damaged) are created
 * afterwards. Metadata is applied last, directories deepest first, so restored times stick. A
 * damaged blob becomes a warning naming the files it affects; the rest restores.
 */
import { closeSync, constants, ftruncateSync, openSync } from 'node:fs';
import { link, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { applyMetadata, createSpecial } from '../fs/index.ts';
import type { Node } from '../tree/index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { BlobLocation } from '../index/master-index.ts';
import { OVERHEAD } from '../crypto/index.ts';
import type { Repository } from '../repo/repository.ts';
import { includeFilter, planRestore, type BlobTarget, type RestorePlan } from './plan.ts';
import { clearPath, clearPathSync, ensureDir } from './safe-path.ts';

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

const CREATE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;
/** metadata calls (chown, chmod, times, xattrs) in flight at once */
const METADATA_CONCURRENCY = 32;
/** a pack's blobs go to workers in jobs of at most this many bytes or targets, so small files spread over threads */
const JOB_BYTES = 4 * 1024 * 1024;
const JOB_TARGETS = 256;

export async function restoreTree(repo: Repository, treeId: string, opts: RestoreOptions): Promise<RestoreResult> {
  const target = Buffer.from(path.resolve(opts.target));
  await mkdir(target, { recursive: true, mode: 0o700 });
  const plan = await planRestore(repo, treeId, target, includeFilter(opts.include ?? []));
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
  for (const f of plan.files) {
    if (f.linkTo) continue;
    abort();
    clearPathSync(f.path);
  }

  let bytesDone = 0;
  const ctx: PackContext = { repo, plan, warnings, sparse: opts.sparse !== false, created: new Set() };
  const jobs = [...groupByPack(repo, plan, warnings)].flatMap(([packId, blobs]) => splitPack(blobs).map((g) => ({ packId, g })));
  const limit = pLimit(opts.packConcurrency ?? Math.max(2, 2 * repo.runner.threads));
  await Promise.all(
    jobs.map(({ packId, g }) =>
      limit(async () => {
        abort();
        const n = await restoreGroup(ctx, packId, g); // not `bytesDone += await …`: that reads bytesDone before the await
        bytesDone += n;
        opts.onProgress?.({ bytesDone, totalBytes: plan.totalBytes });
      }),
    ),
  );

  plan.files.forEach((f, i) => {
    if (!f.linkTo && !ctx.created.has(i)) createFile(f.path, f.size);
  });
  for (const f of plan.files) {
    if (!f.linkTo) continue;
    await clearPath(f.path);
    await link(f.linkTo, f.path);
  }
  await applyAll([...plan.files, ...plan.others], isRoot, warnings);
  // directories deepest first (a parent made unsearchable must not block its children), each depth at once
  const depths = [...new Set(plan.dirs.map((d) => d.depth))].sort((a, b) => b - a);
  for (const depth of depths) await applyAll(plan.dirs.filter((d) => d.depth === depth), isRoot, warnings);
  return { files: plan.files.length, dirs: plan.dirs.length, bytes: bytesDone, warnings };
}

interface PackBlob {
  readonly id: Buffer;
  readonly loc: BlobLocation;
  readonly targets: readonly BlobTarget[];
}

function groupByPack(repo: Repository, plan: RestorePlan, warnings: { path: string; message: string }[]): Map<string, PackBlob[]> {
  const byPack = new Map<string, PackBlob[]>();
  for (const [hex, targets] of plan.blobs) {
    const id = Buffer.from(hex, 'hex');
    const loc = repo.index.get(id);
    if (!loc) {
      for (const t of targets) warnings.push({ path: plan.files[t.file]!.path.toString(), message: `data blob ${hex.slice(0, 8)} not in index` });
      continue;
    }
    let list = byPack.get(loc.packId);
    if (!list) byPack.set(loc.packId, (list = []));
    list.push({ id, loc, targets });
  }
  return byPack;
}

interface PackContext {
  readonly repo: Repository;
  readonly plan: RestorePlan;
  readonly warnings: { path: string; message: string }[];
  readonly sparse: boolean;
  /** files (indexes into plan.files) a worker created */
  readonly created: Set<number>;
}

function createFile(p: Buffer, size: number): void {
  const fd = openSync(p, CREATE_FLAGS, 0o600);
  try {
    if (size > 0) ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** The loaded bytes as an ArrayBuffer of their own, moved to the worker (copied only when the Buffer is a view of a larger one). */
function ownBuffer(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const buf = new ArrayBuffer(b.length);
  new Uint8Array(buf).set(b);
  return buf;
}

/** A pack's blobs in offset order, cut into jobs of at most JOB_BYTES or JOB_TARGETS (small files spread over threads). */
function splitPack(blobs: PackBlob[]): PackBlob[][] {
  blobs.sort((a, b) => a.loc.offset - b.loc.offset);
  const groups: PackBlob[][] = [];
  let group: PackBlob[] = [];
  let bytes = 0;
  let targets = 0;
  for (const b of blobs) {
    if (group.length > 0 && (bytes + b.loc.length > JOB_BYTES || targets + b.targets.length > JOB_TARGETS)) {
      groups.push(group);
      group = [];
      bytes = 0;
      targets = 0;
    }
    group.push(b);
    bytes += b.loc.length;
    targets += b.targets.length;
  }
  groups.push(group);
  return groups;
}

/** Loads the span of pack `packId` holding blobs `g`; a worker decrypts, verifies and writes them. Returns bytes restored. */
async function restoreGroup(ctx: PackContext, packId: string, g: PackBlob[]): Promise<number> {
  const { repo, plan, warnings } = ctx;
  const fail = (b: PackBlob, message: string) => {
    for (const t of b.targets) warnings.push({ path: plan.files[t.file]!.path.toString(), message });
  };
  const base = g[0]!.loc.offset;
  const last = g.at(-1)!;
  let range: Buffer;
  try {
    range = await repo.io(() => repo.storage.load({ type: 'data', name: packId }, { offset: base, length: last.loc.offset + last.loc.length - base }));
  } catch (err) {
    if (err instanceof SkiffError && (err.code === 'Transient' || err.code === 'Auth' || err.code === 'Cancelled')) throw err;
    for (const b of g) fail(b, `pack ${packId.slice(0, 8)} cannot be read: ${(err as Error).message}`);
    return 0;
  }
  const paths: Buffer[] = [];
  const files: number[] = [];
  const pathNo = new Map<number, number>();
  const ranges = new Uint32Array(2 * g.length);
  const ids = new Uint8Array(32 * g.length);
  const ulens = new Uint32Array(g.length);
  const t: { blob: number[]; path: number[]; offset: number[]; len: number[] } = { blob: [], path: [], offset: [], len: [] };
  g.forEach((b, k) => {
    ranges[2 * k] = b.loc.offset - base;
    ranges[2 * k + 1] = b.loc.length;
    ids.set(b.id, 32 * k);
    ulens[k] = b.loc.uncompressedLength;
    const plainSize = b.loc.uncompressedLength || b.loc.length - OVERHEAD;
    for (const target of b.targets) {
      let p = pathNo.get(target.file);
      if (p === undefined) {
        p = paths.push(plan.files[target.file]!.path) - 1;
        files.push(target.file);
        pathNo.set(target.file, p);
      }
      t.blob.push(k);
      t.path.push(p);
      t.offset.push(target.offset);
      t.len.push(Math.max(0, Math.min(plainSize, plan.files[target.file]!.size - target.offset)));
    }
  });
  const r = await repo.runner.run({
    op: 'restore',
    buf: ownBuffer(range),
    ranges,
    ids,
    ulens,
    key: repo.rawKey,
    paths,
    sizes: Float64Array.from(files, (f) => plan.files[f]!.size),
    tBlob: Uint32Array.from(t.blob),
    tPath: Uint32Array.from(t.path),
    tOffset: Float64Array.from(t.offset),
    tLen: Float64Array.from(t.len),
    sparse: ctx.sparse,
  });
  g.forEach((b, k) => {
    const why = r.blobErrors[k];
    if (why) fail(b, `${b.loc.type} blob ${b.id.toString('hex').slice(0, 8)} in pack ${packId.slice(0, 8)} is damaged: ${why}`);
  });
  for (const e of r.fileErrors) warnings.push({ path: paths[e.path]!.toString(), message: e.message });
  for (const p of r.created) ctx.created.add(files[p]!);
  return r.bytes;
}

async function applyAll(entries: readonly { path: Buffer; node: Node }[], isRoot: boolean, warnings: { path: string; message: string }[]): Promise<void> {
  const limit = pLimit(METADATA_CONCURRENCY);
  const each = await Promise.all(
    entries.map((e) =>
      limit(async () => {
        const w: { path: string; message: string }[] = [];
        await applyOrWarn(e.path, e.node, isRoot, w);
        return w;
      }),
    ),
  );
  for (const w of each) warnings.push(...w);
}

async function applyOrWarn(p: Buffer, node: Parameters<typeof applyMetadata>[1], isRoot: boolean, warnings: { path: string; message: string }[]): Promise<void> {
  try {
    const res = await applyMetadata(p, node, { isRoot });
    for (const w of res.warnings) warnings.push({ path: p.toString(), message: `metadata: ${w}` });
  } catch (err) {
    warnings.push({ path: p.toString(), message: `metadata: ${(err as Error).message}` });
  }
}
