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
import { KeptBytes } from './column.ts';

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
  const kept = new KeptBytes();
  const fail = (tree: string, snapDir: string) => (err: unknown): never => {
    throw new SkiffError(
      err instanceof SkiffError ? err.code : 'Integrity',
      `cannot read tree ${tree.slice(0, 8)} (${snapDir || '/'}): ${(err as Error).message}`,
      { cause: err },
    );
  };
  const fetch = (tree: string, snapDir: string): Promise<Buffer> => repo.loadBlob('tree', Buffer.from(tree, 'hex')).catch(fail(tree, snapDir));
  /**
   * Trees are decoded only when the walk reaches them: their nodes then die young, while nodes
   * decoded ahead lived through scavenges into the old generation (garbage the main thread's
   * heap kept, some 50 MiB of it in a million-file restore).
   */
  const load = async (bytes: Promise<Buffer>, tree: string, snapDir: string): Promise<Node[]> => {
    const json = await bytes;
    try {
      return decodeTree(json);
    } catch (err) {
      return fail(tree, snapDir)(err);
    }
  };
  const walk = async (nodes: Node[], dir: Buffer, snapDir: string, depth: number): Promise<void> => {
    const subtrees = prefetcher(nodes, snapDir, filter, fetch);
    let dirNo = -1; // registered with the file table at its first file
    for (const node of nodes) {
      checkName(node.name, snapDir || '/');
      const snapPath = `${snapDir}/${node.name.toString()}`;
      const inc = filter(snapPath);
      if (inc === 'no') continue;
      if (node.type === 'dir') {
        if (!node.subtree) throw new SkiffError('Integrity', `directory ${snapPath} has no subtree`);
        const p = kept.keep(joinPath(dir, node.name));
        plan.dirs.push({ path: p, node: keptNode(kept, node), depth });
        await walk(await load(subtrees(node, snapPath), node.subtree, snapPath), p, snapPath, depth + 1);
        continue;
      }
      if (inc === 'ancestor') continue;
      if (node.type === 'file') {
        if (dirNo < 0) dirNo = plan.files.addDir(dir);
        addFile(repo, plan, links, dirNo, dir, node);
      } else plan.others.push({ path: kept.keep(joinPath(dir, node.name)), node: keptNode(kept, node), depth });
    }
  };
  await walk(await load(fetch(treeId, ''), treeId, ''), target, '', 0);
  return plan;
}

/** Subtrees loaded ahead per directory: the walk waits for storage once per PREFETCH trees, not once per tree (S3). */
const PREFETCH = 8;

/**
 * The subtrees of `nodes` the walk will enter, read up to PREFETCH ahead of it, in its order.
 * Only reading runs ahead: the walk still checks names and reports a failed read in tree order.
 */
function prefetcher(nodes: readonly Node[], snapDir: string, filter: IncludeFilter, load: (tree: string, snapDir: string) => Promise<Buffer>) {
  const ahead = nodes.filter((n) => n.type === 'dir' && n.subtree && plainName(n.name) && filter(`${snapDir}/${n.name.toString()}`) !== 'no');
  const loading = new Map<Node, Promise<Buffer>>();
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
  return (node: Node, snapPath: string): Promise<Buffer> => {
    const p = loading.get(node) ?? load(node.subtree!, snapPath);
    loading.delete(node);
    fill();
    return p;
  };
}

/** `node` with its byte fields copied out of the pool slabs of its tree (see KeptBytes). */
function keptNode(kept: KeptBytes, node: Node): Node {
  const copy: Node = { ...node, name: kept.keep(node.name) };
  if (node.linktarget) copy.linktarget = kept.keep(node.linktarget);
  if (node.extendedAttributes) copy.extendedAttributes = node.extendedAttributes.map((x) => ({ name: x.name, value: kept.keep(x.value) }));
  return copy;
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
