// DownloadRequests → pre-signed URLs; and the object keys of a location's layout.
export { createDownloadReconciler } from './download-reconciler.ts';
export type { DownloadOptions } from './download-reconciler.ts';
export { BACKUPS_DIR, RESTORES_DIR, backupDir, backupMetadataKey, downloadKey, isRestoreTarget, restoreDir } from './object-keys.ts';
export { isRestoreOf, restoreBackupName } from './restore-source.ts';
