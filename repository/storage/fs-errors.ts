import { SkiffError } from '../errors/errors.ts';

const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'ETIMEDOUT', 'EINTR']);

export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** Maps a Node filesystem error to a SkiffError; `what` names the file for the message. */
export function mapFsError(err: unknown, what: string): SkiffError {
  if (err instanceof SkiffError) return err;
  const code = errnoCode(err);
  const reason = err instanceof Error ? err.message : String(err);
  if (code === 'ENOENT') return new SkiffError('NotFound', `${what} not found`, { cause: err });
  if (code === 'EACCES' || code === 'EPERM') {
    return new SkiffError('Permanent', `permission denied: ${what}`, { cause: err });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new SkiffError('Permanent', `no space left for ${what}`, { cause: err });
  }
  if (code !== undefined && TRANSIENT.has(code)) {
    return new SkiffError('Transient', `${what}: ${reason}`, { cause: err });
  }
  return new SkiffError('Permanent', `${what}: ${reason}`, { cause: err });
}
