import { SkiffError, type ErrorCode } from '../errors/errors.ts';
import type { PathArg } from './native.ts';

/** The errno name (`ENOENT`, `ENOTSUP`…) of a Node or addon error, if any. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Go's os.IsPermission. */
export function isPermission(err: unknown): boolean {
  const c = errnoCode(err);
  return c === 'EPERM' || c === 'EACCES';
}

/** True for "this filesystem has no xattrs / no such attribute", which restic ignores. */
export function isXattrUnsupported(err: unknown): boolean {
  const c = errnoCode(err);
  return c === 'ENOTSUP' || c === 'EOPNOTSUPP' || c === 'ENODATA';
}

const CODES: Record<string, ErrorCode> = {
  ENOENT: 'NotFound',
  ENOTDIR: 'NotFound',
  EEXIST: 'Conflict',
  EAGAIN: 'Transient',
  EINTR: 'Transient',
  EBUSY: 'Transient',
  ETIMEDOUT: 'Transient',
};

export function displayPath(path: PathArg): string {
  return typeof path === 'string' ? path : path.toString('utf8');
}

/** A SkiffError for a failed file-system call, e.g. "lchown /x/y: EPERM". */
export function fsError(err: unknown, action: string, path: PathArg): SkiffError {
  const code = errnoCode(err);
  const detail = code ?? (err instanceof Error ? err.message : String(err));
  return new SkiffError(CODES[code ?? ''] ?? 'Permanent', `${action} ${displayPath(path)}: ${detail}`, { cause: err });
}
