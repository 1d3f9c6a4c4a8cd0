/**
 * Prune's decisions, restic 0.18's rules, as a pure function of the index, the stored packs and the
 * used blobs:
 * - a stored pack in no index is deleted (unreferenced);
 * - an indexed pack with no used blob is deleted;
 * - a pack with unused blobs, mixed blob types or (v2) uncompressed trees is a repack candidate;
 *   fully used packs below the small-pack size join them when there are at least 10 such packs;
 * - candidates are taken tree packs first, then small ones, then by unused/used ratio, until the
 *   unused space left is under `maxUnused` (or `maxRepackBytes` is reached).
 * Refuses (`Integrity`) when a needed pack is missing from storage or its size disagrees with
 * the index. On return, used blobs already in a kept pack have BlobSet value 2; those to copy
 * out of repacked packs have value 1.
 */
import { SkiffError } from '../errors/errors.ts';
import type { IndexBlob } from '../format/index.ts';
import { DEFAULT_MAX_UNUSED, maxUnusedBytes, type MaxUnused } from './limits.ts';
import { packUsage, type PackUsage } from './pack-usage.ts';
import type { UsedBlobs } from './used-blobs.ts';

export interface PlanOptions {
  /** default 5% */
  readonly maxUnused?: MaxUnused;
  /** stop choosing packs to repack at this many bytes; default unlimited */
  readonly maxRepackBytes?: number;
  /** treat packs below 80% of the target pack size as small (default: below 4%) */
  readonly repackSmall?: boolean;
  /** (v2) repack packs holding uncompressed data blobs, so they get compressed */
  readonly repackUncompressed?: boolean;
}

export interface PlanInput {
  /** every indexed pack and its blobs */
  readonly packs: ReadonlyMap<string, readonly IndexBlob[]>;
  /** every stored pack and its size */
  readonly stored: ReadonlyMap<string, number>;
  readonly used: UsedBlobs;
  readonly version: 1 | 2;
  /** the repository's target pack size */
  readonly packSize: number;
}

export interface PruneStats {
  readonly blobs: { used: number; duplicate: number; unused: number; remove: number; repack: number; repackrm: number };
  readonly size: { used: number; duplicate: number; unused: number; remove: number; repack: number; repackrm: number; unref: number; uncompressed: number };
  readonly packs: { used: number; unused: number; partlyUsed: number; unref: number; keep: number; repack: number; remove: number };
}

export interface PrunePlan {
  readonly stats: PruneStats;
  /** indexed packs that stay as they are */
  readonly keep: string[];
  readonly repack: string[];
  /** indexed packs with nothing used */
  readonly remove: string[];
  /** stored packs in no index */
  readonly unreferenced: string[];
  /** indexed but not stored, and not needed: dropped from the index */
  readonly forgetMissing: string[];
}

interface Candidate extends PackUsage {
  readonly id: string;
  readonly mustCompress: boolean;
}

export function planPrune(input: PlanInput, opts: PlanOptions = {}): PrunePlan {
  const { usage, totals } = packUsage(input.packs, input.used);
  const stats: PruneStats = {
    blobs: { ...totals.blobs, remove: 0, repack: 0, repackrm: 0 },
    size: { ...totals.size, remove: 0, repack: 0, repackrm: 0, unref: 0, uncompressed: 0 },
    packs: { used: 0, unused: 0, partlyUsed: 0, unref: 0, keep: 0, repack: 0, remove: 0 },
  };
  const plan: PrunePlan = { stats, keep: [], repack: [], remove: [], unreferenced: [], forgetMissing: [] };
  const target = opts.repackSmall ? Math.floor(input.packSize / 5) * 4 : Math.floor(input.packSize / 25);
  const candidates: Candidate[] = [];
  const small: Candidate[] = [];

  for (const [id, size] of input.stored) {
    const p = usage.get(id);
    if (!p) {
      plan.unreferenced.push(id);
      stats.size.unref += size;
      continue;
    }
    usage.delete(id);
    if (p.usedSize + p.unusedSize !== size && p.usedBlobs > 0) {
      throw new SkiffError(
        'Integrity',
        `pack ${id.slice(0, 8)} is ${size} bytes but the index says ${p.usedSize + p.unusedSize}: prune refuses to run; run \`skiff repo check --read-data\``,
      );
    }
    if (p.usedBlobs === 0) stats.packs.unused++;
    else if (p.unusedBlobs === 0) stats.packs.used++;
    else stats.packs.partlyUsed++;
    if (p.uncompressed) stats.size.uncompressed += p.usedSize + p.unusedSize;
    const mustCompress = input.version >= 2 && (p.type === 'tree' || Boolean(opts.repackUncompressed)) && p.uncompressed;
    if (p.usedBlobs === 0) {
      plan.remove.push(id);
      stats.blobs.remove += p.unusedBlobs;
      stats.size.remove += p.unusedSize;
    } else if (p.unusedBlobs === 0 && p.type !== 'mixed' && !mustCompress) {
      if (size >= target) plan.keep.push(id);
      else small.push({ ...p, id, mustCompress });
    } else {
      candidates.push({ ...p, id, mustCompress });
    }
  }

  const missingNeeded: string[] = [];
  for (const [id, p] of usage) {
    if (p.usedBlobs > 0) {
      missingNeeded.push(id);
      continue;
    }
    plan.forgetMissing.push(id);
    stats.blobs.remove += p.unusedBlobs;
    stats.size.remove += p.unusedSize;
  }
  if (missingNeeded.length > 0) {
    throw new SkiffError(
      'Integrity',
      `${missingNeeded.length} pack(s) holding used data are missing from storage (${missingNeeded.slice(0, 3).map((id) => id.slice(0, 8)).join(', ')}): prune refuses to run`,
    );
  }

  if (small.length < 10) plan.keep.push(...small.map((p) => p.id));
  else candidates.push(...small);
  chooseRepacks(candidates, target, plan, opts);

  stats.packs.unref = plan.unreferenced.length;
  stats.packs.repack = plan.repack.length;
  stats.packs.remove = plan.remove.length;
  stats.packs.keep = plan.keep.length;
  if (input.version < 2) stats.size.uncompressed = 0;
  markKept(input, plan.keep);
  return plan;
}

function chooseRepacks(candidates: Candidate[], target: number, plan: PrunePlan, opts: PlanOptions): void {
  const { stats } = plan;
  const total = (p: PackUsage) => p.usedSize + p.unusedSize;
  candidates.sort((a, b) => {
    const ad = a.type === 'data';
    const bd = b.type === 'data';
    if (ad !== bd) return ad ? 1 : -1;
    const as = total(a) < target;
    const bs = total(b) < target;
    if (as !== bs) return as ? -1 : 1;
    const diff = b.unusedSize * a.usedSize - a.unusedSize * b.usedSize;
    return diff !== 0 ? diff : a.id < b.id ? -1 : 1;
  });
  const maxUnusedAfter = maxUnusedBytes(opts.maxUnused ?? DEFAULT_MAX_UNUSED, stats.size.used);
  const maxRepack = opts.maxRepackBytes ?? Number.POSITIVE_INFINITY;
  for (const p of candidates) {
    const remainingUnused = stats.size.duplicate + stats.size.unused - stats.size.remove - stats.size.repackrm;
    const reachedUnused = remainingUnused < maxUnusedAfter;
    const reachedRepack = stats.size.repack + total(p) >= maxRepack;
    if (reachedRepack || (p.type === 'data' && !p.mustCompress && reachedUnused && total(p) >= target)) {
      plan.keep.push(p.id);
      continue;
    }
    plan.repack.push(p.id);
    stats.blobs.repack += p.usedBlobs + p.unusedBlobs;
    stats.size.repack += total(p);
    stats.blobs.repackrm += p.unusedBlobs;
    stats.size.repackrm += p.unusedSize;
    if (p.uncompressed) stats.size.uncompressed -= total(p);
  }
}

/** Used blobs with a copy in a kept pack need no repacking: value 2. */
function markKept(input: PlanInput, keep: readonly string[]): void {
  for (const id of keep) {
    for (const b of input.packs.get(id) ?? []) {
      const set = b.type === 'tree' ? input.used.tree : input.used.data;
      const key = Buffer.from(b.id, 'hex');
      if (set.get(key) === 1) set.set(key, 2);
    }
  }
}

/** Restic's summary lines: totals before, what goes, what remains. */
export function summarize(s: PruneStats): {
  totalBlobs: number;
  totalSize: number;
  unusedSize: number;
  pruneBlobs: number;
  pruneSize: number;
  remainingBlobs: number;
  remainingSize: number;
  unusedAfter: number;
} {
  const totalBlobs = s.blobs.used + s.blobs.unused + s.blobs.duplicate;
  const totalSize = s.size.used + s.size.duplicate + s.size.unused + s.size.unref;
  const unusedSize = s.size.duplicate + s.size.unused;
  const pruneBlobs = s.blobs.remove + s.blobs.repackrm;
  const pruneSize = s.size.remove + s.size.repackrm + s.size.unref;
  return {
    totalBlobs,
    totalSize,
    unusedSize,
    pruneBlobs,
    pruneSize,
    remainingBlobs: totalBlobs - pruneBlobs,
    remainingSize: totalSize - pruneSize,
    unusedAfter: unusedSize - s.size.remove - s.size.repackrm,
  };
}
