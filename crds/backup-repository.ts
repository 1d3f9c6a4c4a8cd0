import type { Duration, SkiffObject, Timestamp } from './meta.ts';

export const BACKUP_REPOSITORY_PHASES = ['New', 'Ready', 'NotReady'] as const;
export type BackupRepositoryPhase = (typeof BACKUP_REPOSITORY_PHASES)[number];

export interface BackupRepositorySpec {
  /** The namespace whose pod volumes the repository holds. */
  volumeNamespace: string;
  backupStorageLocation: string;
  /** Skiff writes restic repository format version 2. */
  repositoryType?: 'restic';
  /** The repository URL as restic takes it, e.g. `s3:https://host/bucket/prefix/fsb/ns`. */
  resticIdentifier: string;
  maintenanceFrequency?: Duration;
}

export interface MaintenanceRecord {
  result?: 'Succeeded' | 'Failed';
  startTimestamp?: Timestamp | null;
  completeTimestamp?: Timestamp | null;
  message?: string;
}

export interface BackupRepositoryStatus {
  phase?: BackupRepositoryPhase;
  message?: string;
  lastMaintenanceTime?: Timestamp | null;
  /** The last few maintenance runs, newest last. */
  recentMaintenance?: MaintenanceRecord[] | null;
}

export type BackupRepository = SkiffObject<'BackupRepository', BackupRepositorySpec, BackupRepositoryStatus>;
