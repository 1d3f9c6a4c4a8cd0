/**
 * Restore-side metadata, in restic's order (§9.3): lchown, chmod (never on symlinks), atime and
 * mtime with nanosecond precision, then xattrs. Every step is attempted even when an earlier one
 * failed; failures are then thrown together.
 */
import { chmod, lchown } from 'node:fs/promises';
import { SkiffError } from '../errors/errors.ts';
import { parseRFC3339Nano, posixPermFromGoMode, type Node } from '../tree/index.ts';
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
 * Applies `node`'s ownership, permissions, times and xattrs to `path` (the entry itself, not a
 * symlink's target). Throws one SkiffError naming every step that failed. Filesystems without
 * xattr support are ignored, as restic does.
 */
export async function applyMetadata(path: PathArg, node: Node, opts: ApplyOptions): Promise<ApplyResult> {
  const errors: SkiffError[] = [];
  const warnings: string[] = [];
  const attempt = async (action: string, step: () => Promise<unknown>, ignore?: (err: unknown) => boolean): Promise<void> => {
    try {
      await step();
    } catch (err) {
      if (!ignore?.(err)) errors.push(err instanceof SkiffError ? err : fsError(err, action, path));
    }
  };

  await attempt('lchown', () => lchown(path, node.uid, node.gid), (err) => !opts.isRoot && isPermission(err));
  if (node.type !== 'symlink') await attempt('chmod', () => chmod(path, posixPermFromGoMode(node.mode)));
  await attempt('utimensat', () => setTimes(path, parseRFC3339Nano(node.atime), parseRFC3339Nano(node.mtime), node.type === 'symlink'));
  for (const a of node.extendedAttributes ?? []) {
    if (!nativeAvailable()) break;
    await attempt('lsetxattr', () => setXattr(path, a.name, a.value), isXattrUnsupported);
  }
  const warning = takeNativeWarning();
  if (warning !== undefined) warnings.push(warning);

  const [first] = errors;
  if (first === undefined) return { warnings };
  if (errors.length === 1) throw first;
  throw new SkiffError(first.code, errors.map((e) => e.message).join('; '), { cause: errors });
}
