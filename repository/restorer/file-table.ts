/**
 * The regular files of a restore plan, one row each in columns: parent directory, name, size,
 * hardlink target and the metadata restore applies (owner, mode, parsed times). Rare extras
 * (xattrs, times that do not parse) sit in a side map. Paths are built on demand from the
 * parent's path and the name, so a file costs about 60 bytes plus its name, not a Node object.
 */
import { SkiffError } from '../errors/errors.ts';
import type { FileMetadata } from '../fs/apply-metadata.ts';
import { posixPermFromGoMode, type Node } from '../tree/index.ts';
import { parseTime } from './time-cache.ts';
import { ByteArena, Column } from './column.ts';

const SLASH = Buffer.from('/');

interface Extra {
  xattrs?: NonNullable<FileMetadata['xattrs']>;
  timeError?: string;
}

export class FileTable {
  /** parent directory paths, referred to by number */
  readonly #dirs: Buffer[] = [];
  readonly #dir = new Column((n) => new Uint32Array(n));
  readonly #nameAt = new Column((n) => new Float64Array(n));
  readonly #nameLen = new Column((n) => new Uint32Array(n));
  readonly #names = new ByteArena();
  readonly #size = new Column((n) => new Float64Array(n));
  readonly #linkTo = new Column((n) => new Int32Array(n));
  readonly #uid = new Column((n) => new Uint32Array(n));
  readonly #gid = new Column((n) => new Uint32Array(n));
  readonly #perm = new Column((n) => new Uint32Array(n));
  readonly #aSec = new Column((n) => new Float64Array(n));
  readonly #aNs = new Column((n) => new Uint32Array(n));
  readonly #mSec = new Column((n) => new Float64Array(n));
  readonly #mNs = new Column((n) => new Uint32Array(n));
  readonly #extra = new Map<number, Extra>();

  get length(): number {
    return this.#size.length;
  }

  /** Registers a directory files will be added to; returns its number. */
  addDir(path: Buffer): number {
    return this.#dirs.push(path) - 1;
  }

  /** Adds file `node` in directory `dir`; `linkTo` is the file it is a hardlink to, or -1. */
  add(dir: number, node: Node, linkTo: number): number {
    const i = this.#size.push(Number(node.size ?? 0n));
    this.#dir.push(dir);
    this.#nameAt.push(this.#names.push(node.name));
    this.#nameLen.push(node.name.length);
    this.#linkTo.push(linkTo);
    this.#uid.push(node.uid);
    this.#gid.push(node.gid);
    this.#perm.push(posixPermFromGoMode(node.mode));
    const extra: Extra = {};
    try {
      const a = parseTime(node.atime); // first, as applyMetadata parses them (an error names atime)
      const m = node.mtime === node.atime ? a : parseTime(node.mtime); // restic's default: the same
      this.#aSec.push(a.sec);
      this.#aNs.push(a.nsec);
      this.#mSec.push(m.sec);
      this.#mNs.push(m.nsec);
    } catch (err) {
      // reported when metadata is applied, as applyMetadata reports it
      this.#aSec.push(0);
      this.#aNs.push(0);
      this.#mSec.push(0);
      this.#mNs.push(0);
      extra.timeError = err instanceof SkiffError ? err.message : String(err);
    }
    if (node.extendedAttributes?.length) extra.xattrs = node.extendedAttributes;
    if (extra.xattrs || extra.timeError !== undefined) this.#extra.set(i, extra);
    return i;
  }

  path(i: number): Buffer {
    const at = this.#nameAt.get(i);
    return Buffer.concat([this.#dirs[this.#dir.get(i)]!, SLASH, this.#names.view(at, this.#nameLen.get(i))]);
  }

  /**
   * The paths of files `rows`, as views of one buffer of their own: a job's paths cross to a
   * worker as one copy, and leave no 64 KiB pool slabs behind for each job in flight.
   */
  paths(rows: readonly number[]): Buffer[] {
    let total = 0;
    for (const i of rows) total += this.#dirs[this.#dir.get(i)]!.length + 1 + this.#nameLen.get(i);
    const all = Buffer.allocUnsafeSlow(total);
    let at = 0;
    return rows.map((i) => {
      const from = at;
      at += this.#dirs[this.#dir.get(i)]!.copy(all, at);
      all[at++] = 0x2f;
      at += this.#names.view(this.#nameAt.get(i), this.#nameLen.get(i)).copy(all, at);
      return all.subarray(from, at);
    });
  }

  /** The number of the directory file `i` is in. */
  dir(i: number): number {
    return this.#dir.get(i);
  }

  size(i: number): number {
    return this.#size.get(i);
  }

  /** The file `i` is a hardlink to, or -1. */
  linkTo(i: number): number {
    return this.#linkTo.get(i);
  }

  meta(i: number): FileMetadata {
    const extra = this.#extra.get(i);
    return {
      uid: this.#uid.get(i),
      gid: this.#gid.get(i),
      perm: this.#perm.get(i),
      atime: { sec: BigInt(this.#aSec.get(i)), nsec: this.#aNs.get(i) },
      mtime: { sec: BigInt(this.#mSec.get(i)), nsec: this.#mNs.get(i) },
      ...extra,
    };
  }
}
