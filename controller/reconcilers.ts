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
import { dynamicClusterWriter, restoreReconciler } from './restore/index.ts';
import { createScheduleReconciler } from './schedule/index.ts';
import { createSyncReconciler } from './sync/index.ts';
import type { ReconcilerEntry } from './server-types.ts';

export const defaultReconcilers: readonly ReconcilerEntry[] = [
  () => bslReconciler(),
  (deps) => backupReconciler({ clusterReader: dynamicClusterReader(deps.dynamic) }),
  (deps) => restoreReconciler({ cluster: dynamicClusterWriter(deps.dynamic) }),
  () => createScheduleReconciler(),
  () => createGcReconciler(),
  () => createDeletionReconciler(),
  () => createSyncReconciler(),
  () => createDownloadReconciler(),
];
