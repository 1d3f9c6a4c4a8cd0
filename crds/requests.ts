import type { SkiffObject, Timestamp } from './meta.ts';

export const DELETE_BACKUP_REQUEST_PHASES = ['New', 'InProgress', 'Processed'] as const;
export type DeleteBackupRequestPhase = (typeof DELETE_BACKUP_REQUEST_PHASES)[number];

export interface DeleteBackupRequestSpec {
  backupName: string;
}

export interface DeleteBackupRequestStatus {
  phase?: DeleteBackupRequestPhase;
  errors?: string[] | null;
}

export type DeleteBackupRequest = SkiffObject<'DeleteBackupRequest', DeleteBackupRequestSpec, DeleteBackupRequestStatus>;

export const DOWNLOAD_TARGET_KINDS = [
  'BackupLog',
  'BackupContents',
  'BackupResults',
  'BackupResourceList',
  'RestoreLog',
  'RestoreResults',
  'RestoreResourceList',
] as const;
export type DownloadTargetKind = (typeof DOWNLOAD_TARGET_KINDS)[number];

export const DOWNLOAD_REQUEST_PHASES = ['New', 'Processed'] as const;
export type DownloadRequestPhase = (typeof DOWNLOAD_REQUEST_PHASES)[number];

export interface DownloadRequestSpec {
  /** `name` is the Backup's or Restore's name. */
  target: { kind: DownloadTargetKind; name: string };
}

export interface DownloadRequestStatus {
  phase?: DownloadRequestPhase;
  downloadURL?: string;
  expiration?: Timestamp | null;
}

export type DownloadRequest = SkiffObject<'DownloadRequest', DownloadRequestSpec, DownloadRequestStatus>;
