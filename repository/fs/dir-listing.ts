/**
 * A directory's entries with their nodes, as the backup walk needs them. With the native addon
 * one call per directory reads the names, every entry's lstat and the size of its xattr list on a
 * libuv thread (no promise, stat object or BigInt conversion per entry, and the main thread keeps
 * working meanwhile); xattrs are only fetched for entries that have some. Without the addon it is
 * readdir plus `nodeFromPath` per entry. Both give the same nodes and the same errors.
 */
import { readdir } from 'node:fs/promises';
import { getSystemErrorName } from 'node:util';
import type { Node } from '../tree/index.ts';
import { fsError, isXattrUnsupported } from './fs-error.ts';
import { SCAN, scanDirNative, type NativeDirScan } from './native.ts';
import { completeNode, nodeFromPath, nodeFromStat, type NameTables, type NodeFromPathOptions } from './node-from-path.ts';

export interface DirListing {
  /** entry names, sorted bytewise (Go's string order), without `.` and `..` */
  readonly names: readonly Buffer[];
  /**
   * The node of entry `i` found at `path` (null for a socket): at once when the listing has all
   * of it, a promise when more must be read (a symlink's target, xattrs). Fails with a SkiffError
   * as `nodeFromPath` does (`NotFound` when the entry vanished), thrown or as a rejection.
   */
  node(i: number, path: Buffer): Node | null | Promise<Node | null>;
}

/** Lists a directory; rejects with the fs error of opening or reading it. */
export async function listDir(dirPath: Buffer, opts: NodeFromPathOptions): Promise<DirListing> {
  const scan = scanDirNative(dirPath);
  if (scan === undefined) return listPortable(dirPath, opts);
  const [result, names] = await Promise.all([scan, opts.users.tables()]);
  return new NativeListing(result, names, opts);
}

async function listPortable(dirPath: Buffer, opts: NodeFromPathOptions): Promise<DirListing> {
  const names = await readdir(dirPath, { encoding: 'buffer' });
  names.sort(Buffer.compare);
  return { names, node: (i, path) => nodeFromPath(path, names[i]!, opts) };
}

function errnoError(errno: number, syscall: string, path: Buffer): Error {
  const code = getSystemErrorName(-errno);
  return Object.assign(new Error(`${code}: ${syscall} '${path.toString()}'`), { code, errno: -errno, syscall });
}

class NativeListing implements DirListing {
  readonly names: readonly Buffer[];
  readonly #f: Float64Array;
  readonly #big: BigUint64Array;
  readonly #tables: NameTables;
  readonly #opts: NodeFromPathOptions;

  constructor(scan: NativeDirScan, tables: NameTables, opts: NodeFromPathOptions) {
    this.names = scan.names;
    this.#f = scan.f;
    this.#big = scan.big;
    this.#tables = tables;
    this.#opts = opts;
  }

  node(i: number, path: Buffer): Node | null | Promise<Node | null> {
    const f = this.#f;
    const o = i * SCAN.F;
    const b = i * SCAN.B;
    if (f[o + SCAN.ERRNO]! !== 0) throw fsError(errnoError(f[o + SCAN.ERRNO]!, 'lstat', path), 'lstat', path);
    const node = nodeFromStat(
      path,
      this.names[i]!,
      {
        mode: f[o + SCAN.MODE]!,
        uid: f[o + SCAN.UID]!,
        gid: f[o + SCAN.GID]!,
        nlink: BigInt(f[o + SCAN.NLINK]!),
        size: BigInt(f[o + SCAN.SIZE]!),
        ino: this.#big[b + SCAN.INO]!,
        dev: this.#big[b + SCAN.DEV]!,
        rdev: this.#big[b + SCAN.RDEV]!,
        mtimeSec: f[o + SCAN.MTIME_S]!,
        mtimeNsec: f[o + SCAN.MTIME_NS]!,
        ctimeSec: f[o + SCAN.CTIME_S]!,
        ctimeNsec: f[o + SCAN.CTIME_NS]!,
        atimeSec: f[o + SCAN.ATIME_S]!,
        atimeNsec: f[o + SCAN.ATIME_NS]!,
      },
      this.#tables,
      this.#opts,
    );
    if (node === null) return null;
    if (node.type === 'symlink') return completeNode(path, node);
    const xattrBytes = f[o + SCAN.XATTR]!;
    if (xattrBytes > 0) return completeNode(path, node);
    if (xattrBytes < 0) {
      const err = errnoError(-xattrBytes, 'llistxattr', path);
      if (!isXattrUnsupported(err)) throw fsError(err, 'llistxattr', path);
    }
    return node;
  }
}
