/**
 * `check`: verifies the repository's structure, and with read-data the contents of packs.
 *
 * It never writes or deletes anything: damaged objects stay where they are as evidence. Every
 * problem names the object (index, pack, blob, snapshot, tree) and, where it matters, the
 * snapshots it affects.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { readPackHeader, type BlobType } from '../format/index.ts';
import { decodeTree } from '../tree/index.ts';
import type { Repository } from '../repo/repository.ts';
import { listSnapshots } from '../snapshot/snapshots.ts';
import { selectSubset, type Subset } from './subset.ts';

export interface CheckProblem {
  readonly kind: 'index' | 'pack' | 'blob' | 'snapshot' | 'tree';
  readonly id: string;
  readonly message: string;
  /** snapshots whose data this problem affects */
  snapshots?: string[];
}

export interface CheckOptions {
  readonly readData?: boolean;
  readonly subset?: Subset;
  readonly onProgress?: (p: { phase: string; done: number; total: number }) => void;
}

export interface CheckResult {
  readonly problems: CheckProblem[];
  readonly hints: string[];
  readonly snapshots: number;
  readonly packs: number;
  readonly packsRead: number;
  readonly blobs: number;
}

interface IndexedBlob {
  readonly id: string;
  readonly type: BlobType;
  readonly offset: number;
  readonly length: number;
  readonly uncompressedLength: number;
}

export async function check(repo: Repository, opts: CheckOptions = {}): Promise<CheckResult> {
  const problems: CheckProblem[] = [];
  const hints: string[] = [];
  const packBlobs = new Map<string, IndexedBlob[]>();

  const indexIds = await repo.listIds('index');
  for (const f of indexIds) {
    try {
      const idx = await repo.loadIndexFile(f.name);
      repo.addIndexFile(f.name, idx);
      for (const p of idx.packs) {
        if (packBlobs.has(p.id)) hints.push(`pack ${p.id.slice(0, 8)} is listed in more than one index`);
        const list = packBlobs.get(p.id) ?? [];
        for (const b of p.blobs) list.push({ id: b.id, type: b.type, offset: b.offset, length: b.length, uncompressedLength: b.uncompressedLength ?? 0 });
        packBlobs.set(p.id, list);
      }
    } catch (err) {
      problems.push({ kind: 'index', id: f.name, message: (err as Error).message });
    }
  }

  const stored = new Map<string, number>();
  for (const f of await repo.listIds('data')) stored.set(f.name, f.size);
  for (const [packId, blobs] of packBlobs) {
    const size = stored.get(packId);
    const expected = 4 + 32 + blobs.reduce((s, b) => s + b.length + (b.uncompressedLength ? 41 : 37), 0);
    if (size === undefined) problems.push({ kind: 'pack', id: packId, message: `pack ${packId.slice(0, 8)} is missing (listed in the index)` });
    else if (size !== expected) problems.push({ kind: 'pack', id: packId, message: `pack ${packId.slice(0, 8)}: unexpected size ${size}, expected ${expected}` });
  }
  for (const id of stored.keys()) if (!packBlobs.has(id)) hints.push(`pack ${id.slice(0, 8)} is not referenced by any index (prune removes it)`);

  const damagedBlobs = new Set<string>();
  for (const p of problems) if (p.kind === 'pack') for (const b of packBlobs.get(p.id) ?? []) damagedBlobs.add(b.id);

  let packsRead = 0;
  if (opts.readData || opts.subset) {
    const chosen = selectSubset([...packBlobs.keys()].filter((id) => stored.has(id)), opts.subset);
    const limit = pLimit(Math.max(2, repo.options.connections));
    let done = 0;
    await Promise.all(
      chosen.map((packId) =>
        limit(async () => {
          const bad = await readPack(repo, packId, packBlobs.get(packId)!, stored.get(packId)!);
          for (const p of bad.problems) problems.push(p);
          for (const b of bad.damaged) damagedBlobs.add(b);
          packsRead++;
          opts.onProgress?.({ phase: 'read data', done: ++done, total: chosen.length });
        }),
      ),
    );
  }

  const snaps = await listSnapshots(repo, {
    onError: (id, err) => problems.push({ kind: 'snapshot', id, message: (err as Error).message }),
  });
  const treeMemo = new Map<string, Promise<Set<string>>>();
  const blobProblems = new Map<string, CheckProblem>();
  const walk = (treeId: string, where: string): Promise<Set<string>> => {
    let p = treeMemo.get(treeId);
    if (!p) {
      p = walkTree(treeId, where);
      treeMemo.set(treeId, p);
    }
    return p;
  };
  const walkTree = async (treeId: string, where: string): Promise<Set<string>> => {
    const bad = new Set<string>();
    let nodes;
    try {
      nodes = decodeTree(await repo.loadBlob('tree', Buffer.from(treeId, 'hex')));
    } catch (err) {
      const key = `tree:${treeId}`;
      if (!blobProblems.has(key)) blobProblems.set(key, { kind: 'tree', id: treeId, message: `tree ${treeId.slice(0, 8)} (${where || '/'}): ${(err as Error).message}` });
      bad.add(key);
      return bad;
    }
    for (const n of nodes) {
      const path = `${where}/${n.name.toString()}`;
      if (n.type === 'dir') {
        if (!n.subtree) {
          const key = `tree:${treeId}:${path}`;
          blobProblems.set(key, { kind: 'tree', id: treeId, message: `directory ${path} has no subtree` });
          bad.add(key);
        } else for (const k of await walk(n.subtree, path)) bad.add(k);
      } else if (n.type === 'file') {
        if (!n.content) {
          const key = `tree:${treeId}:${path}`;
          blobProblems.set(key, { kind: 'tree', id: treeId, message: `file ${path} has no content list` });
          bad.add(key);
          continue;
        }
        for (const id of n.content) {
          const loc = repo.index.get(Buffer.from(id, 'hex'));
          if (loc && loc.type === 'data' && !damagedBlobs.has(id)) continue;
          const key = `blob:${id}`;
          if (!blobProblems.has(key)) {
            const why = !loc ? 'not found in index' : loc.type !== 'data' ? 'is not a data blob' : `is damaged (pack ${loc.packId.slice(0, 8)})`;
            blobProblems.set(key, { kind: 'blob', id, message: `data blob ${id.slice(0, 8)} ${why}, used by ${path}` });
          }
          bad.add(key);
        }
      }
    }
    return bad;
  };
  for (const s of snaps) {
    for (const key of await walk(s.snapshot.tree, '')) {
      const p = blobProblems.get(key)!;
      (p.snapshots ??= []).push(s.id);
    }
  }
  problems.push(...blobProblems.values());
  return { problems, hints, snapshots: snaps.length, packs: packBlobs.size, packsRead, blobs: repo.index.size };
}

async function readPack(
  repo: Repository,
  packId: string,
  blobs: readonly IndexedBlob[],
  size: number,
): Promise<{ problems: CheckProblem[]; damaged: string[] }> {
  const problems: CheckProblem[] = [];
  const damaged: string[] = [];
  let bytes: Buffer;
  try {
    bytes = await repo.io(() => repo.storage.load({ type: 'data', name: packId }));
  } catch (err) {
    return { problems: [{ kind: 'pack', id: packId, message: `pack ${packId.slice(0, 8)} cannot be read: ${(err as Error).message}` }], damaged: blobs.map((b) => b.id) };
  }
  if (createHash('sha256').update(bytes).digest('hex') !== packId) {
    problems.push({ kind: 'pack', id: packId, message: `pack ${packId.slice(0, 8)}: content does not match its name (damaged)` });
  }
  try {
    const header = await readPackHeader({
      key: repo.key,
      size: bytes.length,
      version: repo.version,
      loadRange: async (o, l) => bytes.subarray(o, o + l),
    });
    const inHeader = new Set(header.map((h) => `${h.id.toString('hex')}:${h.type}:${h.offset}:${h.length}:${h.uncompressedLength}`));
    for (const b of blobs) {
      if (!inHeader.has(`${b.id}:${b.type}:${b.offset}:${b.length}:${b.uncompressedLength}`)) {
        problems.push({ kind: 'pack', id: packId, message: `pack ${packId.slice(0, 8)}: header does not list blob ${b.id.slice(0, 8)} as the index does` });
      }
    }
  } catch (err) {
    problems.push({ kind: 'pack', id: packId, message: `pack ${packId.slice(0, 8)}: header: ${(err as Error).message}` });
  }
  for (const b of blobs) {
    try {
      repo.decryptBlob(bytes.subarray(b.offset, b.offset + b.length), Buffer.from(b.id, 'hex'), { ...b, packId });
    } catch (err) {
      damaged.push(b.id);
      problems.push({ kind: 'blob', id: b.id, message: (err as Error).message });
    }
  }
  void size;
  return { problems, damaged };
}
