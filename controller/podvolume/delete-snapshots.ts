/**
 * The deletion reconciler's `deleteVolumeSnapshots` hook: forgets the snapshots of a deleted
 * backup's PodVolumeBackups (from the cluster, or from `<name>-podvolumebackups.json.gz`),
 * grouped by repository (location, source namespace), each repository opened with the password
 * Secret and `forget` run under its exclusive lock. Idempotent: snapshots already gone and
 * repositories that do not exist are skipped. A repository locked by other work is tried again
 * for up to `lockWaitMs` (default 60 s). Data is reclaimed by the next maintenance (prune).
 * Throws one error naming every repository that failed.
 */
import type { Backup } from '../../crds/index.ts';
import { forget, isCode } from '../../repository/index.ts';
import type { ReconcileContext } from '../runtime/index.ts';
import { sleepOn } from '../runtime/index.ts';
import type { PodVolumeDeps } from './options.ts';
import { loadBackupPodVolumes, withSnapshot } from './pvb-list.ts';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type VolumeSnapshotDeleter = (backup: Backup, ctx: ReconcileContext) => Promise<void>;

export function volumeSnapshotDeleter(deps: PodVolumeDeps): VolumeSnapshotDeleter {
  const lockWaitMs = deps.lockWaitMs ?? 60_000;
  return async (backup, ctx) => {
    const name = backup.metadata.name ?? '';
    const log = ctx.log.child({ component: 'pod-volume-deletion', backup: name });
    const store = await ctx.objectStore(backup.spec.storageLocation ?? '').catch(() => undefined);
    const pvbs = withSnapshot(await loadBackupPodVolumes(deps.client, store, backup));
    const groups = new Map<string, { bsl: string; namespace: string; ids: Set<string> }>();
    for (const p of pvbs) {
      const key = `${p.spec.backupStorageLocation}\u0000${p.spec.pod.namespace}`;
      const g = groups.get(key) ?? { bsl: p.spec.backupStorageLocation, namespace: p.spec.pod.namespace, ids: new Set<string>() };
      g.ids.add(p.status?.snapshotID ?? '');
      groups.set(key, g);
    }
    const failures: string[] = [];
    for (const g of groups.values()) {
      const deadline = deps.clock.now().getTime() + lockWaitMs;
      for (;;) {
        try {
          const removed = await forgetIn(deps, g.bsl, g.namespace, [...g.ids]);
          log.info({ namespace: g.namespace, location: g.bsl, removed }, 'volume snapshots forgotten');
          break;
        } catch (err) {
          if (isCode(err, 'Locked') && deps.clock.now().getTime() < deadline) {
            await sleepOn(deps.clock, Math.min(2000, Math.max(1, deadline - deps.clock.now().getTime())), ctx.signal);
            if (!ctx.signal.aborted) continue;
          }
          failures.push(`repository of namespace ${g.namespace} in location "${g.bsl}": ${message(err)}`);
          break;
        }
      }
    }
    if (failures.length > 0) throw new Error(`cannot forget volume snapshots: ${failures.join('; ')}`);
  };
}

/** Forgets those of `ids` that still exist; returns how many. A missing repository has none. */
async function forgetIn(deps: PodVolumeDeps, bsl: string, namespace: string, ids: readonly string[]): Promise<number> {
  await deps.access.location(bsl); // a missing location is an error, not a missing repository
  try {
    return await deps.access.withRepository(bsl, namespace, { create: false }, async ({ repo }) => {
      const present = new Set((await repo.listIds('snapshot')).map((f) => f.name));
      const gone = ids.filter((id) => present.has(id));
      if (gone.length === 0) return 0;
      return (await forget(repo, { snapshots: gone })).removed.length;
    });
  } catch (err) {
    if (isCode(err, 'NotFound')) return 0;
    throw err;
  }
}
