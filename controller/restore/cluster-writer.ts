// What the restore needs from the target cluster: discovery, and get/create/merge-patch of any
// resource. `dynamicClusterWriter` (dynamic-cluster-writer.ts) implements it over controller/kube;
// tests use an in-memory fake.
import type { JsonObject } from './unstructured.ts';

/** A served resource type. */
export interface ApiResource {
  /** '' for the core group */
  readonly group: string;
  readonly version: string;
  /** plural, e.g. `deployments` */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
}

/**
 * Errors are SkiffErrors: `create` fails with code Conflict when the object already exists;
 * `mergePatch` fails with Conflict when a `metadata.resourceVersion` in the patch is stale.
 */
export interface ClusterWriter {
  /**
   * The resource served for `group`/`resource` at `version`, or undefined when that version is
   * not served. Answers from a discovery cache; `refreshDiscovery` re-reads it (after CRDs are
   * created).
   */
  findResource(group: string, resource: string, version: string): Promise<ApiResource | undefined>;
  refreshDiscovery(): Promise<void>;
  /** `namespace` is ignored for cluster-scoped resources */
  get(res: ApiResource, namespace: string | undefined, name: string): Promise<JsonObject | undefined>;
  /** creates `obj` in `obj.metadata.namespace` (namespaced resources) */
  create(res: ApiResource, obj: JsonObject): Promise<JsonObject>;
  /** JSON merge patch (RFC 7386) */
  mergePatch(res: ApiResource, namespace: string | undefined, name: string, patch: JsonObject): Promise<JsonObject>;
}

/** Splits `deployments.apps` into resource and group; `pods` is the core group. */
export function splitGroupResource(groupResource: string): { resource: string; group: string } {
  const dot = groupResource.indexOf('.');
  return dot === -1 ? { resource: groupResource, group: '' } : { resource: groupResource.slice(0, dot), group: groupResource.slice(dot + 1) };
}

/** Splits `apps/v1` into group and version; `v1` is the core group. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
