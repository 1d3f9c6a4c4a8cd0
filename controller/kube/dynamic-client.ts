import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../runtime/types.ts';
import {
  type ApiResourceInfo,
  type PreferredGroup,
  type PreferredResourcesOptions,
  serverPreferredResources,
  serverResourcesForGroupVersion,
  serverVersion,
} from './discovery.ts';
import { type GroupVersionResource, ResourceClient } from './resource-client.ts';
import { RestClient, type RestClientOptions } from './rest.ts';

/**
 * Access to any resource by group/version/resource, and discovery. What resource backup and
 * restore are built on: `dyn.resource({ group: 'apps', version: 'v1', resource: 'deployments' }, 'ns')`.
 */
export class DynamicClient {
  readonly rest: RestClient;

  constructor(rest: RestClient) {
    this.rest = rest;
  }

  /** `namespace` undefined: cluster-scoped resources, or a namespaced resource across all namespaces. */
  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, namespace?: string): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, gvr, namespace);
  }

  serverPreferredResources(opts: PreferredResourcesOptions = {}): Promise<PreferredGroup[]> {
    return serverPreferredResources(this.rest, opts);
  }

  serverResourcesForGroupVersion(groupVersion: string): Promise<ApiResourceInfo[] | undefined> {
    return serverResourcesForGroupVersion(this.rest, groupVersion);
  }

  serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    return serverVersion(this.rest);
  }
}

export function makeDynamicClient(kc: KubeConfig, opts: RestClientOptions = {}): DynamicClient {
  return new DynamicClient(new RestClient(kc, opts));
}
