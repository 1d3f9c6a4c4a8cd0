// Skiff's custom resources (group skiff.dev, version v1): constants, wire-format types, well-known
// labels, and the CustomResourceDefinition manifests. Types describe JSON as the API server returns it.
export { API_VERSION, GROUP, KINDS, PLURALS, VERSION, crdName } from './constants.ts';
export type { SkiffKind, SkiffPlural } from './constants.ts';
export { ANNOTATIONS, LABELS } from './labels.ts';
export type {
  Duration,
  LabelSelector,
  LabelSelectorRequirement,
  ObjectMeta,
  OwnerReference,
  PodReference,
  SkiffList,
  SkiffObject,
  Timestamp,
} from './meta.ts';
export { BACKUP_PHASES, SCHEDULE_PHASES } from './backup.ts';
export type {
  Backup,
  BackupPhase,
  BackupResourceHook,
  BackupResourceHookSpec,
  BackupSpec,
  BackupStatus,
  ExecHook,
  Schedule,
  SchedulePhase,
  ScheduleSpec,
  ScheduleStatus,
} from './backup.ts';
export { EXISTING_RESOURCE_POLICIES, RESTORE_PHASES } from './restore.ts';
export type { ExistingResourcePolicy, Restore, RestorePhase, RestoreSpec, RestoreStatus } from './restore.ts';
export { ACCESS_MODES, BSL_PHASES } from './storage-location.ts';
export type {
  AccessMode,
  BackupStorageLocation,
  BackupStorageLocationConfig,
  BackupStorageLocationPhase,
  BackupStorageLocationSpec,
  BackupStorageLocationStatus,
} from './storage-location.ts';
export { DELETE_BACKUP_REQUEST_PHASES, DOWNLOAD_REQUEST_PHASES, DOWNLOAD_TARGET_KINDS } from './requests.ts';
export type {
  DeleteBackupRequest,
  DeleteBackupRequestPhase,
  DeleteBackupRequestSpec,
  DeleteBackupRequestStatus,
  DownloadRequest,
  DownloadRequestPhase,
  DownloadRequestSpec,
  DownloadRequestStatus,
  DownloadTargetKind,
} from './requests.ts';
export { BACKUP_REPOSITORY_PHASES } from './backup-repository.ts';
export type {
  BackupRepository,
  BackupRepositoryPhase,
  BackupRepositorySpec,
  BackupRepositoryStatus,
  MaintenanceRecord,
} from './backup-repository.ts';
export { POD_VOLUME_PHASES } from './pod-volume.ts';
export type {
  PodVolumeBackup,
  PodVolumeBackupSpec,
  PodVolumeBackupStatus,
  PodVolumePhase,
  PodVolumeProgress,
  PodVolumeRestore,
  PodVolumeRestoreSpec,
  PodVolumeRestoreStatus,
} from './pod-volume.ts';
export { CRD_YAML_DIR, loadCrdManifests } from './manifests.ts';
export type { CrdManifest } from './manifests.ts';
export { selectorMatches, selectorProblems, selectorQuery } from './label-selector.ts';
