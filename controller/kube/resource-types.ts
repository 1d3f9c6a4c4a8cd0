// Shapes shared by ResourceClient and its callers: resource identity, list/watch/patch/delete options.

/** A resource type: group ('' for the core group), version and plural resource name. */
export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** page size (`limit`); default 500 */
  limit?: number;
  signal?: AbortSignal;
}

export interface ListPageOptions extends ListOptions {
  /** the `continue` token of the previous page */
  continue?: string;
  resourceVersion?: string;
}

export interface ListPage<T> {
  items: T[];
  /** the list's resourceVersion: start a watch from here */
  resourceVersion: string;
  /** present when more pages follow */
  continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  /** for BOOKMARK only `metadata.resourceVersion` is meaningful */
  object: T;
}

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** the server ends the watch after this long (normal end); default 300 */
  timeoutSeconds?: number;
  /** default true */
  allowWatchBookmarks?: boolean;
  signal?: AbortSignal;
  /** no bytes for this long destroys the connection (an error); default timeoutSeconds + 30 s */
  idleTimeoutMs?: number;
}

/** `merge` = JSON merge patch (RFC 7386), `json` = JSON patch (RFC 6902), `apply` = server-side apply. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PatchOptions {
  /** default `merge` */
  type?: PatchType;
  /** e.g. `status` */
  subresource?: string;
  /** required for `apply` */
  fieldManager?: string;
  force?: boolean;
  signal?: AbortSignal;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  signal?: AbortSignal;
}

/** `/api/v1` or `/apis/<group>/<version>`, then `namespaces/<ns>/`, the resource, name and subresource. */
export function resourcePath(gvr: GroupVersionResource, namespace?: string, name?: string, subresource?: string): string {
  const parts = [gvr.group === '' ? `/api/${gvr.version}` : `/apis/${gvr.group}/${gvr.version}`];
  if (namespace !== undefined) parts.push('namespaces', encodeURIComponent(namespace));
  parts.push(gvr.resource);
  if (name !== undefined) parts.push(encodeURIComponent(name));
  if (subresource !== undefined) parts.push(subresource);
  return parts.join('/');
}
