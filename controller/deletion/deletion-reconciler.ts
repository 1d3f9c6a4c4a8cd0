/**
 * The DeleteBackupRequest reconciler (velero-reference.md §3.6, §4.7): New → InProgress → Processed.
 *
 * New: refused (Processed with `errors`) when the backup does not exist, still runs, or its
 * location is missing or ReadOnly. Otherwise the request goes InProgress and the backup Deleting.
 * InProgress, in order: the backup's volume snapshots (`deleteVolumeSnapshots`), then, only if that
 * worked, its objects under `backups/<name>/`; every Restore of the backup with its objects under
 * `restores/<restore>/`; last, if nothing failed, the Backup itself and the other requests for it.
 * Every step tolerates work already done, so a server restarted mid-way repeats InProgress safely.
 * Processed requests are deleted `maxAgeMs` (default 24 h) after their creation.
 */
import { type Backup, type BackupPhase, type DeleteBackupRequest, type DeleteBackupRequestStatus, LABELS, PLURALS, type Restore } from '../../crds/index.ts';
import { backupDir, isRestoreOf, restoreDir } from '../download/index.ts';
import { writableLocation } from '../gc/index.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../runtime/types.ts';
import { deleteIfPresent, labelValue, parseTimestamp } from '../schedule/index.ts';

export interface DeletionOptions {
  /** removes the backup's volume data (node agent); default: nothing to remove */
  readonly deleteVolumeSnapshots?: (backup: Backup, ctx: ReconcileContext) => Promise<void>;
  /** how long Processed requests are kept; default 24 h */
  readonly maxAgeMs?: number;
}

const RUNNING: readonly (BackupPhase | undefined)[] = ['InProgress', 'Finalizing'];

export function createDeletionReconciler(opts: DeletionOptions = {}): Reconciler<DeleteBackupRequest> {
  const maxAgeMs = opts.maxAgeMs ?? 24 * 3_600_000;
  return {
    plural: PLURALS.DeleteBackupRequest,
    async reconcile(req, ctx) {
      const name = req.metadata.name ?? '';
      const backupName = req.spec.backupName;
      const log = ctx.log.child({ request: name, backup: backupName, component: 'deletion' });
      const finish = async (status: DeleteBackupRequestStatus): Promise<ReconcileResult> => {
        await ctx.client.patchStatus(PLURALS.DeleteBackupRequest, name, status);
        if (status.errors) log.warn({ errors: status.errors }, 'backup deletion failed');
        else log.info('backup deleted');
        return { requeueAfterMs: maxAgeMs };
      };
      if (req.metadata.deletionTimestamp !== undefined) return {};
      if (req.status?.phase === 'Processed') return expireProcessed(req, ctx, maxAgeMs);
      if (backupName === undefined || backupName === '') return finish({ phase: 'Processed', errors: ['spec.backupName is required'] });
      await labelRequest(req, ctx);

      const backup = await ctx.client.get<Backup>(PLURALS.Backup, backupName);
      if (req.status?.phase !== 'InProgress') {
        const refusal = await refusalFor(backup, backupName, ctx);
        if (refusal !== undefined) return finish({ phase: 'Processed', errors: [refusal] });
        await ctx.client.patchStatus(PLURALS.DeleteBackupRequest, name, { phase: 'InProgress', errors: null });
        await ctx.client.patchStatus(PLURALS.Backup, backupName, { phase: 'Deleting' });
        log.info('deleting backup');
      }
      // InProgress: a missing backup means an earlier pass got as far as deleting it
      const errors = backup === undefined ? [] : await deleteBackup(backup, ctx, opts);
      if (errors.length === 0) await deleteOtherRequests(req, ctx);
      return finish({ phase: 'Processed', errors: errors.length > 0 ? errors : null });
    },
  };
}

async function refusalFor(backup: Backup | undefined, backupName: string, ctx: ReconcileContext): Promise<string | undefined> {
  if (backup === undefined) return `backup "${backupName}" not found`;
  if (RUNNING.includes(backup.status?.phase)) return `backup "${backupName}" is still in progress`;
  const loc = await writableLocation(ctx.client, backup, { requireAvailable: false });
  if (!loc.ok) return `cannot delete backup "${backupName}": ${loc.message}`;
  return undefined;
}

/** The deletion proper; returns the errors, one line each. */
async function deleteBackup(backup: Backup, ctx: ReconcileContext, opts: DeletionOptions): Promise<string[]> {
  const name = backup.metadata.name ?? '';
  const errors: string[] = [];
  const attempt = async (what: string, step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  const loc = await writableLocation(ctx.client, backup, { requireAvailable: false });
  if (!loc.ok) return [`cannot delete backup "${name}": ${loc.message}`];
  const store = await ctx.objectStore(loc.name);

  if (opts.deleteVolumeSnapshots !== undefined) {
    const remove = opts.deleteVolumeSnapshots;
    await attempt('deleting volume snapshots', () => remove(backup, ctx));
  }
  if (errors.length === 0) await attempt('deleting backup objects', () => store.deletePrefix(backupDir(name)));

  const restores = (await ctx.client.list<Restore>(PLURALS.Restore)).filter((r) => isRestoreOf(r, name));
  for (const restore of restores) {
    const restoreName = restore.metadata.name ?? '';
    await attempt(`deleting restore "${restoreName}"`, async () => {
      await store.deletePrefix(restoreDir(restoreName));
      await deleteIfPresent(ctx.client, PLURALS.Restore, restoreName);
    });
  }
  if (errors.length === 0) await attempt('deleting the Backup', () => deleteIfPresent(ctx.client, PLURALS.Backup, name));
  return errors;
}

/** Requests made by hand (`kubectl create`) get the labels GC and the CLI look them up by. */
async function labelRequest(req: DeleteBackupRequest, ctx: ReconcileContext): Promise<void> {
  const want = labelValue(req.spec.backupName);
  if (req.metadata.labels?.[LABELS.backupName] === want) return;
  await ctx.client.patch(PLURALS.DeleteBackupRequest, req.metadata.name ?? '', { metadata: { labels: { [LABELS.backupName]: want } } });
}

async function deleteOtherRequests(req: DeleteBackupRequest, ctx: ReconcileContext): Promise<void> {
  const others = await ctx.client.list<DeleteBackupRequest>(PLURALS.DeleteBackupRequest, {
    labelSelector: `${LABELS.backupName}=${labelValue(req.spec.backupName)}`,
  });
  for (const other of others) {
    if (other.metadata.name !== req.metadata.name && other.spec.backupName === req.spec.backupName) {
      await deleteIfPresent(ctx.client, PLURALS.DeleteBackupRequest, other.metadata.name ?? '');
    }
  }
}

async function expireProcessed(req: DeleteBackupRequest, ctx: ReconcileContext, maxAgeMs: number): Promise<ReconcileResult> {
  const created = parseTimestamp(req.metadata.creationTimestamp);
  const age = created === undefined ? maxAgeMs : ctx.clock.now().getTime() - created.getTime();
  if (age < maxAgeMs) return { requeueAfterMs: maxAgeMs - age };
  await deleteIfPresent(ctx.client, PLURALS.DeleteBackupRequest, req.metadata.name ?? '');
  return {};
}
