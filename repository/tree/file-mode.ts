/**
 * Go `os.FileMode` as restic stores it in a node's `mode` (restic-format.md §11). It is a
 * uint32 whose high bits carry the file type and the setuid/setgid/sticky bits; the low 9 bits
 * are the POSIX permissions. Built with arithmetic and `>>> 0`: JS bitwise results are signed,
 * and a negative mode makes restic reject the whole tree.
 */
import type { NodeType } from './node.ts';

export const MODE_DIR = 2 ** 31;
export const MODE_APPEND = 2 ** 30;
export const MODE_EXCLUSIVE = 2 ** 29;
export const MODE_TEMPORARY = 2 ** 28;
export const MODE_SYMLINK = 2 ** 27;
export const MODE_DEVICE = 2 ** 26;
export const MODE_NAMED_PIPE = 2 ** 25;
export const MODE_SOCKET = 2 ** 24;
export const MODE_SETUID = 2 ** 23;
export const MODE_SETGID = 2 ** 22;
export const MODE_CHAR_DEVICE = 2 ** 21;
export const MODE_STICKY = 2 ** 20;
export const MODE_IRREGULAR = 2 ** 19;
export const MODE_PERM = 0o777;

// POSIX st_mode constants (Linux).
const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

function typeBits(fmt: number): number {
  switch (fmt) {
    case S_IFDIR:
      return MODE_DIR;
    case S_IFLNK:
      return MODE_SYMLINK;
    case S_IFBLK:
      return MODE_DEVICE;
    case S_IFCHR:
      return MODE_DEVICE + MODE_CHAR_DEVICE;
    case S_IFIFO:
      return MODE_NAMED_PIPE;
    case S_IFSOCK:
      return MODE_SOCKET;
    default:
      return 0;
  }
}

/** restic's `fi.Mode() & (perm | type | setuid | setgid | sticky)` from a POSIX `st_mode`. */
export function goModeFromPosix(stMode: number): number {
  let m = (stMode & MODE_PERM) + typeBits(stMode & S_IFMT);
  if (stMode & S_ISUID) m += MODE_SETUID;
  if (stMode & S_ISGID) m += MODE_SETGID;
  if (stMode & S_ISVTX) m += MODE_STICKY;
  return m >>> 0;
}

/** The mode `chmod` gets on restore: permissions plus setuid/setgid/sticky (≤ 0o7777). */
export function posixPermFromGoMode(mode: number): number {
  let p = mode & MODE_PERM;
  if (mode & MODE_SETUID) p |= S_ISUID;
  if (mode & MODE_SETGID) p |= S_ISGID;
  if (mode & MODE_STICKY) p |= S_ISVTX;
  return p;
}

/** restic's node type for a POSIX `st_mode`; `undefined` for a kind restic cannot store. */
export function nodeTypeFromPosix(stMode: number): NodeType | undefined {
  switch (stMode & S_IFMT) {
    case S_IFREG:
      return 'file';
    case S_IFDIR:
      return 'dir';
    case S_IFLNK:
      return 'symlink';
    case S_IFBLK:
      return 'dev';
    case S_IFCHR:
      return 'chardev';
    case S_IFIFO:
      return 'fifo';
    case S_IFSOCK:
      return 'socket';
    default:
      return undefined;
  }
}
