// Resource backups for `skiff server`: spec validation, resource collection through discovery,
// the tarball and metadata files in object storage, and the Backup reconciler.
export type { ApiResource, ClusterReader, Discovery, ListOptions } from './cluster-reader.ts';
export { apiVersionOf, groupResource } from './cluster-reader.ts';
export { dynamicClusterReader } from './dynamic-cluster-reader.ts';
export { collectResources } from './collect.ts';
export type { CollectLog, CollectedItem } from './collect.ts';
export { NEVER_BACKED_UP, planResources } from './resource-plan.ts';
export { NamespaceFilter, ResourceFilter, globToRegExp, resolveResourceName } from './name-filters.ts';
export { selectorMatches, selectorProblems, selectorQuery } from '../../crds/index.ts';
export { validateBackup } from './validate.ts';
export type { LocationFacts } from './validate.ts';
export { FORMAT_VERSION, TarballWriter, VERSION_FILE, itemPaths, parseItemPath } from './tarball.ts';
export type { ParsedItemPath } from './tarball.ts';
export { TarWriter } from './tar-writer.ts';
export { readTar, readTarGz, type TarEntry, type ReadTarOptions } from './tar-reader.ts';
export { backupKeys, gunzipJson, gzipJson } from './storage-keys.ts';
export type { BackupKeys } from './storage-keys.ts';
export { BackupReport } from './report.ts';
export type { BackupResults, Result } from './report.ts';
export { runBackup } from './run-backup.ts';
export type { PodRef, PodVolumeBackupHook, Progress, RunBackupInput, RunOutcome } from './run-backup.ts';
export { DEFAULT_TTL, labelValue, resolveLocation, startBackup } from './start-backup.ts';
export { backupReconciler } from './reconciler.ts';
export type { BackupReconcilerDeps } from './reconciler.ts';
export { INTERRUPTED_REASON, recoverBackup, recoverInterrupted } from './recover.ts';
export type { RecoverContext } from './recover.ts';
