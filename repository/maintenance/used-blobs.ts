/**
 * The blobs that snapshots need: every tree reachable from their roots and every data blob those
 * trees list. Each tree is loaded (and hash-verified) once however many snapshots share it; at most
 * `connections` loads are in flight. A tree that cannot be loaded fails the walk, so a caller never
 * decides what is unused from an incomplete picture.
 */
import { decodeTree } from '../tree/index.ts';
import type { Repository } from '../repo/repository.ts';
import { BlobSet } from './blob-set.ts';

export interface UsedBlobs {
  readonly data: BlobSet;
  readonly tree: BlobSet;
}

export async function findUsedBlobs(
  repo: Repository,
  roots: readonly string[],
  onProgress?: (treesDone: number, treesFound: number) => void,
): Promise<UsedBlobs> {
  const used: UsedBlobs = { data: new BlobSet(), tree: new BlobSet() };
  const queue: Buffer[] = [];
  const enqueue = (hex: string) => {
    const id = Buffer.from(hex, 'hex');
    if (used.tree.add(id)) queue.push(id);
  };
  roots.forEach(enqueue);
  const limit = Math.max(1, repo.options.connections);
  let active = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const visit = (plain: Buffer) => {
      for (const n of decodeTree(plain)) {
        if (n.type === 'dir' && n.subtree) enqueue(n.subtree);
        else if (n.type === 'file') for (const c of n.content ?? []) used.data.add(Buffer.from(c, 'hex'));
      }
    };
    const finished = () => {
      active--;
      onProgress?.(++done, used.tree.size);
      pump();
    };
    const fail = (err: unknown) => {
      failed = true;
      reject(err);
    };
    const pump = () => {
      while (!failed && active < limit && queue.length > 0) {
        const id = queue.pop()!;
        active++;
        repo.loadBlob('tree', id).then(visit).then(finished, fail);
      }
      if (!failed && active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  return used;
}
