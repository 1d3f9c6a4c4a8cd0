/**
 * The reconcilers `skiff server` runs by default. Each entry is a factory (fresh instances per
 * server, with the dependencies a reconciler needs beyond its ReconcileContext), or a ready
 * Reconciler. Owners add their kind's entry here.
 */
import { backupReconciler, dynamicClusterReader } from './backup/index.ts';
import { bslReconciler } from './bsl/index.ts';
import { createDeletionReconciler } from './deletion/index.ts';
import { createDownloadReconciler } from './download/index.ts';
import { createGcReconciler } from './gc/index.ts';
import { readSecret } from './kube/index.ts';
import { kubePodVolumeCluster, podVolumeBackupHook, podVolumeRestorer, volumeSnapshotDeleter, type PodVolumeDeps } from './podvolume/index.ts';
import { RepositoryAccess, backupRepositoryReconciler } from './repository/index.ts';
import { dynamicClusterWriter, restoreReconciler } from './restore/index.ts';
import { createScheduleReconciler } from './schedule/index.ts';
import { createSyncReconciler } from './sync/index.ts';
import type { ReconcilerEntry, ServerDeps } from './server-types.ts';

function repositoryAccess(deps: ServerDeps): RepositoryAccess {
  return new RepositoryAccess({ client: deps.client, readSecret: (ns, name) => readSecret(deps.dynamic, ns, name) });
}

/** What the file-system backup hooks need, from the server's clients and flags. */
function podVolumeDeps(deps: ServerDeps): PodVolumeDeps {
  const s = deps.podVolumes;
  return {
    cluster: kubePodVolumeCluster(deps.dynamic, deps.namespace),
    client: deps.client,
    access: repositoryAccess(deps),
    objectStore: (name) => deps.objectStore(name),
    log: deps.log,
    clock: deps.clock,
    defaultVolumesToFsBackup: s.defaultVolumesToFsBackup,
    fsBackupTimeoutMs: s.fsBackupTimeoutMs,
    restorePodScheduleTimeoutMs: s.restorePodScheduleTimeoutMs,
    image: s.image,
  };
}

export const defaultReconcilers: readonly ReconcilerEntry[] = [
  () => bslReconciler(),
  (deps) => backupReconciler({ clusterReader: dynamicClusterReader(deps.dynamic), podVolumeBackups: podVolumeBackupHook(podVolumeDeps(deps)) }),
  (deps) => {
    const pv = podVolumeRestorer(podVolumeDeps(deps));
    return restoreReconciler({ cluster: dynamicClusterWriter(deps.dynamic), prepareItems: pv.prepareItems, podVolumeRestores: pv.podVolumeRestores });
  },
  () => createScheduleReconciler(),
  () => createGcReconciler(),
  (deps) => createDeletionReconciler({ deleteVolumeSnapshots: volumeSnapshotDeleter(podVolumeDeps(deps)) }),
  () => createSyncReconciler(),
  () => createDownloadReconciler(),
  (deps) => backupRepositoryReconciler({ access: repositoryAccess(deps) }),
];
