/**
 * Backup: walks the targets, stores file contents and trees, and writes a snapshot.
 *
 * Unchanged files (same type, size, mtime, ctime and inode as in the parent snapshot, with all
 * their blobs still indexed) reuse the parent's content list without being read. Files that vanish
 * or cannot be read become warnings; the snapshot is still written and says how many there were.
 * Order: blobs → flush (packs, then index) → snapshot.
 */
import os from 'node:os';

import { gearTableFromKey, DEFAULT_SIZES, type ChunkerParams } from '../chunker/index.ts';
import { decodeTree, encodeTree, VALID_CONTENT, type Node, type Snapshot } from '../tree/index.ts';
import { listDir, nodeFromPath, UserNames, type DirListing } from '../fs/index.ts';
import { SkiffError } from '../errors/errors.ts';
import type { Repository } from '../repo/repository.ts';
import { rfc3339Now } from '../repo/time.ts';
import { findParent, loadSnapshot, saveSnapshot, compareTime } from '../snapshot/snapshots.ts';
import { compileExcludes, type ExcludeMatcher } from './excludes.ts';
import { planTargets, type VirtualDir } from './targets.ts';
import { CHANGED, FileSaver, type SavedFile } from './file-saver.ts';
import { DirEntries } from './dir-entries.ts';
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
  /** files stored at once (default 1024; file data in memory is bounded separately) */
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
/** files being stored at once in the whole walk, by default (their nodes are held until their tree is saved) */
const MAX_OUTSTANDING = 1024;
/** lstat calls of one directory in flight at once */
const STAT_WINDOW = 32;

/** A directory as the parent snapshot has it (no tree ID when there is none or it is unreadable). */
interface ParentDir {
  readonly treeId?: string;
  readonly byName: Map<string, Node>;
  readonly list: readonly Node[];
}

/** An entry's lstat outcome: its node (null for a socket), excluded, or the error to warn about. */
type Stat = { readonly node: Node | null } | { readonly excluded: true } | { readonly error: unknown };

const EXCLUDED: Stat = { excluded: true };

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
  run.checkAbort(); // files already queued when the signal came were stored: write no snapshot of them
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
  /** one unit per file being stored */
  readonly #files: ByteBudget;
  readonly #saver: FileSaver;
  readonly #excluding: boolean;
  readonly #users = new UserNames();

  constructor(repo: Repository, a: { params: ChunkerParams; excluded: ExcludeMatcher; opts: BackupOptions }) {
    this.#repo = repo;
    this.#params = a.params;
    this.#excluded = a.excluded;
    this.#opts = a.opts;
    this.#files = new ByteBudget(a.opts.fileConcurrency ?? MAX_OUTSTANDING);
    this.#excluding = (a.opts.excludes ?? []).length > 0;
    this.#saver = new FileSaver(repo, a.params);
  }

  #warn(p: Buffer | string, err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const where = p.toString();
    this.warnings.push({ path: where, message: e.message });
    this.stats.errors++;
    this.#opts.onWarning?.(where, e);
  }

  checkAbort(): void {
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
        const p = Buffer.from(child);
        const one = new DirEntries(1);
        const wait = this.#visit(one, 0, p, prev, await this.#statPath(p, nameBuf));
        if (wait) await wait;
        one.close();
        nodes.push(...(await one.done));
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
   * the workers never wait for a directory to finish. At most `fileConcurrency` files are being
   * stored in the whole walk.
   */
  async #walkDir(dirPath: Buffer, parentTree: string | undefined): Promise<{ tree: Promise<string> }> {
    this.checkAbort();
    const [parent, listing] = await Promise.all([this.#parentNodes(parentTree), this.#list(dirPath)]);
    const parents = parent.byName;
    const names = listing.names;
    const entries = new DirEntries(names.length);
    // Entries are visited in order, with up to STAT_WINDOW nodes being read ahead when reading
    // one takes I/O; subdirectories are walked before moving on (their trees complete in the
    // background), file contents are stored in the background.
    const paths = names.map((name) => Buffer.concat([dirPath, SLASH, name]));
    const stats: (Stat | Promise<Stat> | undefined)[] = [];
    const stat = (i: number) => {
      if (i < names.length) stats[i] = this.#stat(listing, i, paths[i]!);
    };
    for (let i = 0; i < STAT_WINDOW; i++) stat(i);
    for (let i = 0; i < names.length; i++) {
      stat(i + STAT_WINDOW);
      const next = stats[i]!;
      const st = next instanceof Promise ? await next : next;
      stats[i] = undefined;
      const wait = this.#visit(entries, i, paths[i]!, parents.get(names[i]!.toString('latin1')), st);
      if (wait) await wait;
    }
    entries.close();
    const tree = entries.done.then((nodes) => {
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
      return { names: [], node: () => null };
    }
  }

  /** Metadata of a target given on the command line; excluded ones are not looked at. */
  async #statPath(p: Buffer, name: Buffer): Promise<Stat> {
    if (this.#excluded(p.toString())) return EXCLUDED;
    try {
      return { node: await nodeFromPath(p, name, { users: this.#users }) };
    } catch (err) {
      return { error: err };
    }
  }

  /** Metadata of one entry (a promise only when reading it takes I/O); excluded entries are not looked at. */
  #stat(listing: DirListing, i: number, p: Buffer): Stat | Promise<Stat> {
    if (this.#excluding && this.#excluded(p.toString())) return EXCLUDED;
    try {
      const node = listing.node(i, p);
      if (!(node instanceof Promise)) return { node };
      return node.then(
        (n) => ({ node: n }),
        (err: unknown) => ({ error: err }),
      );
    } catch (err) {
      return { error: err };
    }
  }

  /**
   * Puts entry `i` of a directory into `entries`: at once, or later for stored files and
   * subdirectories (whose walk is finished before this returns). Returns a promise when the walk
   * must wait before the next entry: a subdirectory's walk, or the limits on files being stored.
   */
  #visit(entries: DirEntries, i: number, p: Buffer, prev: Node | undefined, s: Stat): Promise<void> | undefined {
    if ('excluded' in s) return undefined;
    if ('error' in s) {
      this.#warn(p, s.error);
      return undefined;
    }
    const node = s.node;
    if (!node) return undefined; // sockets are skipped, as restic does
    if (node.type === 'dir') return this.#visitDir(entries, i, p, node, prev);
    if (node.type !== 'file') {
      node.content = null;
      entries.set(i, node);
      return undefined;
    }
    if (!this.#opts.force && prev && this.#unchanged(node, prev)) {
      const size = Number(node.size ?? 0n);
      node.content = prev.content ?? [];
      this.stats.filesUnmodified++;
      this.stats.totalFilesProcessed++;
      this.stats.totalBytesProcessed += size;
      this.#progress(p, size);
      entries.set(i, node);
      return undefined;
    }
    if (this.#files.tryAcquire(1)) return this.#storeFile(entries, i, p, node, prev);
    return this.#files.acquire(1).then(() => this.#storeFile(entries, i, p, node, prev));
  }

  async #visitDir(entries: DirEntries, i: number, p: Buffer, dir: Node, prev: Node | undefined): Promise<void> {
    this.stats.countDir(prev);
    const { tree } = await this.#walkDir(p, prev?.type === 'dir' ? prev.subtree : undefined);
    entries.track(
      i,
      tree.then((id) => {
        dir.subtree = id;
        return dir;
      }),
    );
  }

  /**
   * Stores a file's content (holding one of the `fileConcurrency` slots, released when done).
   * Small files go into the worker batches with a callback, not a promise each; the rest, and
   * small files that grew since lstat, are read through the chunker.
   */
  #storeFile(entries: DirEntries, i: number, p: Buffer, node: Node, prev: Node | undefined): Promise<void> | undefined {
    try {
      this.checkAbort();
    } catch (err) {
      this.#files.release(1);
      throw err;
    }
    entries.hold();
    const size = Number(node.size ?? 0n);
    if (size > this.#saver.smallMax) {
      this.#storeLarge(entries, i, p, node, prev, size);
      return undefined;
    }
    return this.#saver.queueSmall(p, size, (r) => {
      if (r === CHANGED) return this.#storeLarge(entries, i, p, node, prev, size);
      this.#files.release(1);
      if (r instanceof Error) this.#fileFailed(entries, i, p, r);
      else this.#fileStored(entries, i, p, node, prev, r, r.size);
    });
  }

  /** Reads a file through the chunker; `entries` holds entry `i` for it. */
  #storeLarge(entries: DirEntries, i: number, p: Buffer, node: Node, prev: Node | undefined, size: number): void {
    const opts = { onBytes: (n: number) => this.#progress(p, n), ...(this.#opts.signal ? { signal: this.#opts.signal } : {}) };
    this.#saver
      .saveLarge(p, size, opts)
      .finally(() => this.#files.release(1))
      .then(
        (saved) => this.#fileStored(entries, i, p, node, prev, saved, 0), // its bytes were reported as read
        (err: unknown) => this.#fileFailed(entries, i, p, err),
      );
  }

  /** Counts a stored file, then reports progress (`bytes` not reported yet), so the report includes it. */
  #fileStored(entries: DirEntries, i: number, p: Buffer, node: Node, prev: Node | undefined, saved: SavedFile, bytes: number): void {
    node.content = saved.content;
    VALID_CONTENT.add(saved.content); // hex of hashes
    if (saved.size > 0) node.size = BigInt(saved.size);
    else delete node.size;
    this.stats.dataBlobs += saved.newBlobs;
    this.stats.dataAddedPacked += saved.addedBytes;
    this.stats.totalBytesProcessed += saved.size;
    if (prev) this.stats.filesChanged++;
    else this.stats.filesNew++;
    this.stats.totalFilesProcessed++;
    this.#progress(p, bytes);
    entries.fill(i, node);
  }

  /** A file that could not be stored: a warning when it vanished or could not be read, else the backup fails. */
  #fileFailed(entries: DirEntries, i: number, p: Buffer, err: unknown): void {
    if (err instanceof SkiffError && (err.code === 'Cancelled' || err.code === 'Transient' || err.code === 'Auth')) return entries.fail(err);
    if ((err as Error).name === 'AbortError') return entries.fail(new SkiffError('Cancelled', 'backup cancelled', { cause: err }));
    if (err instanceof SkiffError && err.code !== 'NotFound') return entries.fail(err);
    this.#warn(p, err);
    entries.fill(i, undefined);
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
    this.#opts.onProgress?.(new ProgressEvent(this.stats.bytesDone, this.stats.totalFilesProcessed, p));
  }
}

/** A progress report whose path is decoded only when read (most reports are never shown). */
class ProgressEvent implements BackupProgress {
  readonly bytesDone: number;
  readonly filesDone: number;
  readonly #path: Buffer;

  constructor(bytesDone: number, filesDone: number, path: Buffer) {
    this.bytesDone = bytesDone;
    this.filesDone = filesDone;
    this.#path = path;
  }

  get current(): string {
    return this.#path.toString();
  }
}


