// Backup sync: object storage is the source of truth for which Backups exist.
export { ORPHAN_PHASES, createSyncReconciler, syncLocation } from './sync-reconciler.ts';
export type { SyncOptions } from './sync-reconciler.ts';
export { SYNCED_FROM_ANNOTATION, backupFromStorage } from './backup-from-storage.ts';
