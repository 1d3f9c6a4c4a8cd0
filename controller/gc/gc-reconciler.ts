/**
 * Garbage collection of expired backups (velero-reference.md §6.4), as a reconciler over Backups
 * that comes back every `frequencyMs` (default 1 h) and at each backup's expiration.
 *
 * A backup whose `status.expiration` has passed gets a DeleteBackupRequest `<backup>-<random>`
 * (labels skiff.dev/backup-name, skiff.dev/backup-uid) unless one is already pending (not Processed).
 * Nothing is requested while the backup still runs, or while its location is missing, ReadOnly or
 * not Available: the backup is then labelled `skiff.dev/gc-failure=<reason>` and the reason logged.
 * The deletion itself, and its errors, belong to the DeleteBackupRequest reconciler; a request that
 * ended with errors is followed by a new one on a later pass.
 */
import { randomBytes } from 'node:crypto';
import { API_VERSION, type Backup, type BackupPhase, type DeleteBackupRequest, LABELS, PLURALS } from '../../crds/index.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../runtime/types.ts';
import { createIfAbsent, labelValue, parseTimestamp } from '../schedule/index.ts';
import { writableLocation } from './storage-location.ts';

/** Label set on a backup that GC could not request the deletion of; value: a LocationProblem. */
export const GC_FAILURE_LABEL = 'skiff.dev/gc-failure';

export interface GcOptions {
  /** how often every backup is looked at again; default 1 h (`--garbage-collection-frequency`) */
  readonly frequencyMs?: number;
  /** the random suffix of a request's name; default 5 characters [a-z0-9] */
  readonly randomSuffix?: () => string;
}

const RUNNING: readonly (BackupPhase | undefined)[] = [undefined, 'New', 'InProgress', 'Finalizing'];

export function createGcReconciler(opts: GcOptions = {}): Reconciler<Backup> {
  const frequencyMs = opts.frequencyMs ?? 3_600_000;
  const suffix = opts.randomSuffix ?? randomSuffix;
  return {
    plural: PLURALS.Backup,
    async reconcile(backup: Backup, ctx: ReconcileContext): Promise<ReconcileResult> {
      const name = backup.metadata.name ?? '';
      const log = ctx.log.child({ backup: name, component: 'gc' });
      if (backup.metadata.deletionTimestamp !== undefined) return {};
      const expiration = parseTimestamp(backup.status?.expiration);
      if (expiration === undefined) return {};
      const left = expiration.getTime() - ctx.clock.now().getTime();
      if (left >= 0) return { requeueAfterMs: Math.max(1, Math.min(left + 1, frequencyMs)) };
      if (RUNNING.includes(backup.status?.phase)) return { requeueAfterMs: frequencyMs };

      const loc = await writableLocation(ctx.client, backup);
      if (!loc.ok) {
        log.warn({ reason: loc.problem, storageLocation: loc.name }, `expired backup not garbage-collected: ${loc.message}`);
        await setGcFailure(ctx, backup, loc.problem);
        return { requeueAfterMs: frequencyMs };
      }
      await setGcFailure(ctx, backup, undefined);

      const requests = await ctx.client.list<DeleteBackupRequest>(PLURALS.DeleteBackupRequest, {
        labelSelector: `${LABELS.backupName}=${labelValue(name)}`,
      });
      const pending = requests.filter((r) => r.spec.backupName === name && r.status?.phase !== 'Processed');
      if (pending.length > 0) return { requeueAfterMs: frequencyMs };

      const request = deleteRequestFor(backup, suffix());
      await createIfAbsent(ctx.client, PLURALS.DeleteBackupRequest, request);
      log.info({ request: request.metadata.name, expiration: backup.status?.expiration }, 'backup expired: deletion requested');
      return { requeueAfterMs: frequencyMs };
    },
  };
}

/** A DeleteBackupRequest for `backup`, named `<backup>-<suffix>` (the backup part cut to fit 253). */
export function deleteRequestFor(backup: Backup, suffix: string): DeleteBackupRequest {
  const name = backup.metadata.name ?? '';
  const labels: Record<string, string> = { [LABELS.backupName]: labelValue(name) };
  if (backup.metadata.uid !== undefined) labels[LABELS.backupUid] = backup.metadata.uid;
  return {
    apiVersion: API_VERSION,
    kind: 'DeleteBackupRequest',
    metadata: { name: `${name.slice(0, 252 - suffix.length)}-${suffix}`, labels },
    spec: { backupName: name },
  };
}

async function setGcFailure(ctx: ReconcileContext, backup: Backup, problem: string | undefined): Promise<void> {
  const current = backup.metadata.labels?.[GC_FAILURE_LABEL];
  if (current === problem) return;
  await ctx.client.patch(PLURALS.Backup, backup.metadata.name ?? '', { metadata: { labels: { [GC_FAILURE_LABEL]: problem ?? null } } });
}

function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}
