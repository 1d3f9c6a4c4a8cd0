/**
 * Backup: walks the targets, stores file contents and trees, and writes a snapshot.
 *
 * Unchanged files (same type, size, mtime, ctime and inode as in the parent snapshot, with all
 * their blobs still indexed) reuse the parent's content list without being read. Files that vanish
 * or cannot be read become warnings; the snapshot is still written and says how many there were.
 * Order: blobs → flush (packs, then index) → snapshot.
 */
import os from 'node:os';

import pLimit from 'p-limit';
import { gearTableFromKey, DEFAULT_SIZES, type ChunkerParams } from '../chunker/index.ts';
import { decodeTree, encodeTree, VALID_CONTENT, type Node, type Snapshot } from '../tree/index.ts';
import { listDir, nodeFromPath, UserNames, type DirListing } from '../fs/index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { Repository } from '../repo/repository.ts';
import { rfc3339Now } from '../repo/time.ts';
import { findParent, loadSnapshot, saveSnapshot, compareTime } from '../snapshot/snapshots.ts';
import { compileExcludes, type ExcludeMatcher } from './excludes.ts';
import { planTargets, type VirtualDir } from './targets.ts';
import { FileSaver } from './file-saver.ts';
import { sameNodes } from './same-nodes.ts';
import { ByteBudget } from '../workers/index.ts';
import { newStats, type BackupProgress, type BackupStats } from './stats.ts';

export interface BackupOptions {
  readonly paths: readonly string[];
  readonly cwd?: string;
  readonly excludes?: readonly string[];
  readonly tags?: readonly string[];
  readonly hostname?: string;
  /** snapshot ID to use as parent; default: latest with the same host, paths and tags */
  readonly parent?: string;
  /** read every file even if the parent says it is unchanged */
  readonly force?: boolean;
  /** files stored at once (default 256; file data in memory is bounded separately) */
  readonly fileConcurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: BackupProgress) => void;
  readonly onWarning?: (path: string, err: Error) => void;
  readonly programVersion?: string;
}

export interface BackupResult {
  readonly snapshotId: string;
  readonly snapshot: Snapshot;
  readonly parentId: string | undefined;
  readonly stats: BackupStats;
  readonly warnings: readonly { path: string; message: string }[];
}

const SLASH = Buffer.from('/');
/** file saves a directory may have outstanding before the walk waits */
const MAX_PENDING_FILES = 1024;
/** files whose storing is under way in the whole walk (their nodes are held until their tree is saved) */
const MAX_OUTSTANDING = 1024;
/** lstat calls of one directory in flight at once */
const STAT_WINDOW = 32;

/** A directory as the parent snapshot has it (no tree ID when there is none or it is unreadable). */
interface ParentDir {
  readonly treeId?: string;
  readonly byName: Map<string, Node>;
  readonly list: readonly Node[];
}

/** A node whose file content may still be being stored (a wrapper, so async functions do not flatten it). */
interface Later {
  readonly node: Promise<Node | undefined>;
}

const done = (node: Node | undefined): Later => ({ node: Promise.resolve(node) });

/** An entry's lstat outcome: its node (null for a socket), excluded, or the error to warn about. */
type Stat = { readonly node: Node | null } | { readonly excluded: true } | { readonly error: unknown };

export async function backup(repo: Repository, opts: BackupOptions): Promise<BackupResult> {
  const started = rfc3339Now(repo.options.now);
  const cwd = opts.cwd ?? process.cwd();
  const plan = planTargets(opts.paths, cwd);
  const hostname = opts.hostname ?? (repo.options.hostname || os.hostname());
  const tags = [...(opts.tags ?? [])];
  const parent = opts.parent
    ? await loadSnapshot(repo, await repo.resolveId('snapshot', opts.parent))
    : await findParent(repo, { host: hostname, paths: plan.paths, tags });
  const run = new Run(repo, {
    params: { ...DEFAULT_SIZES, gear: gearTableFromKey(repo.key.encrypt) },
    excluded: compileExcludes(opts.excludes ?? []),
    opts,
  });
  const parentTree = parent?.snapshot.tree;
  const tree = plan.rootDir !== undefined
    ? await run.saveDir(Buffer.from(plan.rootDir), parentTree)
    : await run.saveVirtual(plan.root, parentTree);
  await repo.flush();
  run.stats.backupEnd = rfc3339Now(repo.options.now);
  const info = os.userInfo();
  const snapshot: Snapshot = {
    time: started,
    ...(parent ? { parent: parent.id } : {}),
    tree,
    paths: plan.paths,
    hostname,
    username: repo.options.username || info.username,
    ...(info.uid ? { uid: info.uid } : {}),
    ...(info.gid ? { gid: info.gid } : {}),
    ...(opts.excludes?.length ? { excludes: [...opts.excludes] } : {}),
    ...(tags.length ? { tags } : {}),
    programVersion: opts.programVersion ?? 'skiff',
    summary: run.stats.summary(started),
  };
  const snapshotId = await saveSnapshot(repo, snapshot);
  return { snapshotId, snapshot, parentId: parent?.id, stats: run.stats, warnings: run.warnings };
}

class Run {
  readonly stats: BackupStats = newStats();
  readonly warnings: { path: string; message: string }[] = [];
  readonly #repo: Repository;
  readonly #params: ChunkerParams;
  readonly #excluded: ExcludeMatcher;
  readonly #opts: BackupOptions;
  readonly #files;
  readonly #saver: FileSaver;
  readonly #outstanding = new ByteBudget(MAX_OUTSTANDING);
  readonly #users = new UserNames();

  constructor(repo: Repository, a: { params: ChunkerParams; excluded: ExcludeMatcher; opts: BackupOptions }) {
    this.#repo = repo;
    this.#params = a.params;
    this.#excluded = a.excluded;
    this.#opts = a.opts;
    this.#files = pLimit(a.opts.fileConcurrency ?? 256);
    this.#saver = new FileSaver(repo, a.params);
  }

  #warn(p: Buffer | string, err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const where = p.toString();
    this.warnings.push({ path: where, message: e.message });
    this.stats.errors++;
    this.#opts.onWarning?.(where, e);
  }

  #checkAbort(): void {
    if (this.#opts.signal?.aborted) throw new SkiffError('Cancelled', 'backup cancelled');
  }

  /** The parent snapshot's nodes of a directory, by name (latin1 key) and in tree order. */
  async #parentNodes(treeId: string | undefined): Promise<ParentDir> {
    const byName = new Map<string, Node>();
    if (!treeId) return { byName, list: [] };
    let list: Node[];
    try {
      list = decodeTree(await this.#repo.loadBlob('tree', Buffer.from(treeId, 'hex')));
    } catch (err) {
      if (err instanceof SkiffError && (err.code === 'Integrity' || err.code === 'NotFound')) return { byName, list: [] }; // parent damaged: read everything
      throw err;
    }
    for (const n of list) byName.set(n.name.toString('latin1'), n);
    return { treeId, byName, list };
  }

  async #saveTree(nodes: Node[]): Promise<string> {
    const saved = await this.#repo.saveBlob('tree', encodeTree(nodes));
    if (saved.added) {
      this.stats.treeBlobs++;
      this.stats.dataAddedPacked += saved.storedBytes;
    }
    return saved.id.toString('hex');
  }

  /** Intermediate directories of absolute or nested targets. */
  async saveVirtual(dir: VirtualDir, parentTree: string | undefined): Promise<string> {
    const parents = (await this.#parentNodes(parentTree)).byName;
    const nodes: Node[] = [];
    for (const [name, child] of dir.children) {
      const nameBuf = Buffer.from(name);
      const prev = parents.get(nameBuf.toString('latin1'));
      if (typeof child === 'string') {
        const node = await (await this.#saveEntry(Buffer.from(child), nameBuf, prev)).node;
        if (node) nodes.push(node);
        continue;
      }
      const node = await nodeFromPath(child.realPath!, nameBuf, { users: this.#users });
      if (!node || node.type !== 'dir') throw new SkiffError('Config', `${child.realPath} is not a directory`);
      node.subtree = await this.saveVirtual(child, prev?.type === 'dir' ? prev.subtree : undefined);
      nodes.push(node);
    }
    return this.#saveTree(nodes);
  }

  /** A real directory: its entries become one tree blob. */
  async saveDir(dirPath: Buffer, parentTree: string | undefined): Promise<string> {
    return (await this.#walkDir(dirPath, parentTree)).tree;
  }

  /**
   * Visits a directory's entries and starts storing them; resolves once every entry is under way
   * (subdirectories walked, files handed to the file saver), with the directory's tree ID still
   * pending. So the walk moves on to the next directory while this one's files are stored, and
   * the workers never wait for a directory to finish. At most MAX_OUTSTANDING files are pending
   * in the whole walk.
   */
  async #walkDir(dirPath: Buffer, parentTree: string | undefined): Promise<{ tree: Promise<string> }> {
    this.#checkAbort();
    const [parent, listing] = await Promise.all([this.#parentNodes(parentTree), this.#list(dirPath)]);
    const parents = parent.byName;
    const names = listing.names;
    // Entries are visited in order, with up to STAT_WINDOW nodes being read ahead; subdirectories
    // are walked before moving on (their trees complete in the background), file contents are
    // stored in the background under the file limiter, with a bounded number outstanding.
    const paths = names.map((name) => Buffer.concat([dirPath, SLASH, name]));
    const stats: (Promise<Stat> | undefined)[] = [];
    const stat = (i: number) => {
      if (i < names.length) stats[i] = this.#stat(listing, i, paths[i]!);
    };
    for (let i = 0; i < STAT_WINDOW; i++) stat(i);
    const results: Promise<Node | undefined>[] = [];
    let settled = 0;
    for (let i = 0; i < names.length; i++) {
      stat(i + STAT_WINDOW);
      const st = await stats[i]!;
      stats[i] = undefined;
      const name = names[i]!;
      results.push((await this.#saveEntry(paths[i]!, name, parents.get(name.toString('latin1')), st)).node);
      while (results.length - settled > MAX_PENDING_FILES) await results[settled++];
    }
    const tree = Promise.all(results).then((all) => {
      const nodes = all.filter((n): n is Node => n !== undefined);
      // nothing changed here: the parent's tree blob is this tree (it is indexed: it was just loaded)
      if (parent.treeId !== undefined && sameNodes(nodes, parent.list)) return parent.treeId;
      return this.#saveTree(nodes);
    });
    tree.catch(() => undefined); // awaited by the caller; avoid an unhandled rejection meanwhile
    return { tree };
  }

  /** The directory's entries; one that cannot be read is a warning and counts as empty. */
  async #list(dirPath: Buffer): Promise<DirListing> {
    try {
      return await listDir(dirPath, { users: this.#users });
    } catch (err) {
      this.#warn(dirPath, err);
      return { names: [], node: () => Promise.resolve(null) };
    }
  }

  /** Metadata of a target given on the command line; excluded ones are not looked at. */
  async #statPath(p: Buffer, name: Buffer): Promise<Stat> {
    if (this.#excluded(p.toString())) return { excluded: true };
    try {
      return { node: await nodeFromPath(p, name, { users: this.#users }) };
    } catch (err) {
      return { error: err };
    }
  }

  /** Metadata of one entry; excluded entries are not looked at. */
  async #stat(listing: DirListing, i: number, p: Buffer): Promise<Stat> {
    if (this.#excluded(p.toString())) return { excluded: true };
    try {
      return { node: await listing.node(i, p) };
    } catch (err) {
      return { error: err };
    }
  }

  /** Directories are finished before this returns, file content is a pending promise. */
  async #saveEntry(p: Buffer, name: Buffer, prev: Node | undefined, st?: Stat): Promise<Later> {
    const s = st ?? (await this.#statPath(p, name));
    if ('excluded' in s) return done(undefined);
    if ('error' in s) {
      this.#warn(p, s.error);
      return done(undefined);
    }
    const node = s.node;
    if (!node) return done(undefined); // sockets are skipped, as restic does
    if (node.type === 'dir') {
      this.stats.countDir(prev);
      const { tree } = await this.#walkDir(p, prev?.type === 'dir' ? prev.subtree : undefined);
      const dir = node;
      const pending = tree.then((id) => {
        dir.subtree = id;
        return dir;
      });
      pending.catch(() => undefined);
      return { node: pending };
    }
    if (node.type !== 'file') {
      node.content = null;
      return done(node);
    }
    const file = node;
    await this.#outstanding.acquire(1);
    const pending = this.#files(() => this.#saveFile(p, file, prev)).finally(() => this.#outstanding.release(1));
    pending.catch(() => undefined); // awaited later; avoid an unhandled rejection meanwhile
    return { node: pending };
  }

  async #saveFile(p: Buffer, node: Node, prev: Node | undefined): Promise<Node | undefined> {
    this.#checkAbort();
    const size = Number(node.size ?? 0n);
    if (!this.#opts.force && prev && this.#unchanged(node, prev)) {
      node.content = prev.content ?? [];
      this.stats.filesUnmodified++;
      this.stats.totalFilesProcessed++;
      this.stats.totalBytesProcessed += size;
      this.#progress(p, size);
      return node;
    }
    try {
      const saved = await this.#saver.save(p, size, {
        ...(this.#opts.signal ? { signal: this.#opts.signal } : {}),
        onBytes: (n) => this.#progress(p, n),
      });
      node.content = saved.content;
      VALID_CONTENT.add(saved.content); // hex of hashes
      if (saved.size > 0) node.size = BigInt(saved.size);
      else delete node.size;
      this.stats.dataBlobs += saved.newBlobs;
      this.stats.dataAddedPacked += saved.addedBytes;
      this.stats.totalBytesProcessed += saved.size;
    } catch (err) {
      if (err instanceof SkiffError && (err.code === 'Cancelled' || err.code === 'Transient' || err.code === 'Auth')) throw err;
      if ((err as Error).name === 'AbortError') throw new SkiffError('Cancelled', 'backup cancelled', { cause: err });
      if (err instanceof SkiffError && err.code !== 'NotFound') throw err;
      this.#warn(p, err);
      return undefined;
    }
    if (prev) this.stats.filesChanged++;
    else this.stats.filesNew++;
    this.stats.totalFilesProcessed++;
    return node;
  }

  #unchanged(node: Node, prev: Node): boolean {
    if (prev.type !== 'file' || !prev.content) return false;
    if ((prev.size ?? 0n) !== (node.size ?? 0n) || (prev.inode ?? 0n) !== (node.inode ?? 0n)) return false;
    // equal strings are equal times (the usual case, no parsing); otherwise compare the instants
    if (prev.mtime !== node.mtime && compareTime(prev.mtime, node.mtime) !== 0) return false;
    if (prev.ctime !== node.ctime && compareTime(prev.ctime, node.ctime) !== 0) return false;
    return prev.content.every((id) => this.#repo.index.has(Buffer.from(id, 'hex')));
  }

  #progress(p: Buffer, bytes: number): void {
    this.stats.bytesDone += bytes;
    this.#opts.onProgress?.({ bytesDone: this.stats.bytesDone, filesDone: this.stats.totalFilesProcessed, current: p.toString() });
  }
}


