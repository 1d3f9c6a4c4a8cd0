/**
 * Restore: recreates a snapshot (or sub-paths of it) under a target directory.
 *
 * Files are preallocated to their size (so all-zero blobs can be left as holes), content is
 * fetched pack by pack, each blob decrypted and hash-verified once and written to every file
 * and offset that needs it. Metadata is applied last, directories deepest first, so restored
 * times stick. A damaged blob becomes a warning naming the files it affects; the rest restores.
 */
import { constants } from 'node:fs';
import { link, mkdir, open, symlink } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { applyMetadata, createSpecial } from '../fs/index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { BlobLocation } from '../index/master-index.ts';
import type { Repository } from '../repo/repository.ts';
import { includeFilter, planRestore, type BlobTarget, type RestorePlan } from './plan.ts';
import { clearPath, ensureDir } from './safe-path.ts';

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

const HOLE_BLOCK = 64 * 1024;
const ZEROS = Buffer.alloc(HOLE_BLOCK);
const WRITE_FLAGS = constants.O_WRONLY | constants.O_NOFOLLOW;

export async function restoreTree(repo: Repository, treeId: string, opts: RestoreOptions): Promise<RestoreResult> {
  const target = Buffer.from(path.resolve(opts.target));
  await mkdir(target, { recursive: true, mode: 0o700 });
  const plan = await planRestore(repo, treeId, target, includeFilter(opts.include ?? []));
  const warnings = [...plan.warnings];
  const isRoot = process.getuid?.() === 0;
  const fsLimit = pLimit(16);
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
  await Promise.all(
    plan.files.map((f) =>
      fsLimit(async () => {
        if (f.linkTo) return;
        await clearPath(f.path);
        const fh = await open(f.path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
        try {
          if (f.size > 0) await fh.truncate(f.size);
        } finally {
          await fh.close();
        }
      }),
    ),
  );

  let bytesDone = 0;
  const sparse = opts.sparse !== false;
  const writeBlob = async (plain: Buffer, targets: readonly BlobTarget[]) => {
    for (const t of targets) {
      const f = plan.files[t.file]!;
      const len = Math.min(plain.length, f.size - t.offset);
      const segments = sparse ? nonZeroSegments(plain, len) : [[0, len] as const];
      if (segments.length > 0) {
        const fh = await open(f.path, WRITE_FLAGS);
        try {
          for (const [from, to] of segments) await fh.write(plain, from, to - from, t.offset + from);
        } finally {
          await fh.close();
        }
      }
      bytesDone += len;
    }
    opts.onProgress?.({ bytesDone, totalBytes: plan.totalBytes });
  };

  const byPack = groupByPack(repo, plan, warnings);
  const packLimit = pLimit(opts.packConcurrency ?? Math.max(2, repo.options.connections));
  await Promise.all(
    [...byPack].map(([packId, blobs]) =>
      packLimit(async () => {
        abort();
        await restorePack(repo, packId, blobs, writeBlob, warnings, plan);
      }),
    ),
  );

  for (const f of plan.files) {
    if (!f.linkTo) continue;
    await clearPath(f.path);
    await link(f.linkTo, f.path);
  }
  for (const f of plan.files) await applyOrWarn(f.path, f.node, isRoot, warnings);
  for (const o of plan.others) await applyOrWarn(o.path, o.node, isRoot, warnings);
  const dirs = [...plan.dirs].sort((a, b) => b.depth - a.depth);
  for (const d of dirs) await applyOrWarn(d.path, d.node, isRoot, warnings);
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

async function restorePack(
  repo: Repository,
  packId: string,
  blobs: PackBlob[],
  writeBlob: (plain: Buffer, targets: readonly BlobTarget[]) => Promise<void>,
  warnings: { path: string; message: string }[],
  plan: RestorePlan,
): Promise<void> {
  blobs.sort((a, b) => a.loc.offset - b.loc.offset);
  const start = blobs[0]!.loc.offset;
  const last = blobs.at(-1)!;
  let range: Buffer;
  try {
    range = await repo.io(() => repo.storage.load({ type: 'data', name: packId }, { offset: start, length: last.loc.offset + last.loc.length - start }));
  } catch (err) {
    if (err instanceof SkiffError && (err.code === 'Transient' || err.code === 'Auth' || err.code === 'Cancelled')) throw err;
    for (const b of blobs) fail(b, `pack ${packId.slice(0, 8)} cannot be read: ${(err as Error).message}`);
    return;
  }
  for (const b of blobs) {
    let plain: Buffer;
    try {
      plain = repo.decryptBlob(range.subarray(b.loc.offset - start, b.loc.offset - start + b.loc.length), b.id, b.loc);
    } catch (err) {
      fail(b, (err as Error).message);
      continue;
    }
    await writeBlob(plain, b.targets);
  }

  function fail(b: PackBlob, message: string): void {
    for (const t of b.targets) warnings.push({ path: plan.files[t.file]!.path.toString(), message });
  }
}

async function applyOrWarn(p: Buffer, node: Parameters<typeof applyMetadata>[1], isRoot: boolean, warnings: { path: string; message: string }[]): Promise<void> {
  try {
    const res = await applyMetadata(p, node, { isRoot });
    for (const w of res.warnings) warnings.push({ path: p.toString(), message: `metadata: ${w}` });
  } catch (err) {
    warnings.push({ path: p.toString(), message: `metadata: ${(err as Error).message}` });
  }
}

/**
 * The [from, to) ranges of `buf[0, len)` that are not all zeros, in 64 KiB blocks: the files are
 * preallocated by truncate, so skipped blocks stay holes and read back as zeros.
 */
export function nonZeroSegments(buf: Buffer, len: number): (readonly [number, number])[] {
  const out: [number, number][] = [];
  for (let from = 0; from < len; from += HOLE_BLOCK) {
    const to = Math.min(len, from + HOLE_BLOCK);
    if (buf.compare(ZEROS, 0, to - from, from, to) === 0) continue;
    const last = out.at(-1);
    if (last && last[1] === from) last[1] = to;
    else out.push([from, to]);
  }
  return out;
}
