/**
 * The Backup reconciler. One reconcile call takes a New backup all the way: validate →
 * InProgress → collect, write and upload → Completed | PartiallyFailed | Failed. Running the
 * whole backup inside one call (the runtime never runs one key twice at once) makes the
 * InProgress phase mean "being run by this process": an InProgress backup this process is not
 * running was interrupted and is settled by `recoverBackup`. Every call first re-reads the
 * Backup, so a stale cached copy never starts a backup twice. Terminal phases are left alone.
 */
import { ANNOTATIONS, type Backup, PLURALS } from '../../crds/index.ts';
import { type ReconcileContext, type Reconciler, formatTime } from '../runtime/index.ts';
import type { ClusterReader } from './cluster-reader.ts';
import { recoverBackup } from './recover.ts';
import { BackupReport } from './report.ts';
import { type PodVolumeBackupHook, type Progress, type RunOutcome, runBackup } from './run-backup.ts';
import { DEFAULT_TTL, startBackup } from './start-backup.ts';

export interface BackupReconcilerDeps {
  readonly clusterReader: ClusterReader;
  /** pod volume backups (node-agent issue); absent: volumes are not backed up */
  readonly podVolumeBackups?: PodVolumeBackupHook;
  /** Go duration used when `spec.ttl` is empty or zero; default 720h0m0s */
  readonly defaultTtl?: string;
  /** least time between progress patches; default 1000 ms */
  readonly progressIntervalMs?: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Patches `status.progress` at most once per interval, one patch at a time, never failing the backup. */
function progressPatcher(ctx: ReconcileContext, name: string, intervalMs: number): { update(p: Progress): void; flush(): Promise<void> } {
  let last = ctx.clock.now().getTime();
  let chain: Promise<void> = Promise.resolve();
  return {
    update(p) {
      const now = ctx.clock.now().getTime();
      if (now - last < intervalMs) return;
      last = now;
      const progress = { ...p };
      chain = chain
        .then(() => ctx.client.patchStatus(PLURALS.Backup, name, { progress }))
        .then(
          () => undefined,
          (err: unknown) => ctx.log.warn({ backup: name, err: message(err) }, 'progress update failed'),
        );
    },
    flush: () => chain,
  };
}

async function execute(backup: Backup, ctx: ReconcileContext, deps: BackupReconcilerDeps): Promise<RunOutcome> {
  const name = backup.metadata.name ?? '';
  const bsl = backup.spec.storageLocation ?? '';
  const report = new BackupReport(ctx.log.child({ component: 'backup', backup: name }), ctx.clock);
  let store;
  try {
    store = await ctx.objectStore(bsl);
  } catch (err) {
    const failureReason = `backup storage location "${bsl}" cannot be opened: ${message(err)}`;
    report.error(failureReason);
    return { status: { ...backup.status, phase: 'Failed', failureReason, completionTimestamp: formatTime(ctx.clock.now()), errors: 1 } };
  }
  const progress = progressPatcher(ctx, name, deps.progressIntervalMs ?? 1000);
  const outcome = await runBackup({
    backup,
    reader: deps.clusterReader,
    store,
    report,
    clock: ctx.clock,
    signal: ctx.signal,
    onProgress: (p) => progress.update(p),
    podVolumeBackups: deps.podVolumeBackups,
  });
  await progress.flush();
  return outcome;
}

export function backupReconciler(deps: BackupReconcilerDeps): Reconciler<Backup> {
  const running = new Set<string>();
  return {
    plural: PLURALS.Backup,
    async reconcile(obj: Backup, ctx: ReconcileContext): Promise<void> {
      const name = obj.metadata.name;
      if (name === undefined) return;
      const backup = await ctx.client.get<Backup>(PLURALS.Backup, name);
      if (backup === undefined) return;
      const key = `${name}/${backup.metadata.uid ?? ''}`;
      // backup sync creates the object first and writes its stored status right after: never run it
      if (!backup.status?.phase && backup.metadata.annotations?.[ANNOTATIONS.syncedFromStorage]) return;
      const phase = backup.status?.phase ?? 'New';
      if (phase === 'InProgress') {
        if (!running.has(key)) await recoverBackup(backup, ctx);
        return;
      }
      if (phase !== 'New') return;
      running.add(key);
      try {
        const started = await startBackup(backup, ctx, { defaultTtl: deps.defaultTtl ?? DEFAULT_TTL });
        if (started === undefined) return;
        const outcome = await execute(started, ctx, deps);
        await ctx.client.patchStatus(PLURALS.Backup, name, outcome.status);
        const level = outcome.status.phase === 'Completed' ? 'info' : 'warn';
        ctx.log[level]({ backup: name, phase: outcome.status.phase, failureReason: outcome.status.failureReason, errors: outcome.status.errors }, 'backup finished');
      } finally {
        running.delete(key);
      }
    },
  };
}
