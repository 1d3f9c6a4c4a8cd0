/**
 * Well-known labels and annotations, the Skiff names of Velero's (velero-reference.md §3.13).
 * Lookups by label are how controllers find each other's objects; never rename a value.
 */
export const LABELS = {
  backupName: 'skiff.dev/backup-name',
  backupUid: 'skiff.dev/backup-uid',
  restoreName: 'skiff.dev/restore-name',
  restoreUid: 'skiff.dev/restore-uid',
  scheduleName: 'skiff.dev/schedule-name',
  pvcUid: 'skiff.dev/pvc-uid',
  storageLocation: 'skiff.dev/storage-location',
  volumeNamespace: 'skiff.dev/volume-namespace',
  repositoryType: 'skiff.dev/repository-type',
  /** PodVolumeBackup/PodVolumeRestore: the node whose agent takes it (agents select by this label). */
  node: 'skiff.dev/node',
  /** `skiff.dev/exclude-from-backup=true` keeps an object out of every backup. */
  excludeFromBackup: 'skiff.dev/exclude-from-backup',
} as const;

export const ANNOTATIONS = {
  /** Pod: comma-separated volume names to back up by file system backup (opt-in). */
  backupVolumes: 'backup.skiff.dev/backup-volumes',
  /** Pod: comma-separated volume names not to back up when defaultVolumesToFsBackup is on (opt-out). */
  backupVolumesExcludes: 'backup.skiff.dev/backup-volumes-excludes',
  /** Any object: skip it in backups. */
  skipFromBackup: 'skiff.dev/skip-from-backup',
  /** Backup/Restore: overrides the pod volume timeout (a Go duration). */
  podVolumeTimeout: 'skiff.dev/pod-volume-timeout',
  /** Backup: the source cluster's version. */
  sourceClusterGitVersion: 'skiff.dev/source-cluster-k8s-gitversion',
  sourceClusterMajorVersion: 'skiff.dev/source-cluster-k8s-major-version',
  sourceClusterMinorVersion: 'skiff.dev/source-cluster-k8s-minor-version',
  /** Restored PersistentVolume: its name before renaming. */
  originalPvName: 'skiff.dev/original-pv-name',
  /** PodVolumeBackup: name of the PVC the volume came from. */
  pvcName: 'skiff.dev/pvc-name',
  /** Backup: created by backup sync from the named location; its status follows from storage. */
  syncedFromStorage: 'skiff.dev/synced-from-storage',
} as const;
