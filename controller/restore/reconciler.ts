/**
 * The Restore reconciler. One reconcile call takes a New restore all the way: validate →
 * InProgress → read the backup tarball, restore, run the pod volume restore hook, upload the log
 * and results → Completed | PartiallyFailed (any item errors) | Failed (the restore could not run).
 * As with backups, InProgress means "being run by this process": an InProgress restore this
 * process is not running was interrupted and is marked Failed (unless this process finished it
 * and only the final status write failed: that status is written again). Every call re-reads the Restore,
 * so a stale cached copy never starts a restore twice. Terminal phases are left alone.
 */
import { gzipSync } from 'node:zlib';
import { type Backup, type BackupStorageLocation, PLURALS, type Restore, type RestoreStatus } from '../../crds/index.ts';
import { formatTime, type ObjectStore, type ReconcileContext, type Reconciler } from '../runtime/index.ts';
import { readBackupTarball } from './backup-contents.ts';
import type { ClusterWriter } from './cluster-writer.ts';
import type { RestorePriorities } from './priorities.ts';
import type { RestoredPod, RestoreItemHook } from './restore-item.ts';
import { runRestore, type RestoreProgress } from './restore-run.ts';
import { RestoreResults } from './results.ts';
import { RunLog } from './run-log.ts';
import { startRestore } from './start-restore.ts';

export const INTERRUPTED_REASON = 'server restarted while the restore was in progress';

/** What the pod volume restore step (node agent) reports back. */
export interface PodVolumeRestoreOutcome {
  readonly warnings?: readonly string[];
  readonly errors?: readonly string[];
}

/** Pod volume restores for the pods this restore created; absent: volumes are not restored. */
export type PodVolumeRestoreHook = (restore: Restore, restoredPods: readonly RestoredPod[]) => Promise<PodVolumeRestoreOutcome | void>;

/**
 * Runs once per restore, before any item is restored; the hook it returns sees every object
 * before it is created (pod volume restores: the `restore-wait` init container, claims to
 * provision again). A throw fails the restore.
 */
export type PrepareItemsHook = (restore: Restore, backup: Backup, store: ObjectStore) => Promise<RestoreItemHook | undefined>;

export interface RestoreReconcilerDeps {
  /** the cluster restored into */
  readonly cluster: ClusterWriter;
  readonly podVolumeRestores?: PodVolumeRestoreHook;
  readonly prepareItems?: PrepareItemsHook;
  /** server `--restore-resource-priorities`; default Velero's list */
  readonly priorities?: RestorePriorities;
  readonly crdTimeoutMs?: number;
  readonly namespaceTimeoutMs?: number;
  readonly pollMs?: number;
  /** least time between progress patches; default 1000 ms */
  readonly progressIntervalMs?: number;
}

export function restoreKeys(name: string): { dir: string; logs: string; results: string } {
  const dir = `restores/${name}/`;
  return { dir, logs: `${dir}restore-${name}-logs.gz`, results: `${dir}restore-${name}-results.json.gz` };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function storageLocationOf(backup: Backup, ctx: ReconcileContext): Promise<string> {
  const own = backup.spec.storageLocation;
  if (own !== undefined && own !== '') return own;
  const all = await ctx.client.list<BackupStorageLocation>(PLURALS.BackupStorageLocation);
  const bsl = all.find((b) => b.spec.default === true) ?? all.find((b) => b.metadata.name === 'default');
  if (bsl === undefined) throw new Error(`backup ${backup.metadata.name ?? ''} names no storage location and there is no default`);
  return bsl.metadata.name ?? '';
}

function progressPatcher(ctx: ReconcileContext, name: string, intervalMs: number): (p: RestoreProgress) => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  return async (p) => {
    const now = ctx.clock.now().getTime();
    if (now - last < intervalMs) return;
    last = now;
    try {
      await ctx.client.patchStatus(PLURALS.Restore, name, { progress: { totalItems: p.totalItems, itemsRestored: p.itemsRestored } });
    } catch (err) {
      ctx.log.warn({ restore: name, err: message(err) }, 'progress update failed');
    }
  };
}

async function execute(restore: Restore, backup: Backup, ctx: ReconcileContext, deps: RestoreReconcilerDeps): Promise<RestoreStatus> {
  const name = restore.metadata.name ?? '';
  const backupName = backup.metadata.name ?? '';
  const log = new RunLog(ctx.clock, ctx.log.child({ component: 'restore', restore: name }));
  const results = new RestoreResults();
  let store: ObjectStore | undefined;
  let status: RestoreStatus;
  try {
    const bsl = await storageLocationOf(backup, ctx);
    store = await ctx.objectStore(bsl).catch((err: unknown) => {
      throw new Error(`backup storage location "${bsl}" cannot be opened: ${message(err)}`);
    });
    const tarball = `backups/${backupName}/${backupName}.tar.gz`;
    const location = store.location;
    const contents = await store
      .getStream(tarball)
      .then(readBackupTarball)
      .catch((err: unknown) => {
        throw new Error(`cannot read ${tarball} from ${location}: ${message(err)}`);
      });
    const itemHook = deps.prepareItems === undefined ? undefined : await deps.prepareItems(restore, backup, store);
    const outcome = await runRestore(contents, {
      restoreName: name,
      backupName,
      spec: restore.spec,
      cluster: deps.cluster,
      log,
      results,
      signal: ctx.signal,
      onProgress: progressPatcher(ctx, name, deps.progressIntervalMs ?? 1000),
      ...(deps.priorities === undefined ? {} : { priorities: deps.priorities }),
      ...(deps.crdTimeoutMs === undefined ? {} : { crdTimeoutMs: deps.crdTimeoutMs }),
      ...(deps.namespaceTimeoutMs === undefined ? {} : { namespaceTimeoutMs: deps.namespaceTimeoutMs }),
      ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
      ...(itemHook === undefined ? {} : { itemHook }),
    });
    if (deps.podVolumeRestores !== undefined) {
      const pv = await deps
        .podVolumeRestores(restore, outcome.restoredPods)
        .catch((err: unknown): PodVolumeRestoreOutcome => ({ errors: [`pod volume restores failed: ${message(err)}`] }));
      for (const w of pv?.warnings ?? []) results.warnings.addGeneral(w);
      for (const e of pv?.errors ?? []) results.errors.addGeneral(e);
    }
    status = {
      phase: results.errors.count > 0 ? 'PartiallyFailed' : 'Completed',
      progress: { totalItems: outcome.totalItems, itemsRestored: outcome.itemsRestored },
    };
  } catch (err) {
    const failureReason = message(err);
    log.error(`restore failed: ${failureReason}`);
    status = { phase: 'Failed', failureReason };
  }
  if (store !== undefined) {
    const keys = restoreKeys(name);
    try {
      await store.put(keys.results, gzipSync(Buffer.from(JSON.stringify(results.toJSON()))), { contentType: 'application/gzip' });
      await store.put(keys.logs, await log.finish(), { contentType: 'application/gzip' });
    } catch (err) {
      ctx.log.error({ restore: name, err: message(err) }, 'could not upload the restore log and results');
      results.errors.addGeneral(`could not upload the restore log and results: ${message(err)}`);
      if (status.phase === 'Completed') status = { ...status, phase: 'PartiallyFailed' };
    }
  }
  await log.finish();
  return { ...status, warnings: results.warnings.count, errors: results.errors.count, completionTimestamp: formatTime(ctx.clock.now()) };
}

export function restoreReconciler(deps: RestoreReconcilerDeps): Reconciler<Restore> {
  const running = new Set<string>();
  // final statuses whose patch failed; written again on the next reconcile instead of the
  // restore being taken for interrupted
  const unsaved = new Map<string, RestoreStatus>();
  return {
    plural: PLURALS.Restore,
    async reconcile(obj: Restore, ctx: ReconcileContext): Promise<void> {
      const name = obj.metadata.name;
      if (name === undefined) return;
      const restore = await ctx.client.get<Restore>(PLURALS.Restore, name);
      if (restore === undefined || restore.metadata.deletionTimestamp != null) return;
      const key = `${name}/${restore.metadata.uid ?? ''}`;
      const phase = restore.status?.phase ?? 'New';
      if (phase === 'InProgress') {
        if (running.has(key)) return;
        const pending = unsaved.get(key);
        if (pending !== undefined) {
          await ctx.client.patchStatus(PLURALS.Restore, name, pending);
          unsaved.delete(key);
          return;
        }
        await ctx.client.patchStatus(PLURALS.Restore, name, { phase: 'Failed', failureReason: INTERRUPTED_REASON, completionTimestamp: formatTime(ctx.clock.now()) });
        ctx.log.warn({ restore: name }, `restore marked Failed: ${INTERRUPTED_REASON}`);
        return;
      }
      if (phase !== 'New') return;
      running.add(key);
      try {
        const backup = await startRestore(restore, ctx);
        if (backup === undefined) return;
        const status = await execute(restore, backup, ctx, deps);
        unsaved.set(key, status);
        await ctx.client.patchStatus(PLURALS.Restore, name, status);
        unsaved.delete(key);
        const level = status.phase === 'Completed' ? 'info' : 'warn';
        ctx.log[level]({ restore: name, phase: status.phase, warnings: status.warnings, errors: status.errors, failureReason: status.failureReason }, 'restore finished');
      } finally {
        running.delete(key);
      }
    },
  };
}
