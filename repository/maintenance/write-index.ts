/**
 * Writes index files covering the given packs, at most restic's blobs per file (50 000 in v1,
 * 150 000 in v2); a pack is never split. The first file lists the superseded index files. With no
 * packs at all one empty index file is written, so the superseded ones can still be named.
 */
import { encodeIndexJSON, type IndexPack } from '../format/index.ts';
import type { Repository } from '../repo/repository.ts';

export async function writeIndexFiles(repo: Repository, packs: readonly IndexPack[], supersedes: readonly string[]): Promise<string[]> {
  const max = repo.version === 2 ? 150_000 : 50_000;
  const files: IndexPack[][] = [[]];
  let count = 0;
  for (const p of packs) {
    if (count > 0 && count + p.blobs.length > max) {
      files.push([]);
      count = 0;
    }
    files.at(-1)!.push(p);
    count += p.blobs.length;
  }
  const ids: string[] = [];
  for (const [i, f] of files.entries()) {
    const json = encodeIndexJSON({ ...(i === 0 ? { supersedes: [...supersedes] } : {}), packs: f });
    ids.push(await repo.saveUnpacked('index', json));
  }
  return ids;
}
