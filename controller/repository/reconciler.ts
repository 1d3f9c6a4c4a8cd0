/**
 * The BackupRepository reconciler. Each reconcile opens the repository (initializing it when
 * absent and the location is writable): Ready when that works, NotReady with the reason when
 * not (wrong password, unreachable store, missing location or Secret), retried after
 * `notReadyRetryMs`. When maintenance is due (`status.lastMaintenanceTime` +
 * `spec.maintenanceFrequency`, default 168h; never run yet: one period after creation) it prunes under the
 * engine's exclusive lock and records the run in `status.recentMaintenance` (newest last).
 *
 * Never concurrently with itself: the work queue never runs one CR twice at once, and runs are
 * also serialized per repository in this process (two CRs naming the same repository). A
 * repository locked by a backup, restore or forget is not a failure: maintenance is retried after
 * `lockedRetryMs`. ReadOnly locations are opened but never initialized or pruned.
 */
import { type BackupRepository, type BackupRepositoryStatus, type MaintenanceRecord, PLURALS } from '../../crds/index.ts';
import { isCode, prune, type PruneOptions, type Repository } from '../../repository/index.ts';
import { formatTime, parseGoDuration, type ReconcileContext, type ReconcileResult, type Reconciler } from '../runtime/index.ts';
import type { RepositoryAccess } from './access.ts';
import { DEFAULT_MAINTENANCE_FREQUENCY } from './names.ts';

export interface RepositoryReconcilerOptions {
  readonly access: RepositoryAccess;
  /** retry of a locked repository's maintenance; default 5 min */
  readonly lockedRetryMs?: number;
  /** retry of an open that failed (NotReady); default 1 min */
  readonly notReadyRetryMs?: number;
  /** retry of a failed maintenance; default 1 h (or the frequency, when shorter) */
  readonly failedRetryMs?: number;
  /** recentMaintenance entries kept; default 3 */
  readonly keepRecent?: number;
  readonly prune?: Omit<PruneOptions, 'dryRun' | 'locked' | 'onProgress'>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function frequencyMs(repo: BackupRepository): number {
  const text = repo.spec.maintenanceFrequency;
  try {
    return parseGoDuration(text === undefined || text === '' ? DEFAULT_MAINTENANCE_FREQUENCY : text);
  } catch {
    return parseGoDuration(DEFAULT_MAINTENANCE_FREQUENCY);
  }
}

/** Milliseconds until maintenance is due (≤ 0: due now), or undefined when it never runs. */
export function maintenanceDueIn(repo: BackupRepository, now: Date, failedRetryMs: number): number | undefined {
  const freq = frequencyMs(repo);
  if (freq <= 0) return undefined;
  const last = Date.parse(repo.status?.lastMaintenanceTime ?? '');
  // a repository never maintained is due one period after it was created, not at once: a new
  // repository's first backups must not meet an exclusive prune lock
  const created = Date.parse(repo.metadata.creationTimestamp ?? '');
  let due = !Number.isNaN(last) ? last + freq : (Number.isNaN(created) ? now.getTime() : created) + freq;
  const latest = repo.status?.recentMaintenance?.at(-1);
  const failedAt = Date.parse(latest?.completeTimestamp ?? '');
  if (latest?.result === 'Failed' && !Number.isNaN(failedAt) && (Number.isNaN(last) || failedAt > last)) {
    due = Math.max(due, failedAt + Math.min(failedRetryMs, freq));
  }
  return due - now.getTime();
}

export function backupRepositoryReconciler(opts: RepositoryReconcilerOptions): Reconciler<BackupRepository> {
  const lockedRetryMs = opts.lockedRetryMs ?? 5 * 60_000;
  const notReadyRetryMs = opts.notReadyRetryMs ?? 60_000;
  const failedRetryMs = opts.failedRetryMs ?? 3_600_000;
  const keep = opts.keepRecent ?? 3;
  const busy = new Set<string>();

  /** Patches `status` (null removes a field) unless the CR already says so. */
  const setStatus = async (ctx: ReconcileContext, repo: BackupRepository, status: Record<string, unknown>): Promise<void> => {
    const cur: Record<string, unknown> = { ...repo.status };
    const changed = Object.entries(status).some(([k, v]) => JSON.stringify(cur[k] ?? null) !== JSON.stringify(v));
    if (changed) await ctx.client.patchStatus(PLURALS.BackupRepository, repo.metadata.name ?? '', status);
  };

  const maintain = async (ctx: ReconcileContext, cr: BackupRepository, repo: Repository): Promise<ReconcileResult> => {
    const log = ctx.log.child({ repository: cr.metadata.name, component: 'repository-maintenance' });
    const started = ctx.clock.now();
    let record: MaintenanceRecord;
    try {
      const res = await prune(repo, { ...opts.prune });
      const s = res.summary;
      record = { result: 'Succeeded', message: `pruned ${s.pruneBlobs} blobs (${s.pruneSize} bytes); ${s.remainingBlobs} blobs (${s.remainingSize} bytes) remain` };
      log.info({ pruneBlobs: s.pruneBlobs, pruneSize: s.pruneSize, remainingSize: s.remainingSize }, 'repository maintenance done');
    } catch (err) {
      if (isCode(err, 'Locked')) {
        log.info({ err: message(err) }, 'repository is locked; maintenance retried later');
        return { requeueAfterMs: lockedRetryMs };
      }
      record = { result: 'Failed', message: `prune failed: ${message(err)}` };
      log.warn({ err: message(err) }, 'repository maintenance failed');
    }
    const done = ctx.clock.now();
    const recent = [...(cr.status?.recentMaintenance ?? []), { ...record, startTimestamp: formatTime(started), completeTimestamp: formatTime(done) }].slice(-keep);
    const status: BackupRepositoryStatus = { recentMaintenance: recent, ...(record.result === 'Succeeded' ? { lastMaintenanceTime: formatTime(started) } : {}) };
    await ctx.client.patchStatus(PLURALS.BackupRepository, cr.metadata.name ?? '', status);
    const next = maintenanceDueIn({ ...cr, status: { ...cr.status, ...status } }, done, failedRetryMs);
    return next === undefined ? {} : { requeueAfterMs: Math.max(1000, next) };
  };

  return {
    plural: PLURALS.BackupRepository,
    async reconcile(obj, ctx) {
      const name = obj.metadata.name;
      if (name === undefined) return {};
      const cr = await ctx.client.get<BackupRepository>(PLURALS.BackupRepository, name);
      if (cr === undefined || cr.metadata.deletionTimestamp !== undefined) return {};
      const { backupStorageLocation: bsl, volumeNamespace: ns } = cr.spec;
      const key = `${bsl}\u0000${ns}`;
      if (busy.has(key)) return { requeueAfterMs: lockedRetryMs };
      busy.add(key);
      try {
        return await opts.access
          .location(bsl)
          .then(({ bsl: loc }) => loc.spec.accessMode === 'ReadOnly')
          .then((readOnly) =>
            opts.access.withRepository(bsl, ns, { create: !readOnly }, async ({ repo, created }) => {
              if (created) ctx.log.info({ repository: name, location: repo.storage.location }, 'repository initialized');
              await setStatus(ctx, cr, { phase: 'Ready', message: null });
              if (readOnly) return {};
              const due = maintenanceDueIn(cr, ctx.clock.now(), failedRetryMs);
              if (due === undefined) return {};
              if (due > 0) return { requeueAfterMs: due };
              return maintain(ctx, cr, repo);
            }),
          )
          .catch(async (err: unknown): Promise<ReconcileResult> => {
            const msg = message(err);
            if (cr.status?.phase !== 'NotReady' || cr.status.message !== msg) ctx.log.warn({ repository: name, err: msg }, 'repository not ready');
            await setStatus(ctx, cr, { phase: 'NotReady', message: msg });
            return { requeueAfterMs: notReadyRetryMs };
          });
      } finally {
        busy.delete(key);
      }
    },
  };
}
