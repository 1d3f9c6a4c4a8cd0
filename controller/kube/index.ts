// Skiff's Kubernetes client: the only module (besides crds/ and test/kube/) that imports
// @kubernetes/client-node, and only for KubeConfig (loading and authentication). Requests go
// through RestClient (JSON over HTTPS); every failure is a KubeApiError (a SkiffError).
export { KubeApiError, apiErrorFromStatus, isAlreadyExists, isConflict, isGone, isNotFound } from './api-error.ts';
export type { KubeStatus } from './api-error.ts';
export { loadKubeConfig } from './kubeconfig.ts';
export type { KubeConfigOptions, KubeConfigSource } from './kubeconfig.ts';
export { RestClient } from './rest.ts';
export type { HttpMethod, RestClientOptions, RestRequest } from './rest.ts';
export { ResourceClient, resourcePath } from './resource-client.ts';
export type {
  DeleteOptions,
  GroupVersionResource,
  ListOptions,
  ListPage,
  ListPageOptions,
  PatchOptions,
  PatchType,
  WatchEvent,
  WatchEventType,
  WatchOptions,
} from './resource-client.ts';
export { DynamicClient, makeDynamicClient } from './dynamic-client.ts';
export { parseGroupVersion, serverPreferredResources, serverResourcesForGroupVersion, serverVersion } from './discovery.ts';
export type { ApiResourceInfo, PreferredGroup, PreferredResourcesOptions } from './discovery.ts';
export { KubeSkiffClient, makeSkiffClient } from './skiff-client.ts';
export { readSecret } from './secrets.ts';
export type { SecretData } from './secrets.ts';
export { leaseStore } from './lease-store.ts';
export type { KubeConfig } from '@kubernetes/client-node';
