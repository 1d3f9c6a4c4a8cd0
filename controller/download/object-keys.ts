/**
 * Object keys of a backup storage location, relative to its prefix (architecture.md, "Object storage
 * layout"). The one place lifecycle controllers spell them.
 */
import type { DownloadTargetKind } from '../../crds/index.ts';

export const BACKUPS_DIR = 'backups/';
export const RESTORES_DIR = 'restores/';

export function backupDir(backup: string): string {
  return `${BACKUPS_DIR}${backup}/`;
}

export function restoreDir(restore: string): string {
  return `${RESTORES_DIR}${restore}/`;
}

/** `backups/<name>/skiff-backup.json`, written last: a backup whose metadata is there is complete. */
export function backupMetadataKey(backup: string): string {
  return `${backupDir(backup)}skiff-backup.json`;
}

/** The object a DownloadRequest target names; `name` is the Backup's or the Restore's. */
export function downloadKey(kind: DownloadTargetKind, name: string): string {
  switch (kind) {
    case 'BackupLog':
      return `${backupDir(name)}${name}-logs.gz`;
    case 'BackupContents':
      return `${backupDir(name)}${name}.tar.gz`;
    case 'BackupResults':
      return `${backupDir(name)}${name}-results.json.gz`;
    case 'BackupResourceList':
      return `${backupDir(name)}${name}-resource-list.json.gz`;
    case 'RestoreLog':
      return `${restoreDir(name)}restore-${name}-logs.gz`;
    case 'RestoreResults':
      return `${restoreDir(name)}restore-${name}-results.json.gz`;
    case 'RestoreResourceList':
      return `${restoreDir(name)}restore-${name}-resource-list.json.gz`;
  }
}

export function isRestoreTarget(kind: DownloadTargetKind): boolean {
  return kind.startsWith('Restore');
}
