// `skiff node-agent` and `skiff restore-helper`: the DaemonSet process that moves pod volume data
// for its node's PodVolumeBackups/Restores, and the restore-wait init container's wait.
export { runNodeAgent, labelledSource } from './agent-kube.ts';
export type { RunNodeAgentOptions, RunningNodeAgent } from './agent-kube.ts';
export { startNodeAgent } from './agent.ts';
export type { NodeAgentDeps, NodeAgentHandle } from './agent.ts';
export { agentLeaseName, renewAgentLease, LEASE_DURATION_S, RENEW_EVERY_MS } from './agent-lease.ts';
export { RepositoryProvider, REPO_SECRET, REPO_PASSWORD_KEY } from './repo-provider.ts';
export type { RepositoryProviderOptions } from './repo-provider.ts';
export { openOrInit } from './repo-init.ts';
export { kubeClusterReads } from './cluster-reads.ts';
export { findPod, volumeSourceOf } from './volume-source.ts';
export type { ClusterReads, LocatedVolume, PodObject, PvObject, PvcObject } from './volume-source.ts';
export { resolveVolumePath, volumeDir } from './volume-path.ts';
export type { VolumeSource } from './volume-path.ts';
export { backupVolume, restoreVolume, findVolumeParent, identityTag, writeDoneFile, DONE_DIR, IDENTITY_TAG_PREFIX, SNAPSHOT_HOST } from './volume-backup.ts';
export { waitForRestores } from './restore-helper.ts';
export type { WaitOptions } from './restore-helper.ts';
