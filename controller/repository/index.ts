// File-system-backup repositories of `skiff server`: where a namespace's repository lives and
// what it is called (shared with the node agents), opening it from the cluster's objects, the
// BackupRepository CR (ensure) and its reconciler (Ready/NotReady, scheduled prune).
export {
  DEFAULT_MAINTENANCE_FREQUENCY,
  FSB_DIR,
  REPO_PASSWORD_KEY,
  REPO_PASSWORD_SECRET,
  REPOSITORY_TYPE,
  repositoryName,
  repositoryPrefix,
  repositoryUrl,
  shortName,
} from './names.ts';
export { RepositoryAccess } from './access.ts';
export type { OpenedRepository, RepositoryAccessOptions } from './access.ts';
export { backupRepositoryObject, ensureBackupRepository } from './ensure.ts';
export type { EnsureRepositoryInput } from './ensure.ts';
export { backupRepositoryReconciler, maintenanceDueIn } from './reconciler.ts';
export type { RepositoryReconcilerOptions } from './reconciler.ts';
