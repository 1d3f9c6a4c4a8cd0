/** `stats`: restore size of snapshots, and raw data held by the repository. */
import { decodeTree } from '../tree/index.ts';
import type { Repository } from '../repo/repository.ts';
import type { SnapshotEntry } from '../snapshot/snapshots.ts';

export interface RepoStats {
  readonly snapshots: number;
  /** files and bytes a full restore of these snapshots writes */
  readonly restoreFiles: number;
  readonly restoreBytes: number;
  /** unique data referenced by these snapshots, before and after compression */
  readonly uniqueBlobs: number;
  readonly rawBytes: number;
  readonly storedBytes: number;
  /** index-wide counts */
  readonly dataBlobs: number;
  readonly treeBlobs: number;
  readonly packs: number;
  readonly compressionRatio: number;
}

export async function stats(repo: Repository, snaps: readonly SnapshotEntry[]): Promise<RepoStats> {
  let restoreFiles = 0;
  let restoreBytes = 0;
  const seenTrees = new Set<string>();
  const seenBlobs = new Set<string>();
  let rawBytes = 0;
  let storedBytes = 0;
  const walk = async (treeId: string, countFiles: boolean): Promise<void> => {
    const first = !seenTrees.has(treeId);
    seenTrees.add(treeId);
    if (!first && !countFiles) return;
    for (const n of decodeTree(await repo.loadBlob('tree', Buffer.from(treeId, 'hex')))) {
      if (n.type === 'dir' && n.subtree) await walk(n.subtree, countFiles);
      if (n.type !== 'file') continue;
      if (countFiles) {
        restoreFiles++;
        restoreBytes += Number(n.size ?? 0n);
      }
      for (const id of n.content ?? []) {
        if (seenBlobs.has(id)) continue;
        seenBlobs.add(id);
        const loc = repo.index.get(Buffer.from(id, 'hex'));
        if (!loc) continue;
        rawBytes += loc.uncompressedLength || loc.length - 32;
        storedBytes += loc.length;
      }
    }
  };
  for (const s of snaps) await walk(s.snapshot.tree, true);
  let dataBlobs = 0;
  let treeBlobs = 0;
  for (const e of repo.index.entries()) {
    if (e.loc.type === 'data') dataBlobs++;
    else treeBlobs++;
  }
  return {
    snapshots: snaps.length,
    restoreFiles,
    restoreBytes,
    uniqueBlobs: seenBlobs.size,
    rawBytes,
    storedBytes,
    dataBlobs,
    treeBlobs,
    packs: repo.index.packCount,
    compressionRatio: storedBytes > 0 ? rawBytes / storedBytes : 1,
  };
}
