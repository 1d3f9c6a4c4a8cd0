/**
 * Walks a snapshot's trees and decides what to create: directories, special nodes and files, and
 * for files which blob goes to which offset. Hardlinks (links > 1, same inode and device) are
 * written once and linked.
 */
import { decodeTree, type Node } from '../tree/index.ts';
import type { Repository } from '../repo/repository.ts';
import { SkiffError } from '../errors/errors.ts';
import { checkName, joinPath } from './safe-path.ts';

export interface PlannedFile {
  readonly path: Buffer;
  readonly node: Node;
  readonly size: number;
  /** set when this file is a hardlink to an earlier planned file */
  readonly linkTo?: Buffer;
}

export interface PlannedNode {
  readonly path: Buffer;
  readonly node: Node;
  readonly depth: number;
}

export interface BlobTarget {
  readonly file: number;
  readonly offset: number;
}

export interface RestorePlan {
  readonly dirs: PlannedNode[];
  readonly others: PlannedNode[];
  readonly files: PlannedFile[];
  /** blob hex → where it goes */
  readonly blobs: Map<string, BlobTarget[]>;
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
  const plan: RestorePlan = { dirs: [], others: [], files: [], blobs: new Map(), warnings: [], totalBytes: 0 };
  const links = new Map<string, Buffer>();
  const walk = async (tree: string, dir: Buffer, snapDir: string, depth: number): Promise<void> => {
    let nodes: Node[];
    try {
      nodes = decodeTree(await repo.loadBlob('tree', Buffer.from(tree, 'hex')));
    } catch (err) {
      throw new SkiffError(
        err instanceof SkiffError ? err.code : 'Integrity',
        `cannot read tree ${tree.slice(0, 8)} (${snapDir || '/'}): ${(err as Error).message}`,
        { cause: err },
      );
    }
    for (const node of nodes) {
      checkName(node.name, snapDir || '/');
      const snapPath = `${snapDir}/${node.name.toString()}`;
      const inc = filter(snapPath);
      if (inc === 'no') continue;
      const p = joinPath(dir, node.name);
      if (node.type === 'dir') {
        if (!node.subtree) throw new SkiffError('Integrity', `directory ${snapPath} has no subtree`);
        plan.dirs.push({ path: p, node, depth });
        await walk(node.subtree, p, snapPath, depth + 1);
        continue;
      }
      if (inc === 'ancestor') continue;
      if (node.type === 'file') addFile(repo, plan, links, p, node);
      else plan.others.push({ path: p, node, depth });
    }
  };
  await walk(treeId, target, '', 0);
  return plan;
}

function addFile(repo: Repository, plan: RestorePlan, links: Map<string, Buffer>, p: Buffer, node: Node): void {
  if ((node.links ?? 1n) > 1n && node.inode !== undefined) {
    const key = `${node.deviceId ?? 0n}:${node.inode}`;
    const first = links.get(key);
    if (first) {
      plan.files.push({ path: p, node, size: Number(node.size ?? 0n), linkTo: first });
      return;
    }
    links.set(key, p);
  }
  const size = Number(node.size ?? 0n);
  const content = node.content ?? [];
  const sizes: number[] = [];
  for (const id of content) {
    const n = repo.index.plainSize(Buffer.from(id, 'hex'));
    if (n === undefined) {
      plan.warnings.push({ path: p.toString(), message: `data blob ${id.slice(0, 8)} not found in index; file not restored` });
      return;
    }
    sizes.push(n);
  }
  const fileNo = plan.files.length;
  plan.files.push({ path: p, node, size });
  if (size === 0) return; // restic creates an empty file when size is 0, whatever content says
  let offset = 0;
  content.forEach((id, i) => {
    let targets = plan.blobs.get(id);
    if (!targets) plan.blobs.set(id, (targets = []));
    if (offset < size) targets.push({ file: fileNo, offset });
    offset += sizes[i]!;
  });
  plan.totalBytes += size;
}

