// Resource restores for `skiff server`: reading backup tarballs, the restore planner (filters,
// Velero's priorities), item transformation (server-set metadata, namespace mapping, per-kind
// actions), applying items with the existing-resource policy, and the Restore reconciler.
export { restoreReconciler, restoreKeys, INTERRUPTED_REASON } from './reconciler.ts';
export type { PodVolumeRestoreHook, PodVolumeRestoreOutcome, PrepareItemsHook, RestoreReconcilerDeps } from './reconciler.ts';
export { findSourceBackup, startRestore } from './start-restore.ts';
export { validateRestoreSpec, nonRestorableIncludes, SOURCE_REQUIRED } from './validate.ts';
export { runRestore } from './restore-run.ts';
export type { RestoreProgress, RestoreRunOptions, RestoreRunOutcome } from './restore-run.ts';
export type { RestoredPod, RestoreItemHook } from './restore-item.ts';
export { readBackupTarball, locateItem } from './backup-contents.ts';
export type { BackupContents, BackupItem } from './backup-contents.ts';
export { readTar } from '../backup/index.ts';
export type { TarEntry, ReadTarOptions } from '../backup/index.ts';
export { planRestore, NON_RESTORABLE_RESOURCES, CRD_RESOURCE, crdDefines, resourceAliases } from './plan.ts';
export type { PlanOptions, PlannedResource, RestorePlan } from './plan.ts';
export { DEFAULT_RESTORE_PRIORITIES, orderResources, parseRestorePriorities } from './priorities.ts';
export type { RestorePriorities } from './priorities.ts';
export { transformItem, resetMetadataAndStatus, addRestoreLabels, labelValue, STRIPPED_METADATA } from './transform.ts';
export type { Transformed, TransformContext } from './transform.ts';
export { applyItem, mergeServiceAccount } from './apply-item.ts';
export type { ApplyResult, ExistingResourcePolicy } from './apply-item.ts';
export { createMergePatch, applyMergePatch } from './merge-patch.ts';
export { splitApiVersion, splitGroupResource } from './cluster-writer.ts';
export type { ApiResource, ClusterWriter } from './cluster-writer.ts';
export { dynamicClusterWriter } from './dynamic-cluster-writer.ts';
export { IncludesExcludes, globMatch, globToRegExp, validateIncludesExcludes } from './includes-excludes.ts';
export { RestoreResults } from './results.ts';
export type { ResultSet, RestoreResultsFile } from './results.ts';
export type { JsonObject, JsonValue } from './unstructured.ts';
