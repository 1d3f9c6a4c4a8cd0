/**
 * Opening files for backup without touching their access time (O_NOATIME, as restic does on
 * Linux). Besides leaving atime alone, this saves a journaled inode write per file whenever
 * relatime would update it (after any ctime change, e.g. a new hard link). Only the owner or a
 * process with CAP_FOWNER may ask for it; otherwise the open fails with EPERM and is retried
 * without the flag. Platforms without O_NOATIME simply open normally.
 */
import { constants, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

const NOATIME = constants.O_NOATIME ?? 0;

const isEperm = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EPERM';

export function openReadSync(path: Buffer, flags: number = 0): number {
  if (NOATIME !== 0) {
    try {
      return openSync(path, constants.O_RDONLY | NOATIME | flags);
    } catch (err) {
      if (!isEperm(err)) throw err;
    }
  }
  return openSync(path, constants.O_RDONLY | flags);
}

export async function openRead(path: Buffer): Promise<FileHandle> {
  if (NOATIME !== 0) {
    try {
      return await open(path, constants.O_RDONLY | NOATIME);
    } catch (err) {
      if (!isEperm(err)) throw err;
    }
  }
  return open(path, constants.O_RDONLY);
}
