/**
 * Backup sync (velero-reference.md §6.5): object storage is the source of truth. A reconciler over
 * BackupStorageLocations that runs each location's sync every `spec.backupSyncPeriod` (else
 * `defaultPeriodMs`, 1 min; `0` turns it off) and records `status.lastSyncedTime`. Locations that
 * are not Available are skipped.
 *
 * - Every `backups/<name>/skiff-backup.json` without a Backup in the cluster becomes one, with the
 *   stored status (`backupFromStorage`). Backups whose stored phase is not final are left out.
 * - Every cluster Backup of this location (by `spec.storageLocation` or label) in a final phase
 *   (`ORPHAN_PHASES`) whose metadata is gone from storage is deleted.
 *
 * The cluster is listed before the bucket, so a backup that completes during a pass is in the
 * listing whenever its cluster phase is final; an orphan is confirmed with one more `exists` before
 * its Backup is deleted.
 */
import { type Backup, type BackupPhase, type BackupStorageLocation, LABELS, PLURALS } from '../../crds/index.ts';
import { backupMetadataKey, BACKUPS_DIR } from '../download/index.ts';
import { type ObjectStore, type ReconcileContext, type Reconciler, formatTime, parseGoDuration } from '../runtime/index.ts';
import { createIfAbsent, deleteIfPresent, labelValue, parseTimestamp } from '../schedule/index.ts';
import { backupFromStorage } from './backup-from-storage.ts';

export interface SyncOptions {
  /** the server's `--backup-sync-period`, used when the location sets none; default 60 s */
  readonly defaultPeriodMs?: number;
}

/**
 * Cluster phases in which a Backup missing from storage is deleted. Velero's list: Completed and
 * PartiallyFailed. Failed is left out on purpose: a backup that failed because storage was
 * unreachable never reached it, and its Backup is the only record of why (GC removes it at expiry).
 */
export const ORPHAN_PHASES: readonly BackupPhase[] = ['Completed', 'PartiallyFailed'];

/** Stored phases that describe a finished backup; others are not synced. */
const FINAL_PHASES: readonly (BackupPhase | undefined)[] = ['Completed', 'PartiallyFailed', 'Failed'];

export function createSyncReconciler(opts: SyncOptions = {}): Reconciler<BackupStorageLocation> {
  return {
    plural: PLURALS.BackupStorageLocation,
    async reconcile(bsl, ctx) {
      const name = bsl.metadata.name ?? '';
      const log = ctx.log.child({ storageLocation: name, component: 'backup-sync' });
      if (bsl.metadata.deletionTimestamp !== undefined) return {};
      const periodMs = syncPeriod(bsl, opts.defaultPeriodMs ?? 60_000, log);
      if (periodMs <= 0) return {};
      if (bsl.status?.phase !== 'Available') {
        log.debug('backup sync skipped: location not available');
        return { requeueAfterMs: periodMs };
      }
      const now = ctx.clock.now();
      const last = parseTimestamp(bsl.status.lastSyncedTime);
      const since = last === undefined ? Infinity : now.getTime() - last.getTime();
      if (since >= 0 && since < periodMs) return { requeueAfterMs: periodMs - since };

      await syncLocation(name, ctx);
      await ctx.client.patchStatus(PLURALS.BackupStorageLocation, name, { lastSyncedTime: formatTime(now) });
      return { requeueAfterMs: periodMs };
    },
  };
}

/** One pass over location `bsl`; failures for one backup are logged and do not stop the rest. */
export async function syncLocation(bsl: string, ctx: ReconcileContext): Promise<{ created: string[]; deleted: string[] }> {
  const log = ctx.log.child({ storageLocation: bsl, component: 'backup-sync' });
  const inCluster = await ctx.client.list<Backup>(PLURALS.Backup);
  const store = await ctx.objectStore(bsl);
  const stored = new Set(await childNames(store, BACKUPS_DIR));
  const known = new Set(inCluster.map((b) => b.metadata.name ?? ''));
  const created: string[] = [];
  const deleted: string[] = [];

  for (const name of stored) {
    if (known.has(name)) continue;
    try {
      if (await createFromStorage(store, name, bsl, ctx)) created.push(name);
    } catch (err) {
      log.warn({ backup: name, err: (err as Error).message }, 'backup in storage not synced');
    }
  }
  for (const backup of inCluster) {
    const name = backup.metadata.name ?? '';
    if (stored.has(name) || !ORPHAN_PHASES.includes(backup.status?.phase ?? 'New') || !belongsTo(backup, bsl)) continue;
    try {
      if (await store.exists(backupMetadataKey(name))) continue;
      await deleteIfPresent(ctx.client, PLURALS.Backup, name);
      deleted.push(name);
    } catch (err) {
      log.warn({ backup: name, err: (err as Error).message }, 'orphaned backup not deleted');
    }
  }
  if (created.length > 0 || deleted.length > 0) log.info({ created, deleted }, 'backups synced from storage');
  return { created, deleted };
}

async function createFromStorage(store: ObjectStore, name: string, bsl: string, ctx: ReconcileContext): Promise<boolean> {
  const key = backupMetadataKey(name);
  if (!(await store.exists(key))) return false; // not complete (metadata is written last)
  const backup = backupFromStorage(await store.get(key), name, bsl);
  if (!FINAL_PHASES.includes(backup.status?.phase)) return false;
  const { status, ...withoutStatus } = backup;
  if ((await createIfAbsent(ctx.client, PLURALS.Backup, withoutStatus)) === 'exists') return false;
  if (status !== undefined) await ctx.client.patchStatus(PLURALS.Backup, name, status);
  return true;
}

function belongsTo(backup: Backup, bsl: string): boolean {
  const named = backup.spec.storageLocation;
  if (named !== undefined && named !== '') return named === bsl;
  return backup.metadata.labels?.[LABELS.storageLocation] === labelValue(bsl);
}

/**
 * Names of the "directories" right under `prefix`. Accepts either form an ObjectStore may return
 * (`backups/b1/` or `b1`).
 */
async function childNames(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of await store.listPrefixes(prefix)) {
    const rel = p.startsWith(prefix) ? p.slice(prefix.length) : p;
    const name = rel.endsWith('/') ? rel.slice(0, -1) : rel;
    if (name !== '' && !name.includes('/')) out.push(name);
  }
  return out;
}

function syncPeriod(bsl: BackupStorageLocation, fallbackMs: number, log: ReconcileContext['log']): number {
  const spec = bsl.spec.backupSyncPeriod;
  if (spec === undefined || spec === null || spec === '') return fallbackMs;
  try {
    return parseGoDuration(spec);
  } catch (err) {
    log.warn({ backupSyncPeriod: spec, err: (err as Error).message }, 'invalid backupSyncPeriod: using the default');
    return fallbackMs;
  }
}
