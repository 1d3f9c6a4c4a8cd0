/**
 * A repository where a forgotten snapshot leaves every kind of pack behind: one only it used
 * (deleted by prune), one it shares with a kept snapshot (repacked), fully used ones (kept) and
 * its own tree pack. Data is pseudo-random from fixed seeds, so the layout is the same every run.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { backup, decodeTree, initRepository, type Repository, type Storage } from '../../repository/index.ts';
import type { IndexBlob } from '../../repository/format/index.ts';

export const PASSWORD = 'prune-test-pw';
export const KDF = { N: 1024, r: 8, p: 1 };
export const MiB = 1024 * 1024;

export function pseudoRandom(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

export interface Scenario {
  readonly repo: Repository;
  /** source directories of the snapshots that stay, by snapshot ID */
  readonly kept: Map<string, string>;
  readonly forgotten: string;
}

/** Three backups: A = gone.bin + keep.bin (to forget), B = keep.bin + new.bin, C = B + a small subtree. */
export async function makeScenario(storage: Storage, work: string, opts: { version?: 1 | 2 } = {}): Promise<Scenario> {
  const keep = pseudoRandom('keep', 6 * MiB);
  const dirs = { a: path.join(work, 'src-a'), b: path.join(work, 'src-b'), c: path.join(work, 'src-c') };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
  await writeFile(path.join(dirs.a, 'gone.bin'), pseudoRandom('gone', 6 * MiB));
  await writeFile(path.join(dirs.a, 'keep.bin'), keep);
  for (const d of [dirs.b, dirs.c]) {
    await writeFile(path.join(d, 'keep.bin'), keep);
    await writeFile(path.join(d, 'new.bin'), pseudoRandom('new', 3 * MiB));
  }
  await mkdir(path.join(dirs.c, 'sub'));
  await writeFile(path.join(dirs.c, 'sub', 'small.txt'), 'small file\n'.repeat(100));
  await writeFile(path.join(dirs.c, 'sub', 'other.bin'), pseudoRandom('other', 300 * 1024));

  const repo = await initRepository(storage, PASSWORD, { kdf: KDF, packSize: 4 * MiB, ...(opts.version ? { version: opts.version } : {}) });
  const snap = async (dir: string) => (await backup(repo, { paths: ['.'], cwd: dir, fileConcurrency: 1 })).snapshotId;
  const forgotten = await snap(dirs.a);
  const kept = new Map([[await snap(dirs.b), dirs.b], [await snap(dirs.c), dirs.c]]);
  return { repo, kept, forgotten };
}

/** Every blob the given trees reach (tree and data), as hex IDs: an independent walker. */
export async function reachable(repo: Repository, roots: readonly string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const walk = async (tree: string): Promise<void> => {
    if (seen.has(tree)) return;
    seen.add(tree);
    for (const n of decodeTree(await repo.loadBlob('tree', Buffer.from(tree, 'hex')))) {
      if (n.type === 'dir' && n.subtree) await walk(n.subtree);
      for (const c of n.content ?? []) seen.add(c);
    }
  };
  for (const r of roots) await walk(r);
  return seen;
}

/** pack ID → its blobs, from all index files now in the repository. */
export async function indexListing(repo: Repository): Promise<Map<string, IndexBlob[]>> {
  const packs = new Map<string, IndexBlob[]>();
  for (const f of await repo.listIds('index')) {
    for (const p of (await repo.loadIndexFile(f.name)).packs) packs.set(p.id, [...(packs.get(p.id) ?? []), ...p.blobs]);
  }
  return packs;
}

/** Splits packs by how many of their blobs are in `used`. */
export function classify(packs: Map<string, IndexBlob[]>, used: Set<string>): { full: string[]; partly: string[]; unused: string[] } {
  const out = { full: [] as string[], partly: [] as string[], unused: [] as string[] };
  for (const [id, blobs] of packs) {
    const n = blobs.filter((b) => used.has(b.id)).length;
    (n === blobs.length ? out.full : n === 0 ? out.unused : out.partly).push(id);
  }
  for (const l of Object.values(out)) l.sort();
  return out;
}
