import type { Duration, SkiffObject, Timestamp } from './meta.ts';

export const ACCESS_MODES = ['ReadWrite', 'ReadOnly'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export const BSL_PHASES = ['Available', 'Unavailable'] as const;
export type BackupStorageLocationPhase = (typeof BSL_PHASES)[number];

/**
 * Provider settings, a map of strings as in Velero. Keys Skiff reads for provider `aws`;
 * booleans are the strings "true"/"false".
 */
export interface BackupStorageLocationConfig {
  region?: string;
  s3Url?: string;
  s3ForcePathStyle?: string;
  insecureSkipTLSVerify?: string;
  [key: string]: string | undefined;
}

export interface BackupStorageLocationSpec {
  /** `aws`: Amazon S3 and S3-compatible stores. */
  provider: string;
  objectStorage: {
    bucket: string;
    prefix?: string;
    /** Base64 of a PEM CA bundle. */
    caCert?: string;
  };
  config?: BackupStorageLocationConfig;
  /** Secret in the location's namespace holding an AWS shared credentials file under `key`. */
  credential?: { name?: string; key: string; optional?: boolean };
  accessMode?: AccessMode;
  default?: boolean;
  backupSyncPeriod?: Duration | null;
  validationFrequency?: Duration | null;
}

export interface BackupStorageLocationStatus {
  phase?: BackupStorageLocationPhase;
  message?: string;
  lastSyncedTime?: Timestamp | null;
  lastValidationTime?: Timestamp | null;
}

export type BackupStorageLocation = SkiffObject<'BackupStorageLocation', BackupStorageLocationSpec, BackupStorageLocationStatus>;
