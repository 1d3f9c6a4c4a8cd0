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
  formatRFC3339Nano,
  goModeFromPosix,
  goTimeFromStat,
  localOffsetMinutes,
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

/** Returns null for a socket (restic skips them). Errors are SkiffErrors (`NotFound` if gone). */
export async function nodeFromPath(path: PathArg, name: Buffer, opts: NodeFromPathOptions): Promise<Node | null> {
  let st: BigIntStats;
  try {
    st = await lstat(path, { bigint: true });
  } catch (err) {
    throw fsError(err, 'lstat', path);
  }
  const stMode = Number(st.mode);
  const type = nodeTypeFromPosix(stMode);
  if (type === undefined) throw new SkiffError('Permanent', `${displayPath(path)}: unsupported file type ${stMode.toString(8)}`);
  if (type === 'socket') return null;
  const time = (ns: bigint): string => {
    const t = goTimeFromStat(ns, 0);
    t.offsetMinutes = (opts.offsetMinutes ?? localOffsetMinutes)(t.sec);
    return formatRFC3339Nano(t);
  };
  const uid = Number(st.uid);
  const gid = Number(st.gid);
  const node: Node = {
    name,
    type,
    mode: goModeFromPosix(stMode),
    mtime: time(st.mtimeNs),
    atime: time(opts.withAtime === true ? st.atimeNs : st.mtimeNs),
    ctime: time(st.ctimeNs),
    uid,
    gid,
    content: type === 'file' ? [] : null,
  };
  const user = await opts.users.userName(uid);
  const group = await opts.users.groupName(gid);
  if (user !== '') node.user = user;
  if (group !== '') node.group = group;
  if (st.ino !== 0n) node.inode = st.ino;
  if (st.dev !== 0n) node.deviceId = st.dev;
  if (type === 'file' && st.size !== 0n) node.size = st.size;
  if (type === 'file' || type === 'symlink' || type === 'dev' || type === 'chardev') node.links = st.nlink;
  if ((type === 'dev' || type === 'chardev') && st.rdev !== 0n) node.device = st.rdev;
  if (type === 'symlink') {
    try {
      node.linktarget = await readlink(path, { encoding: 'buffer' });
    } catch (err) {
      throw fsError(err, 'readlink', path);
    }
  } else {
    const xattrs = await readXattrs(path);
    if (xattrs.length > 0) node.extendedAttributes = xattrs;
  }
  return node;
}
