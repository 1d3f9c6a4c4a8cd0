/**
 * The bytes a volume backup will read (regular files' sizes), for `status.progress.totalBytes`.
 * Runs beside the backup, as restic's scanner does; a directory that cannot be read counts as
 * empty. One directory is listed at a time, so memory stays bounded by the deepest path.
 */
import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import { DONE_DIR } from './volume-backup.ts';

export async function volumeSize(root: string, signal?: AbortSignal): Promise<number> {
  let total = 0;
  const dirs = [root];
  while (dirs.length > 0) {
    if (signal?.aborted === true) throw new Error('scan aborted');
    const dir = dirs.pop()!;
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      continue;
    }
    for await (const e of handle) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!(dir === root && e.name === DONE_DIR)) dirs.push(p);
      } else if (e.isFile()) {
        total += await lstat(p).then((s) => s.size, () => 0);
      }
    }
  }
  return total;
}
