/**
 * How much of each indexed pack is still needed, restic's way. Every used blob ends with exactly one
 * copy counted as used; other copies of it are duplicates and count as unused. Which copy survives:
 * one in a pack that has other used blobs, or in a pack made only of duplicates (an interrupted
 * prune's output), else the last one seen.
 *
 * Throws `Integrity` when a used blob is in no index at all: pruning then could only lose data.
 */
import { SkiffError } from '../errors/errors.ts';
import { headerEntrySize, PACK_FIXED_OVERHEAD, type BlobType, type IndexBlob } from '../format/index.ts';
import type { BlobSet } from './blob-set.ts';
import type { UsedBlobs } from './used-blobs.ts';

export interface PackUsage {
  usedBlobs: number;
  unusedBlobs: number;
  duplicateBlobs: number;
  /** includes the pack header, so usedSize + unusedSize is the pack's file size */
  usedSize: number;
  unusedSize: number;
  type: BlobType | 'mixed' | undefined;
  /** holds at least one blob stored without compression */
  uncompressed: boolean;
}

export interface BlobTotals {
  blobs: { used: number; duplicate: number; unused: number };
  size: { used: number; duplicate: number; unused: number };
}

/** Counts, per used blob, its copies in the index (BlobSet value; 255 saturates), then resolves duplicates to 1. */
export function packUsage(
  packs: ReadonlyMap<string, readonly IndexBlob[]>,
  used: UsedBlobs,
): { usage: Map<string, PackUsage>; totals: BlobTotals } {
  const setOf = (t: BlobType): BlobSet => (t === 'tree' ? used.tree : used.data);
  forEachBlob(packs, (_p, b, id) => {
    const c = setOf(b.type).get(id);
    if (c !== undefined) setOf(b.type).set(id, c + 1);
  });
  assertNoneMissing(used);

  const totals: BlobTotals = { blobs: { used: 0, duplicate: 0, unused: 0 }, size: { used: 0, duplicate: 0, unused: 0 } };
  const usage = new Map<string, PackUsage>();
  let duplicates = false;
  for (const [packId, blobs] of packs) {
    let header = PACK_FIXED_OVERHEAD;
    for (const b of blobs) header += headerEntrySize((b.uncompressedLength ?? 0) > 0);
    usage.set(packId, { usedBlobs: 0, unusedBlobs: 0, duplicateBlobs: 0, usedSize: header, unusedSize: 0, type: undefined, uncompressed: false });
  }
  forEachBlob(packs, (packId, b, id) => {
    const p = usage.get(packId)!;
    p.type = p.type === undefined || p.type === b.type ? b.type : 'mixed';
    if (!b.uncompressedLength) p.uncompressed = true;
    const c = setOf(b.type).get(id) ?? 0;
    const kind = c >= 2 ? 'duplicate' : c === 1 ? 'used' : 'unused';
    if (kind === 'used') {
      p.usedSize += b.length;
      p.usedBlobs++;
    } else {
      p.unusedSize += b.length;
      p.unusedBlobs++;
    }
    if (kind === 'duplicate') {
      p.duplicateBlobs++;
      duplicates = true;
    }
    totals.blobs[kind]++;
    totals.size[kind] += b.length;
  });
  if (duplicates) resolveDuplicates(packs, usage, totals, setOf);
  return { usage, totals };
}

function resolveDuplicates(
  packs: ReadonlyMap<string, readonly IndexBlob[]>,
  usage: Map<string, PackUsage>,
  totals: BlobTotals,
  setOf: (t: BlobType) => BlobSet,
): void {
  forEachBlob(packs, (packId, b, id) => {
    const set = setOf(b.type);
    const c = set.get(id);
    // 1: a single copy, or a duplicate already resolved; 0 here marks "last copy left"
    if (c === undefined || c === 1) return;
    const p = usage.get(packId)!;
    if (p.usedBlobs > 0 || p.duplicateBlobs === p.unusedBlobs || c === 0) {
      p.usedSize += b.length;
      p.usedBlobs++;
      p.unusedSize -= b.length;
      p.unusedBlobs--;
      totals.size.used += b.length;
      totals.blobs.used++;
      totals.size.duplicate -= b.length;
      totals.blobs.duplicate--;
      set.set(id, 1);
    } else {
      set.set(id, c - 1 === 1 ? 0 : c - 1);
    }
  });
}

function assertNoneMissing(used: UsedBlobs): void {
  for (const type of ['tree', 'data'] as const) {
    let missing = 0;
    let example = '';
    for (const e of used[type].entries()) {
      if (e.value !== 0) continue;
      if (missing++ === 0) example = e.id.toString('hex').slice(0, 8);
      if (missing > 1000) break;
    }
    if (missing > 0) {
      throw new SkiffError(
        'Integrity',
        `${missing} ${type} blob(s) used by snapshots are in no index (e.g. ${example}): data is missing, prune refuses to run so no more is lost; run \`skiff repo check\``,
      );
    }
  }
}

function forEachBlob(packs: ReadonlyMap<string, readonly IndexBlob[]>, fn: (packId: string, b: IndexBlob, id: Buffer) => void): void {
  for (const [packId, blobs] of packs) for (const b of blobs) fn(packId, b, Buffer.from(b.id, 'hex'));
}
