/**
 * Walks a snapshot's trees and decides what to create: directories, special nodes and files, and
 * for files which blob goes to which offset, grouped by pack. Hardlinks (links > 1, same inode and
 * device) are written once and linked. Every tree is read (and every name checked) before
 * anything is written, so a damaged or hostile tree fails the restore up front.
 *
 * Files and blob targets are kept in columns (file-table.ts, pack-targets.ts), not as objects:
 * a plan for a million files stays in the tens of MiB and costs the garbage collector nothing
 * while the data is restored.
 */
import { decodeTree, type Node } from '../tree/index.ts';
import type { Repository } from '../repo/repository.ts';
import { SkiffError } from '../errors/errors.ts';
import type { BlobLocation } from '../index/master-index.ts';
import { OVERHEAD } from '../crypto/index.ts';
import { checkName, joinPath } from './safe-path.ts';
import { FileTable } from './file-table.ts';
import { PackTargets } from './pack-targets.ts';

export interface PlannedNode {
  readonly path: Buffer;
  readonly node: Node;
  readonly depth: number;
}

export interface RestorePlan {
  readonly dirs: PlannedNode[];
  readonly others: PlannedNode[];
  readonly files: FileTable;
  /** pack ID → the blobs to read from it and where they go */
  readonly packs: Map<string, PackTargets>;
  readonly warnings: { path: string; message: string }[];
  totalBytes: number;
}

export type IncludeFilter = (snapshotPath: string) => 'yes' | 'ancestor' | 'no';

export function includeFilter(includes: readonly string[]): IncludeFilter {
  if (includes.length === 0) return () => 'yes';
  const clean = includes.map((i) => '/' + i.replace(/^\/+|\/+$/g, ''));
  return (p) => {
    if (clean.some((i) => p === i || p.startsWith(i + '/') || i === '/')) return 'yes';
    if (clean.some((i) => i.startsWith(p + '/'))) return 'ancestor';
    return 'no';
  };
}

export async function planRestore(repo: Repository, treeId: string, target: Buffer, filter: IncludeFilter): Promise<RestorePlan> {
  const plan: RestorePlan = { dirs: [], others: [], files: new FileTable(), packs: new Map(), warnings: [], totalBytes: 0 };
  const links = new Map<string, number>();
  const load = (tree: string, snapDir: string): Promise<Node[]> =>
    repo.loadBlob('tree', Buffer.from(tree, 'hex')).then(decodeTree).catch((err: unknown) => {
      throw new SkiffError(
        err instanceof SkiffError ? err.code : 'Integrity',
        `cannot read tree ${tree.slice(0, 8)} (${snapDir || '/'}): ${(err as Error).message}`,
        { cause: err },
      );
    });
  const walk = async (nodes: Node[], dir: Buffer, snapDir: string, depth: number): Promise<void> => {
    const subtrees = prefetcher(nodes, snapDir, filter, load);
    let dirNo = -1; // registered with the file table at its first file
    for (const node of nodes) {
      checkName(node.name, snapDir || '/');
      const snapPath = `${snapDir}/${node.name.toString()}`;
      const inc = filter(snapPath);
      if (inc === 'no') continue;
      if (node.type === 'dir') {
        if (!node.subtree) throw new SkiffError('Integrity', `directory ${snapPath} has no subtree`);
        const p = joinPath(dir, node.name);
        plan.dirs.push({ path: p, node, depth });
        await walk(await subtrees(node, snapPath), p, snapPath, depth + 1);
        continue;
      }
      if (inc === 'ancestor') continue;
      if (node.type === 'file') {
        if (dirNo < 0) dirNo = plan.files.addDir(dir);
        addFile(repo, plan, links, dirNo, dir, node);
      } else plan.others.push({ path: joinPath(dir, node.name), node, depth });
    }
  };
  await walk(await load(treeId, ''), target, '', 0);
  return plan;
}

/** Subtrees loaded ahead per directory: the walk waits for storage once per PREFETCH trees, not once per tree (S3). */
const PREFETCH = 8;

/**
 * The subtrees of `nodes` the walk will enter, loaded up to PREFETCH ahead of it, in its order.
 * Only loading runs ahead: the walk still checks names and reports a failed load in tree order.
 */
function prefetcher(nodes: readonly Node[], snapDir: string, filter: IncludeFilter, load: (tree: string, snapDir: string) => Promise<Node[]>) {
  const ahead = nodes.filter((n) => n.type === 'dir' && n.subtree && plainName(n.name) && filter(`${snapDir}/${n.name.toString()}`) !== 'no');
  const loading = new Map<Node, Promise<Node[]>>();
  let next = 0;
  const fill = () => {
    while (next < ahead.length && loading.size < PREFETCH) {
      const n = ahead[next++]!;
      const p = load(n.subtree!, `${snapDir}/${n.name.toString()}`);
      p.catch(() => undefined); // reported when the walk gets there, if it does
      loading.set(n, p);
    }
  };
  fill();
  return (node: Node, snapPath: string): Promise<Node[]> => {
    const p = loading.get(node) ?? load(node.subtree!, snapPath);
    loading.delete(node);
    fill();
    return p;
  };
}

function plainName(name: Buffer): boolean {
  try {
    checkName(name, '');
    return true;
  } catch {
    return false;
  }
}

/** A blob ID's bytes in a buffer reused for every ID (the index and the pack targets copy what they keep). */
const ID = Buffer.alloc(32);
function idOf(hex: string): Buffer {
  ID.write(hex, 0, 32, 'hex'); // tree decoding checked it is 64 hex digits
  return ID;
}

function addFile(repo: Repository, plan: RestorePlan, links: Map<string, number>, dirNo: number, dir: Buffer, node: Node): void {
  let linkKey: string | undefined;
  if ((node.links ?? 1n) > 1n && node.inode !== undefined) {
    linkKey = `${node.deviceId ?? 0n}:${node.inode}`;
    const first = links.get(linkKey);
    if (first !== undefined) {
      plan.files.add(dirNo, node, first);
      return;
    }
  }
  const content = node.content ?? [];
  const locs: BlobLocation[] = [];
  for (const hex of content) {
    const loc = repo.index.get(idOf(hex));
    if (!loc) {
      plan.warnings.push({ path: joinPath(dir, node.name).toString(), message: `data blob ${hex.slice(0, 8)} not found in index; file not restored` });
      return;
    }
    locs.push(loc);
  }
  const file = plan.files.add(dirNo, node, -1);
  if (linkKey !== undefined) links.set(linkKey, file);
  const size = plan.files.size(file);
  if (size === 0) return; // restic creates an empty file when size is 0, whatever content says
  let offset = 0;
  locs.forEach((loc, i) => {
    if (offset < size) {
      let targets = plan.packs.get(loc.packId);
      if (!targets) plan.packs.set(loc.packId, (targets = new PackTargets(loc.packId)));
      targets.add(idOf(content[i]!), loc, file, offset);
    }
    offset += loc.uncompressedLength || loc.length - OVERHEAD;
  });
  plan.totalBytes += size;
}
