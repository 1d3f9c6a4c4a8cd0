/** Removing what is in the way of a file restore creates (also used on the main thread). */
import { lstatSync, rmSync, unlinkSync } from 'node:fs';

/** Removes whatever is at `p` (not following symlinks; a directory with its contents) so a new node can be created there. */
export function clearPathSync(p: Buffer): void {
  try {
    const st = lstatSync(p);
    if (st.isDirectory()) rmSync(p, { recursive: true, force: true });
    else unlinkSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
