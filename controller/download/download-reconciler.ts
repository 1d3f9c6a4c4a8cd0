/**
 * The DownloadRequest reconciler (velero-reference.md §1.3, §3.7): New → Processed with a
 * pre-signed GET URL for the target's object in `status.downloadURL`, valid `urlTtlMs` (default
 * 10 min, Velero's DownloadURLTTL), and `status.expiration` when it stops working. A Backup target
 * is looked up in the Backup's location; a Restore target in the location of the Restore's backup.
 *
 * A request whose target cannot be found yet (a backup still syncing, a typo) stays New and is
 * retried; it also gets an expiration on first sight. Every request is deleted once its expiration
 * has passed, processed or not.
 */
import { type Backup, DOWNLOAD_TARGET_KINDS, type DownloadRequest, PLURALS, type Restore } from '../../crds/index.ts';
import { backupLocationName } from '../gc/index.ts';
import { type ReconcileContext, type ReconcileResult, type Reconciler, formatTime } from '../runtime/index.ts';
import { deleteIfPresent, parseTimestamp } from '../schedule/index.ts';
import { downloadKey, isRestoreTarget } from './object-keys.ts';
import { restoreBackupName } from './restore-source.ts';

export interface DownloadOptions {
  /** how long a URL works; default 10 min */
  readonly urlTtlMs?: number;
  /** how soon an unresolved request is tried again; default 5 s */
  readonly retryMs?: number;
}

export function createDownloadReconciler(opts: DownloadOptions = {}): Reconciler<DownloadRequest> {
  const ttlMs = opts.urlTtlMs ?? 10 * 60_000;
  const retryMs = opts.retryMs ?? 5000;
  return {
    plural: PLURALS.DownloadRequest,
    async reconcile(req, ctx): Promise<ReconcileResult> {
      const name = req.metadata.name ?? '';
      const log = ctx.log.child({ downloadRequest: name, component: 'download' });
      if (req.metadata.deletionTimestamp !== undefined) return {};
      const now = ctx.clock.now();
      const expiration = parseTimestamp(req.status?.expiration);
      if (expiration !== undefined && expiration.getTime() <= now.getTime()) {
        await deleteIfPresent(ctx.client, PLURALS.DownloadRequest, name);
        log.debug('expired download request deleted');
        return {};
      }
      const untilExpiry = (e: Date) => Math.max(1, e.getTime() - now.getTime());
      if (req.status?.phase === 'Processed' && expiration !== undefined) return { requeueAfterMs: untilExpiry(expiration) };

      const target = req.spec.target;
      const located = await locate(req, ctx);
      if (typeof located === 'string') {
        const exp = expiration ?? new Date(now.getTime() + ttlMs);
        if (expiration === undefined) await ctx.client.patchStatus(PLURALS.DownloadRequest, name, { phase: 'New', expiration: formatTime(exp) });
        log.warn({ target }, `download request not served yet: ${located}`);
        return { requeueAfterMs: Math.min(retryMs, untilExpiry(exp)) };
      }
      const store = await ctx.objectStore(located.bsl);
      const url = await store.presignGet(located.key, Math.floor(ttlMs / 1000));
      const exp = new Date(now.getTime() + ttlMs);
      await ctx.client.patchStatus(PLURALS.DownloadRequest, name, { phase: 'Processed', downloadURL: url, expiration: formatTime(exp) });
      log.info({ target, storageLocation: located.bsl }, 'download URL issued');
      return { requeueAfterMs: untilExpiry(exp) };
    },
  };
}

/** The location and key of the request's object, or why they cannot be known (yet). */
async function locate(req: DownloadRequest, ctx: ReconcileContext): Promise<{ bsl: string; key: string } | string> {
  const target = req.spec.target;
  if (!DOWNLOAD_TARGET_KINDS.includes(target.kind)) return `unknown target kind "${String(target.kind)}"`;
  let backupName = target.name;
  if (isRestoreTarget(target.kind)) {
    const restore = await ctx.client.get<Restore>(PLURALS.Restore, target.name);
    if (restore === undefined) return `restore "${target.name}" not found`;
    const fromBackup = restoreBackupName(restore);
    if (fromBackup === undefined) return `restore "${target.name}" names no backup yet`;
    backupName = fromBackup;
  }
  const backup = await ctx.client.get<Backup>(PLURALS.Backup, backupName);
  if (backup === undefined) return `backup "${backupName}" not found`;
  const bsl = await backupLocationName(ctx.client, backup);
  if (bsl === undefined) return `backup "${backupName}" has no storage location`;
  return { bsl, key: downloadKey(target.kind, target.name) };
}
