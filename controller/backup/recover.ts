/**
 * Backups a previous server process left InProgress. A backup runs inside one reconcile call,
 * so an InProgress backup this process is not running was interrupted. If its metadata file made
 * it to storage (the crash came after the last write), the stored status is adopted; otherwise
 * the partial objects under `backups/<name>/` are removed and the backup is marked Failed.
 * Idempotent: running it twice gives the same result.
 */
import { type Backup, PLURALS } from '../../crds/index.ts';
import { type ReconcileContext, formatTime } from '../runtime/index.ts';
import { backupKeys } from './storage-keys.ts';

export const INTERRUPTED_REASON = 'server restarted while the backup was in progress';

export type RecoverContext = Pick<ReconcileContext, 'client' | 'log' | 'clock' | 'objectStore'>;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Settles one interrupted backup (see the module comment). */
export async function recoverBackup(backup: Backup, ctx: RecoverContext): Promise<void> {
  const name = backup.metadata.name ?? '';
  const log = ctx.log.child({ component: 'backup', backup: name });
  const bsl = backup.spec.storageLocation;
  if (bsl !== undefined && bsl !== '') {
    try {
      const store = await ctx.objectStore(bsl);
      const keys = backupKeys(name);
      if (await store.exists(keys.metadata)) {
        const stored = JSON.parse((await store.get(keys.metadata)).toString('utf8')) as Backup;
        const phase = stored.status?.phase;
        if (stored.metadata.uid === backup.metadata.uid && (phase === 'Completed' || phase === 'PartiallyFailed') && stored.status !== undefined) {
          await ctx.client.patchStatus(PLURALS.Backup, name, stored.status);
          log.info({ phase }, 'interrupted backup had finished writing; adopted its stored status');
          return;
        }
        // another backup of this name owns the objects: this one never wrote any
      } else {
        const removed = await store.deletePrefix(keys.dir);
        log.info({ removed }, 'removed the objects of an interrupted backup');
      }
    } catch (err) {
      log.warn({ err: message(err) }, 'could not clean up an interrupted backup in storage; without its metadata file sync ignores it');
    }
  }
  await ctx.client.patchStatus(PLURALS.Backup, name, {
    phase: 'Failed',
    failureReason: INTERRUPTED_REASON,
    completionTimestamp: formatTime(ctx.clock.now()),
  });
  log.warn({}, `backup marked Failed: ${INTERRUPTED_REASON}`);
}

/**
 * On server start (after winning leader election, before reconcilers run): settles every
 * Backup left InProgress. Returns how many were found.
 */
export async function recoverInterrupted(ctx: RecoverContext): Promise<number> {
  const backups = await ctx.client.list<Backup>(PLURALS.Backup);
  const stuck = backups.filter((b) => b.status?.phase === 'InProgress');
  for (const b of stuck) await recoverBackup(b, ctx);
  return stuck.length;
}
