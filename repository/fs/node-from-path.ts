/**
 * A tree node from a path's lstat, as restic 0.14's archiver fills it (§9.2): Go FileMode,
 * nanosecond times in the local offset (atime = mtime unless `withAtime`), inode and device, size for files, links for
 * file/symlink/dev/chardev, rdev for devices, the raw symlink target, and xattrs for every type
 * but symlinks. `content` starts as `[]` for files and `null` otherwise; `subtree` is the
 * caller's to set.
 */
import { lstat, readlink } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { SkiffError } from '../errors/errors.ts';
import {
  cachedLocalOffset,
  formatRFC3339Nano,
  formatUnixTime,
  goModeFromPosix,
  nodeTypeFromPosix,
  type ExtendedAttribute,
  type Node,
} from '../tree/index.ts';
import { displayPath, fsError, isXattrUnsupported } from './fs-error.ts';
import { getXattr, listXattrs, nativeAvailable, type PathArg } from './native.ts';
import type { UserNames } from './user-names.ts';

export interface NodeFromPathOptions {
  users: UserNames;
  /** Zone offset for timestamps; defaults to this machine's local offset at each instant. */
  offsetMinutes?: (epochSec: bigint) => number;
  /**
   * Record the real atime (restic's `--with-atime`). By default atime is set to mtime, as
   * restic does, so reading files does not change tree IDs between backups.
   */
  withAtime?: boolean;
}

/**
 * The path's xattrs (without following a symlink). Without the native addon, or on a
 * filesystem without xattrs, there are none; an attribute removed meanwhile is skipped.
 */
export async function readXattrs(path: PathArg): Promise<ExtendedAttribute[]> {
  if (!nativeAvailable()) return [];
  let names: Buffer[];
  try {
    names = await listXattrs(path);
  } catch (err) {
    if (isXattrUnsupported(err)) return [];
    throw fsError(err, 'llistxattr', path);
  }
  const out: ExtendedAttribute[] = [];
  for (const name of names) {
    try {
      out.push({ name: name.toString('utf8'), value: await getXattr(path, name) });
    } catch (err) {
      if (!isXattrUnsupported(err)) throw fsError(err, 'lgetxattr', path);
    }
  }
  return out;
}

/** What a node is made of: lstat's fields, times as whole seconds plus nanoseconds. */
export interface RawStat {
  mode: number;
  uid: number;
  gid: number;
  nlink: bigint;
  size: bigint;
  ino: bigint;
  dev: bigint;
  rdev: bigint;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  atimeSec: number;
  atimeNsec: number;
}

const NS = 1_000_000_000n;

function split(ns: bigint): [number, number] {
  let sec = ns / NS;
  let rem = ns - sec * NS;
  if (rem < 0n) {
    sec -= 1n;
    rem += NS;
  }
  return [Number(sec), Number(rem)];
}

function rawFromStats(st: BigIntStats): RawStat {
  const [mtimeSec, mtimeNsec] = split(st.mtimeNs);
  const [ctimeSec, ctimeNsec] = split(st.ctimeNs);
  const [atimeSec, atimeNsec] = split(st.atimeNs);
  return {
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    nlink: st.nlink,
    size: st.size,
    ino: st.ino,
    dev: st.dev,
    rdev: st.rdev,
    mtimeSec,
    mtimeNsec,
    ctimeSec,
    ctimeNsec,
    atimeSec,
    atimeNsec,
  };
}

export interface NameTables {
  readonly users: ReadonlyMap<number, string>;
  readonly groups: ReadonlyMap<number, string>;
}

/**
 * The node for a stat, without its symlink target and xattrs (the caller's: they need more
 * calls). Null for a socket; an unknown file type throws `Permanent`.
 */
export function nodeFromStat(path: PathArg, name: Buffer, st: RawStat, names: NameTables, opts: NodeFromPathOptions): Node | null {
  const type = nodeTypeFromPosix(st.mode);
  if (type === undefined) throw new SkiffError('Permanent', `${displayPath(path)}: unsupported file type ${st.mode.toString(8)}`);
  if (type === 'socket') return null;
  const time = (sec: number, nsec: number): string => {
    if (opts.offsetMinutes === undefined) return formatUnixTime(sec, nsec, cachedLocalOffset(sec));
    return formatRFC3339Nano({ sec: BigInt(sec), nsec, offsetMinutes: opts.offsetMinutes(BigInt(sec)) });
  };
  const mtime = time(st.mtimeSec, st.mtimeNsec);
  const node: Node = {
    name,
    type,
    mode: goModeFromPosix(st.mode),
    mtime,
    atime: opts.withAtime === true ? time(st.atimeSec, st.atimeNsec) : mtime,
    ctime: time(st.ctimeSec, st.ctimeNsec),
    uid: st.uid,
    gid: st.gid,
    content: type === 'file' ? [] : null,
  };
  const user = names.users.get(st.uid);
  const group = names.groups.get(st.gid);
  if (user) node.user = user;
  if (group) node.group = group;
  if (st.ino !== 0n) node.inode = st.ino;
  if (st.dev !== 0n) node.deviceId = st.dev;
  if (type === 'file' && st.size !== 0n) node.size = st.size;
  if (type === 'file' || type === 'symlink' || type === 'dev' || type === 'chardev') node.links = st.nlink;
  if ((type === 'dev' || type === 'chardev') && st.rdev !== 0n) node.device = st.rdev;
  return node;
}

/** Sets a symlink's target or a node's xattrs (`listed`: the xattr list is known to be empty). */
export async function completeNode(path: PathArg, node: Node, listed?: 'none'): Promise<Node> {
  if (node.type === 'symlink') {
    try {
      node.linktarget = await readlink(path, { encoding: 'buffer' });
    } catch (err) {
      throw fsError(err, 'readlink', path);
    }
  } else if (listed !== 'none') {
    const xattrs = await readXattrs(path);
    if (xattrs.length > 0) node.extendedAttributes = xattrs;
  }
  return node;
}

/** Returns null for a socket (restic skips them). Errors are SkiffErrors (`NotFound` if gone). */
export async function nodeFromPath(path: PathArg, name: Buffer, opts: NodeFromPathOptions): Promise<Node | null> {
  let st: BigIntStats;
  try {
    st = await lstat(path, { bigint: true });
  } catch (err) {
    throw fsError(err, 'lstat', path);
  }
  const node = nodeFromStat(path, name, rawFromStats(st), await opts.users.tables(), opts);
  return node === null ? null : completeNode(path, node);
}
