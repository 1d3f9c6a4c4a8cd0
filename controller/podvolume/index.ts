// File-system backup of pod volumes, the controller side (issue 6): volume selection and
// identities, PodVolumeBackups and PodVolumeRestores for the node agents (with their liveness
// Leases), the Backup, Restore and deletion hooks that drive them.
export { selectVolumes, describeSkip, splitList } from './select.ts';
export type { SelectOptions, SelectedVolume, Selection, SkippedVolume } from './select.ts';
export { controllerRef, volumeIdentity, workloadOf } from './identity.ts';
export type { OwnerLookup, Workload } from './identity.ts';
export { AGENT_LIVE_MS, agentChecker, agentLeaseName, leaseIsLive, noAgentMessage } from './agent-liveness.ts';
export { labelValue, podVolumeBackupObject, podVolumeRestoreObject, randomSuffix } from './objects.ts';
export type { PodVolumeBackupInput, PodVolumeRestoreInput } from './objects.ts';
export { kubePodVolumeCluster } from './cluster.ts';
export type { PodVolumeCluster } from './cluster.ts';
export type { Container, PersistentVolume, PersistentVolumeClaim, Pod, PodVolume } from './core-types.ts';
export { DEFAULT_FS_BACKUP_TIMEOUT_MS, DEFAULT_RESTORE_POD_SCHEDULE_TIMEOUT_MS, defaultImage, podVolumeTimeout } from './options.ts';
export type { PodVolumeDeps } from './options.ts';
export { planPodVolumes } from './plan-backups.ts';
export type { PlannedVolume, VolumePlan } from './plan-backups.ts';
export { FINAL_PHASES, isFinal, waitForFinal } from './wait-final.ts';
export type { WaitInput, WaitOutcome } from './wait-final.ts';
export { podVolumeBackupHook } from './backup-hook.ts';
export { loadBackupPodVolumes, withSnapshot } from './pvb-list.ts';
export { RESTORE_WAIT, RESTORES_DIR, injectRestoreWait, resetClaimBinding, restorableVolumes, restoreWaitContainer } from './restore-wait.ts';
export type { RestoreWaitOptions } from './restore-wait.ts';
export { podVolumeRestorer } from './restore-hook.ts';
export type { PodVolumeRestorer } from './restore-hook.ts';
export { volumeSnapshotDeleter } from './delete-snapshots.ts';
export type { VolumeSnapshotDeleter } from './delete-snapshots.ts';
