/**
 * Recreating fifos and device nodes on restore, as restic does: mkfifo(0600) or
 * mknod(S_IFBLK/S_IFCHR | 0600, device); the caller then applies metadata (chmod etc.).
 */
import { SkiffError } from '../errors/errors.ts';
import type { Node } from '../tree/index.ts';
import { displayPath, fsError } from './fs-error.ts';
import { makeDevice, makeFifo, nativeAvailable, nativeLoadError, type PathArg } from './native.ts';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

export interface CreateSpecialOptions {
  /** Devices can only be created as root; defaults to the process's effective uid being 0. */
  isRoot?: boolean;
}

/** Creates `path` as the fifo or device `node` describes. Impossible cases throw `Permanent`. */
export async function createSpecial(path: PathArg, node: Node, opts: CreateSpecialOptions = {}): Promise<void> {
  const where = displayPath(path);
  if (node.type !== 'fifo' && node.type !== 'dev' && node.type !== 'chardev') {
    throw new SkiffError('Permanent', `cannot create ${where}: ${node.type} is not a special file`);
  }
  if (!nativeAvailable()) {
    throw new SkiffError('Permanent', `cannot create ${node.type} ${where}: native fs addon not loaded (${nativeLoadError()})`);
  }
  if (node.type === 'fifo') {
    await makeFifo(path, 0o600).catch((err: unknown) => {
      throw fsError(err, 'mkfifo', path);
    });
    return;
  }
  const isRoot = opts.isRoot ?? process.geteuid?.() === 0;
  if (!isRoot) throw new SkiffError('Permanent', `cannot create device ${where}: only root can create devices`);
  const mode = (node.type === 'dev' ? S_IFBLK : S_IFCHR) | 0o600;
  await makeDevice(path, mode, node.device ?? 0n).catch((err: unknown) => {
    throw fsError(err, 'mknod', path);
  });
}
