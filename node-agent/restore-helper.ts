/**
 * `skiff restore-helper <restore-uid>`: the `restore-wait` init container. Waits until every
 * volume mounted under /restores/<volume> holds the done file `.skiff/<restore-uid>`, removes
 * the done files and exits 0. Unlike Velero's helper it gives up after a timeout with a message
 * naming the volumes still missing, so a restore that can never finish is visible, not a hang.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SkiffError } from '../repository/index.ts';
import { DONE_DIR } from './volume-backup.ts';

export interface WaitOptions {
  readonly root?: string;
  readonly restoreUid: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly onWaiting?: (missing: readonly string[]) => void;
}

export async function waitForRestores(o: WaitOptions): Promise<string[]> {
  const root = o.root ?? '/restores';
  const now = o.now ?? Date.now;
  const deadline = now() + o.timeoutMs;
  if (!/^[0-9a-zA-Z-]+$/.test(o.restoreUid)) throw new SkiffError('Config', `invalid restore UID "${o.restoreUid}"`);
  for (;;) {
    const volumes = await readdir(root).catch(() => [] as string[]);
    const missing: string[] = [];
    for (const v of volumes) {
      const done = await stat(path.join(root, v, DONE_DIR, o.restoreUid)).then(() => true, () => false);
      if (!done) missing.push(v);
    }
    if (volumes.length > 0 && missing.length === 0) {
      // a done file that cannot be removed (another user's volume) must not keep the pod waiting
      for (const v of volumes) await rm(path.join(root, v, DONE_DIR), { recursive: true, force: true }).catch(() => undefined);
      return volumes;
    }
    if (now() >= deadline) {
      const what = volumes.length === 0 ? `no volumes are mounted under ${root}` : `volumes still not restored: ${missing.join(', ')}`;
      throw new SkiffError('Cancelled', `gave up waiting for restored data after ${Math.round(o.timeoutMs / 1000)}s: ${what}`);
    }
    o.onWaiting?.(missing);
    await sleep(o.intervalMs ?? 1000);
  }
}
