/**
 * Copies the still-needed blobs out of packs that prune rewrites. Each blob is decrypted and
 * hash-verified on the way (a damaged used blob stops the repack with `Integrity` before anything
 * is deleted), then stored again through a second `Repository` that shares the storage and key but
 * starts with an empty index, so the copy is written even though the old pack still holds it.
 *
 * The new packs are durable and indexed (in index files of their own) when this returns.
 */
import type { IndexBlob, IndexPack } from '../format/index.ts';
import { SkiffError } from '../errors/errors.ts';
import { Repository } from '../repo/repository.ts';
import { forEachBounded } from './bounded.ts';
import type { UsedBlobs } from './used-blobs.ts';

export interface RepackResult {
  /** the new packs and their blobs, for the index prune writes */
  readonly packs: IndexPack[];
  /** index files written for the new packs (prune supersedes them) */
  readonly indexFiles: string[];
  readonly blobs: number;
}

/** Packs read at once; each is held in memory whole while its blobs are copied. */
const PACKS_IN_FLIGHT = 2;

export async function repackPacks(
  repo: Repository,
  packIds: readonly string[],
  listing: ReadonlyMap<string, readonly IndexBlob[]>,
  used: UsedBlobs,
  onPack?: (done: number, total: number) => void,
): Promise<RepackResult> {
  const out = new Repository({ storage: repo.storage, config: repo.config, key: repo.key, keyId: repo.keyId, options: repo.options });
  let done = 0;
  let copied = 0;
  await forEachBounded(packIds, PACKS_IN_FLIGHT, async (packId) => {
    const n = await copyPack(repo, out, packId, listing.get(packId) ?? [], used); // concurrent: never `copied += await …`
    copied += n;
    onPack?.(++done, packIds.length);
  });
  await out.flush();
  assertAllCopied(used);
  return { packs: packsOf(out), indexFiles: [...out.loadedIndexFiles()], blobs: copied };
}

/** Copies the blobs of one pack that still have value 1 (needed, no copy kept), marking them 2. */
async function copyPack(repo: Repository, out: Repository, packId: string, blobs: readonly IndexBlob[], used: UsedBlobs): Promise<number> {
  const setOf = (b: IndexBlob) => (b.type === 'tree' ? used.tree : used.data);
  const wanted = blobs.filter((b) => setOf(b).get(Buffer.from(b.id, 'hex')) === 1).sort((x, y) => x.offset - y.offset);
  if (wanted.length === 0) return 0;
  const bytes = await repo.io(() => repo.storage.load({ type: 'data', name: packId }));
  let copied = 0;
  for (const b of wanted) {
    const id = Buffer.from(b.id, 'hex');
    if (setOf(b).get(id) !== 1) continue; // copied from another pack meanwhile
    setOf(b).set(id, 2);
    const loc = { packId, type: b.type, offset: b.offset, length: b.length, uncompressedLength: b.uncompressedLength ?? 0 };
    const plain = repo.decryptBlob(bytes.subarray(b.offset, b.offset + b.length), id, loc);
    await out.saveBlob(b.type, plain, { id });
    copied++;
  }
  return copied;
}

function packsOf(repo: Repository): IndexPack[] {
  const packs = new Map<string, IndexBlob[]>();
  for (const { id, loc } of repo.index.entries()) {
    let list = packs.get(loc.packId);
    if (!list) packs.set(loc.packId, (list = []));
    list.push({
      id: id.toString('hex'),
      type: loc.type,
      offset: loc.offset,
      length: loc.length,
      ...(loc.uncompressedLength ? { uncompressedLength: loc.uncompressedLength } : {}),
    });
  }
  return [...packs].map(([id, blobs]) => ({ id, blobs: blobs.sort((a, b) => a.offset - b.offset) }));
}

function assertAllCopied(used: UsedBlobs): void {
  for (const type of ['tree', 'data'] as const) {
    for (const e of used[type].entries()) {
      if (e.value === 1) {
        throw new SkiffError('Permanent', `internal error: used ${type} blob ${e.id.toString('hex').slice(0, 8)} was not repacked; nothing was deleted`);
      }
    }
  }
}
