/** API group and version of every Skiff custom resource. */
export const GROUP = 'skiff.dev';
export const VERSION = 'v1';
export const API_VERSION = 'skiff.dev/v1';

/** Kind → plural resource name, for the custom objects API (`/apis/skiff.dev/v1/namespaces/<ns>/<plural>`). */
export const PLURALS = {
  Backup: 'backups',
  Restore: 'restores',
  Schedule: 'schedules',
  BackupStorageLocation: 'backupstoragelocations',
  DeleteBackupRequest: 'deletebackuprequests',
  DownloadRequest: 'downloadrequests',
  BackupRepository: 'backuprepositories',
  PodVolumeBackup: 'podvolumebackups',
  PodVolumeRestore: 'podvolumerestores',
} as const;

export type SkiffKind = keyof typeof PLURALS;
export type SkiffPlural = (typeof PLURALS)[SkiffKind];

export const KINDS = Object.keys(PLURALS) as SkiffKind[];

/** `<plural>.skiff.dev`, the CustomResourceDefinition's name and its YAML file's base name. */
export function crdName(kind: SkiffKind): string {
  return `${PLURALS[kind]}.${GROUP}`;
}
