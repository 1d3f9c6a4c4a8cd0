/**
 * What the backup needs from the cluster: discovery of the served resources (one preferred
 * version per group) and paged, read-only listing of any resource. `dynamic-cluster-reader.ts`
 * implements it over controller/kube; unit tests use `testing/fakes.ts`.
 */
import type { KubeObject } from '../runtime/index.ts';

/** One resource as discovery serves it, at its group's preferred version. */
export interface ApiResource {
  /** '' for the core group */
  readonly group: string;
  readonly version: string;
  /** plural name, e.g. `deployments` */
  readonly name: string;
  readonly singularName: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
}

export interface Discovery {
  readonly resources: readonly ApiResource[];
  /** groups/versions whose resource list could not be read (an aggregated API down, ...) */
  readonly failures: readonly { groupVersion: string; message: string }[];
}

export interface ListOptions {
  /** only this namespace; absent: all namespaces (or a cluster-scoped resource) */
  readonly namespace?: string;
  /** server-side `labelSelector` query string */
  readonly labelSelector?: string;
  readonly signal?: AbortSignal;
}

export interface ClusterReader {
  /** The served resources at each group's preferred version (`ServerPreferredResources`). */
  discover(): Promise<Discovery>;
  /** Every object of `res`, page by page; each carries `apiVersion` and `kind`. */
  list(res: ApiResource, opts?: ListOptions): AsyncIterable<KubeObject>;
  /** One object, or undefined when it does not exist. */
  get(res: ApiResource, name: string, namespace?: string): Promise<KubeObject | undefined>;
}

/** `resource.group`, or just `resource` for the core group: Velero's group-resource string. */
export function groupResource(res: Pick<ApiResource, 'group' | 'name'>): string {
  return res.group === '' ? res.name : `${res.name}.${res.group}`;
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(res: Pick<ApiResource, 'group' | 'version'>): string {
  return res.group === '' ? res.version : `${res.group}/${res.version}`;
}
