import type { PodReference, SkiffObject, Timestamp } from './meta.ts';

export const POD_VOLUME_PHASES = ['New', 'Accepted', 'InProgress', 'Completed', 'Failed', 'Canceled'] as const;
export type PodVolumePhase = (typeof POD_VOLUME_PHASES)[number];

export interface PodVolumeProgress {
  totalBytes?: number;
  bytesDone?: number;
}

interface PodVolumeStatusBase {
  phase?: PodVolumePhase;
  message?: string;
  acceptedTimestamp?: Timestamp | null;
  startTimestamp?: Timestamp | null;
  completionTimestamp?: Timestamp | null;
  progress?: PodVolumeProgress | null;
}

export interface PodVolumeBackupSpec {
  /** The pod's node; only that node's agent takes the work. */
  node: string;
  pod: PodReference;
  /** Volume name in the pod spec. */
  volume: string;
  backupStorageLocation: string;
  repoIdentifier: string;
  uploaderType?: 'restic';
  /** Recorded on the snapshot: backup, backup-uid, ns, pod, pod-uid, pvc-uid, volume. */
  tags?: Record<string, string>;
  cancel?: boolean;
}

export interface PodVolumeBackupStatus extends PodVolumeStatusBase {
  /** Directory on the node that was backed up. */
  path?: string;
  snapshotID?: string;
}

export type PodVolumeBackup = SkiffObject<'PodVolumeBackup', PodVolumeBackupSpec, PodVolumeBackupStatus>;

export interface PodVolumeRestoreSpec {
  pod: PodReference;
  volume: string;
  backupStorageLocation: string;
  repoIdentifier: string;
  snapshotID: string;
  /** Namespace the volume was backed up from (differs under namespaceMapping). */
  sourceNamespace?: string;
  uploaderType?: 'restic';
  cancel?: boolean;
}

export interface PodVolumeRestoreStatus extends PodVolumeStatusBase {
  /** The node the restored pod runs on, whose agent does the work. */
  node?: string;
}

export type PodVolumeRestore = SkiffObject<'PodVolumeRestore', PodVolumeRestoreSpec, PodVolumeRestoreStatus>;
