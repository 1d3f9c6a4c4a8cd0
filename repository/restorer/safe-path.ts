/**
 * Guards against a malicious or damaged repository writing outside the restore target.
 * Names come from tree blobs: they must be single, non-empty path components.
 */
import { lstat, mkdir, unlink, rm } from 'node:fs/promises';
import { SkiffError } from '../errors/errors.ts';

const SLASH = 0x2f;

export function checkName(name: Buffer, where: string): void {
  if (
    name.length === 0 ||
    name.includes(SLASH) ||
    name.includes(0) ||
    (name.length === 1 && name[0] === 0x2e) ||
    (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e)
  ) {
    throw new SkiffError('Integrity', `refusing tree entry ${JSON.stringify(name.toString())} in ${where}: not a plain file name`);
  }
}

export function joinPath(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from('/'), name]);
}

/** Makes `p` a real directory: a symlink or file in the way is removed, never followed. */
export async function ensureDir(p: Buffer, mode = 0o700): Promise<void> {
  try {
    await mkdir(p, { mode });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = await lstat(p);
  if (st.isDirectory()) return;
  await unlink(p);
  await mkdir(p, { mode });
}

/** Removes whatever is at `p` (not following symlinks) so a new node can be created there. */
export async function clearPath(p: Buffer): Promise<void> {
  try {
    const st = await lstat(p);
    if (st.isDirectory()) await rm(p, { recursive: true, force: true });
    else await unlink(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** `clearPath` with synchronous calls (shared with the restore workers, which create most files). */
export { clearPathSync } from '../workers/clear-path.ts';
