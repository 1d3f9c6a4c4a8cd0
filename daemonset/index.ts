// What `skiff install` applies, generated from options (see README.md).
export {
  DEFAULT_KUBELET_ROOT_DIR,
  DEFAULT_NODE_AGENT_RESOURCES,
  DEFAULT_SERVER_RESOURCES,
  NAMES,
  PART_OF,
  PORTS,
  clusterRoleNames,
  defaultImage,
  newRepositoryPassword,
  resolveInstallOptions,
} from './options.ts';
export type { ContainerResources, InstallOptions, LocationOptions } from './options.ts';
export { crdManifests, installManifests, namespaceManifest } from './manifests.ts';
export { nodeAgentClusterRules, nodeAgentNamespaceRules, nodeAgentRbac, serverClusterRules, serverNamespaceRules, serverRbac } from './rbac.ts';
export { credentialsSecret, defaultLocation, repositoryPasswordSecret } from './storage.ts';
export type { LocationManifest } from './storage.ts';
export { HOST_PODS_MOUNT, nodeAgentDaemonSet, serverDeployment } from './workloads.ts';
export type { WorkloadManifest } from './workloads.ts';
export type { BindingManifest, Manifest, ManifestMeta, PolicyRule, RoleManifest, SecretManifest } from './types.ts';
