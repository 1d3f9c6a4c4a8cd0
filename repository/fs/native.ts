/**
 * The native addon (native/skiff_fs.c, built by `npm install` through the root binding.gyp)
 * for what Node lacks: nanosecond utimensat, xattrs, mkfifo and mknod. When it did not build
 * or load, timestamps fall back to Node's utimes (microsecond precision) and xattrs, fifos and
 * devices are unavailable; callers learn this from `nativeAvailable()`, never from console output.
 */
import { lutimes, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { GoTime } from '../tree/index.ts';

/** A file path as a string or as raw bytes (names need not be UTF-8). */
export type PathArg = string | Buffer;

interface Addon {
  utimensat(path: PathArg, atimeSec: bigint, atimeNsec: number, mtimeSec: bigint, mtimeNsec: number, noFollow: boolean): void;
  llistxattr(path: PathArg): Buffer[];
  lgetxattr(path: PathArg, name: PathArg): Buffer;
  lsetxattr(path: PathArg, name: PathArg, value: Buffer): void;
  mkfifo(path: PathArg, mode: number): void;
  mknod(path: PathArg, mode: number, dev: bigint): void;
  scandir(path: PathArg): Promise<NativeDirScan>;
}

/**
 * One directory read by the addon (native/skiff_fs.c, `scandir`): entry names sorted bytewise,
 * and per entry SCAN_F numbers in `f` and SCAN_B in `big` (indices below).
 */
export interface NativeDirScan {
  readonly names: Buffer[];
  readonly f: Float64Array;
  readonly big: BigUint64Array;
}

/** Layout of `NativeDirScan.f`: lstat fields, the xattr list size (-errno on failure), lstat's errno. */
export const SCAN = {
  MODE: 0, UID: 1, GID: 2, NLINK: 3, SIZE: 4, MTIME_S: 5, MTIME_NS: 6, CTIME_S: 7, CTIME_NS: 8,
  ATIME_S: 9, ATIME_NS: 10, XATTR: 11, ERRNO: 12, F: 13,
  /** `NativeDirScan.big`: inode, device, rdev */
  INO: 0, DEV: 1, RDEV: 2, B: 3,
} as const;

let loaded: Addon | undefined;
let loadError: string | undefined;
try {
  loaded = createRequire(import.meta.url)('../../build/Release/skiff_fs.node') as Addon;
} catch (err) {
  loadError = err instanceof Error ? err.message.split('\n')[0] : String(err);
}
let active = loaded;
let warned = false;

/** True when the native addon is loaded: nanosecond times and xattrs work. */
export function nativeAvailable(): boolean {
  return active !== undefined;
}

/** Why the addon did not load (first line of the error), if it did not. */
export function nativeLoadError(): string | undefined {
  return active === undefined ? (loadError ?? 'disabled') : undefined;
}

/** The degradation notice, returned once per process while the addon is missing. */
export function takeNativeWarning(): string | undefined {
  if (active !== undefined || warned) return undefined;
  warned = true;
  return `native fs addon not loaded (${nativeLoadError()}): times restored with microsecond precision, xattrs, fifos and devices skipped; run "npm install" with a C compiler to build it`;
}

/** Test hook: switch the addon off (or back on, if it loaded) in this process. */
export function useNativeForTesting(enabled: boolean): void {
  active = enabled ? loaded : undefined;
  warned = false;
}

function need(what: string): Addon {
  if (active === undefined) throw Object.assign(new Error(`${what} needs the native fs addon (${nativeLoadError()})`), { code: 'ENOTSUP' });
  return active;
}

/**
 * Sets atime and mtime (of the link itself when `noFollow`). Returns the precision achieved:
 * 'ns' with the addon, 'us' through Node's utimes.
 */
export async function setTimes(path: PathArg, atime: GoTime, mtime: GoTime, noFollow: boolean): Promise<'ns' | 'us'> {
  if (active !== undefined) {
    active.utimensat(path, atime.sec, atime.nsec, mtime.sec, mtime.nsec, noFollow);
    return 'ns';
  }
  const seconds = (t: GoTime): number => Number(t.sec) + t.nsec / 1e9;
  await (noFollow ? lutimes : utimes)(path, seconds(atime), seconds(mtime));
  return 'us';
}

/** Names of the path's xattrs (of a symlink itself), in the order the OS lists them. */
export async function listXattrs(path: PathArg): Promise<Buffer[]> {
  return need('llistxattr').llistxattr(path);
}

export async function getXattr(path: PathArg, name: PathArg): Promise<Buffer> {
  return need('lgetxattr').lgetxattr(path, name);
}

export async function setXattr(path: PathArg, name: PathArg, value: Buffer): Promise<void> {
  need('lsetxattr').lsetxattr(path, name, value);
}

export async function makeFifo(path: PathArg, mode: number): Promise<void> {
  need('mkfifo').mkfifo(path, mode);
}

/** mknod(2); `mode` includes S_IFBLK or S_IFCHR, `dev` is the Linux st_rdev encoding. */
export async function makeDevice(path: PathArg, mode: number, dev: bigint): Promise<void> {
  need('mknod').mknod(path, mode, dev);
}

/** A directory's entries and their lstat, read off the main thread; undefined without the addon. */
export function scanDirNative(path: PathArg): Promise<NativeDirScan> | undefined {
  return active?.scandir(path);
}
