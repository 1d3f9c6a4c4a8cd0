/**
 * Restore-side metadata, in restic's order (§9.3): lchown, chmod (never on symlinks), atime and
 * mtime with nanosecond precision, then xattrs. Every step is attempted even when an earlier one
 * failed; failures are then thrown together.
 */
import { chmodSync, fchmodSync, fchownSync, lchownSync, utimesSync } from 'node:fs';
import { chmod, lchown } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { SkiffError } from '../errors/errors.ts';
import { parseRFC3339Nano, posixPermFromGoMode, type GoTime, type Node } from '../tree/index.ts';
import { fsError, isPermission, isXattrUnsupported } from './fs-error.ts';
import { nativeAvailable, setTimes, setXattr, takeNativeWarning, type PathArg } from './native.ts';

export interface ApplyOptions {
  /** As restic: lchown permission errors are ignored unless running as root. */
  isRoot: boolean;
}

export interface ApplyResult {
  /** Degradations to report once, e.g. the native addon missing (given once per process). */
  warnings: string[];
}

/**
 * A regular file's metadata as the restorer carries it for many files at once: parsed once, with
 * no Node object per file (see applyFileMetadata).
 */
export interface FileMetadata {
  readonly uid: number;
  readonly gid: number;
  /** permission bits with setuid, setgid and sticky (posixPermFromGoMode of the node's mode) */
  readonly perm: number;
  readonly atime: Pick<GoTime, 'sec' | 'nsec'>;
  readonly mtime: Pick<GoTime, 'sec' | 'nsec'>;
  /** why the node's times could not be parsed: reported as the time step's failure */
  readonly timeError?: string;
  readonly xattrs?: readonly { readonly name: string; readonly value: Uint8Array }[];
}

/** Runs the steps in order, collecting failures; throws them together at the end. */
class Steps {
  readonly #path: PathArg;
  readonly #errors: SkiffError[] = [];

  constructor(path: PathArg) {
    this.#path = path;
  }

  async attempt(action: string, step: () => Promise<unknown>, ignore?: (err: unknown) => boolean): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.#failed(action, err, ignore);
    }
  }

  attemptSync(action: string, step: () => void, ignore?: (err: unknown) => boolean): void {
    try {
      step();
    } catch (err) {
      this.#failed(action, err, ignore);
    }
  }

  #failed(action: string, err: unknown, ignore?: (err: unknown) => boolean): void {
    if (!ignore?.(err)) this.#errors.push(err instanceof SkiffError ? err : fsError(err, action, this.#path));
  }

  finish(): ApplyResult {
    const warnings: string[] = [];
    const warning = takeNativeWarning();
    if (warning !== undefined) warnings.push(warning);
    const [first] = this.#errors;
    if (first === undefined) return { warnings };
    if (this.#errors.length === 1) throw first;
    throw new SkiffError(first.code, this.#errors.map((e) => e.message).join('; '), { cause: this.#errors });
  }
}

/**
 * Applies `node`'s ownership, permissions, times and xattrs to `path` (the entry itself, not a
 * symlink's target). Throws one SkiffError naming every step that failed. Filesystems without
 * xattr support are ignored, as restic does.
 */
export async function applyMetadata(path: PathArg, node: Node, opts: ApplyOptions): Promise<ApplyResult> {
  const steps = new Steps(path);
  await steps.attempt('lchown', () => lchown(path, node.uid, node.gid), (err) => !opts.isRoot && isPermission(err));
  if (node.type !== 'symlink') await steps.attempt('chmod', () => chmod(path, posixPermFromGoMode(node.mode)));
  await steps.attempt('utimensat', () => setTimes(path, parseRFC3339Nano(node.atime), parseRFC3339Nano(node.mtime), node.type === 'symlink'));
  for (const a of node.extendedAttributes ?? []) {
    if (!nativeAvailable()) break;
    await steps.attempt('lsetxattr', () => setXattr(path, a.name, a.value), isXattrUnsupported);
  }
  return steps.finish();
}

/**
 * The addon's synchronous calls, for `applyFileMetadataSync`: native.ts wraps them in async
 * functions, whose failures arrive a microtask late, but restore workers answer each job
 * synchronously. Node's require cache makes this the very module native.ts loaded; it is used only
 * while `nativeAvailable()` says native.ts uses it too (so its test switch applies here as well).
 */
interface SyncAddon {
  utimensat(path: PathArg, atimeSec: bigint, atimeNsec: number, mtimeSec: bigint, mtimeNsec: number, noFollow: boolean): void;
  lsetxattr(path: PathArg, name: PathArg, value: Buffer): void;
}
let syncAddon: SyncAddon | null | undefined;

function addon(): SyncAddon | undefined {
  if (!nativeAvailable()) return undefined;
  if (syncAddon === undefined) {
    try {
      syncAddon = createRequire(import.meta.url)('../../build/Release/skiff_fs.node') as SyncAddon;
    } catch {
      syncAddon = null;
    }
  }
  return syncAddon ?? undefined;
}

/**
 * `applyMetadata` for a regular file the restorer just wrote, synchronously: the same steps,
 * messages and order, but from a `FileMetadata`, and with `fd` (open on `path`) owner and mode are
 * set on the descriptor, sparing two path lookups per file. Times and xattrs go by path. Without
 * the addon, times are set through utimes (microseconds) and xattrs are skipped, as applyMetadata does.
 */
export function applyFileMetadataSync(path: Buffer, fd: number | undefined, m: FileMetadata, opts: ApplyOptions): ApplyResult {
  const steps = new Steps(path);
  const native = addon();
  steps.attemptSync('lchown', () => (fd === undefined ? lchownSync(path, m.uid, m.gid) : fchownSync(fd, m.uid, m.gid)), (err) => !opts.isRoot && isPermission(err));
  steps.attemptSync('chmod', () => (fd === undefined ? chmodSync(path, m.perm) : fchmodSync(fd, m.perm)));
  steps.attemptSync('utimensat', () => {
    if (m.timeError !== undefined) throw new SkiffError('Integrity', m.timeError);
    if (native) native.utimensat(path, m.atime.sec, m.atime.nsec, m.mtime.sec, m.mtime.nsec, false);
    else utimesSync(path, Number(m.atime.sec) + m.atime.nsec / 1e9, Number(m.mtime.sec) + m.mtime.nsec / 1e9);
  });
  for (const a of m.xattrs ?? []) {
    if (!native) break;
    const value = Buffer.from(a.value.buffer, a.value.byteOffset, a.value.byteLength);
    steps.attemptSync('lsetxattr', () => native.lsetxattr(path, a.name, value), isXattrUnsupported);
  }
  return steps.finish();
}
