// DeleteBackupRequest processing: a backup's objects in storage, its restores, then the Backup.
export { createDeletionReconciler } from './deletion-reconciler.ts';
export type { DeletionOptions } from './deletion-reconciler.ts';
