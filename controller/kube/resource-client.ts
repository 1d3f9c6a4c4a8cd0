import type { KubeObject } from '../runtime/types.ts';
import { KubeApiError, apiErrorFromNetwork, apiErrorFromStatus, isGone, isNotFound, type KubeStatus } from './api-error.ts';
import {
  type DeleteOptions,
  type GroupVersionResource,
  type ListOptions,
  type ListPage,
  type ListPageOptions,
  PATCH_CONTENT_TYPES,
  type PatchOptions,
  type WatchEvent,
  type WatchOptions,
  resourcePath,
} from './resource-types.ts';
import type { RestClient } from './rest.ts';

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
} from './resource-types.ts';
export { resourcePath } from './resource-types.ts';

/**
 * CRUD, paginated list and watch of one resource type, in one namespace (`namespace` set), or
 * cluster-scoped / across all namespaces (`namespace` undefined). The caller decides which from
 * discovery (`namespaced`); the path is built from `namespace` only, never from the object.
 * Errors are KubeApiError (see api-error.ts); `get` answers undefined and `delete` false for 404.
 */
export class ResourceClient<T extends KubeObject = KubeObject> {
  readonly gvr: GroupVersionResource;
  readonly namespace: string | undefined;
  private readonly rest: RestClient;

  constructor(rest: RestClient, gvr: GroupVersionResource, namespace?: string) {
    this.rest = rest;
    this.gvr = gvr;
    this.namespace = namespace;
  }

  private path(name?: string, subresource?: string): string {
    return resourcePath(this.gvr, this.namespace, name, subresource);
  }

  /** One page of a list (`limit`/`continue`). */
  async listPage(opts: ListPageOptions = {}): Promise<ListPage<T>> {
    const list = await this.rest.json<{ metadata?: { resourceVersion?: string; continue?: string }; items?: T[] | null }>({
      method: 'GET',
      path: this.path(),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit ?? 500,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
      },
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    const cont = list.metadata?.continue;
    return {
      items: list.items ?? [],
      resourceVersion: list.metadata?.resourceVersion ?? '',
      ...(cont === undefined || cont === '' ? {} : { continue: cont }),
    };
  }

  /**
   * Every item, page by page, as one consistent list. When a continue token expires (410) the
   * list starts over once from the beginning.
   */
  async list(opts: ListOptions = {}): Promise<{ items: T[]; resourceVersion: string }> {
    for (let attempt = 0; ; attempt++) {
      const items: T[] = [];
      let page: ListPage<T> | undefined;
      try {
        do {
          page = await this.listPage({ ...opts, ...(page?.continue === undefined ? {} : { continue: page.continue }) });
          items.push(...page.items);
        } while (page.continue !== undefined);
        return { items, resourceVersion: page.resourceVersion };
      } catch (err) {
        if (!(isGone(err) && attempt === 0)) throw err;
      }
    }
  }

  /** Items page by page without holding the whole list (for large collections). */
  async *iterate(opts: ListOptions = {}): AsyncGenerator<T> {
    let cont: string | undefined;
    do {
      const page = await this.listPage({ ...opts, ...(cont === undefined ? {} : { continue: cont }) });
      yield* page.items;
      cont = page.continue;
    } while (cont !== undefined);
  }

  async get(name: string, opts: { signal?: AbortSignal } = {}): Promise<T | undefined> {
    try {
      return await this.rest.json<T>({ method: 'GET', path: this.path(name), ...opts });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** POST; 409 AlreadyExists when the name is taken (see isAlreadyExists). */
  create(obj: T, opts: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<T> {
    return this.rest.json<T>({
      method: 'POST',
      path: this.path(),
      body: obj,
      query: { dryRun: opts.dryRun === true ? 'All' : undefined },
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
  }

  /** PUT of the whole object; with `metadata.resourceVersion` set, 409 Conflict when it is stale. */
  replace(obj: T, opts: { subresource?: string; signal?: AbortSignal } = {}): Promise<T> {
    const name = obj.metadata.name;
    if (name === undefined) throw new KubeApiError('Permanent', `PUT ${this.path()}: the object has no name`);
    return this.rest.json<T>({
      method: 'PUT',
      path: this.path(name, opts.subresource),
      body: obj,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
  }

  /** PATCH; a merge patch carrying `metadata.resourceVersion` fails with 409 Conflict when stale. */
  patch(name: string, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    const type = opts.type ?? 'merge';
    return this.rest.json<T>({
      method: 'PATCH',
      path: this.path(name, opts.subresource),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      query: { fieldManager: opts.fieldManager, force: opts.force === true ? true : undefined },
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
  }

  /** DELETE; resolves false when the object was already gone. */
  async delete(name: string, opts: DeleteOptions = {}): Promise<boolean> {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (opts.propagationPolicy !== undefined) body['propagationPolicy'] = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body['gracePeriodSeconds'] = opts.gracePeriodSeconds;
    if (opts.preconditions !== undefined) body['preconditions'] = opts.preconditions;
    try {
      await this.rest.json({ method: 'DELETE', path: this.path(name), body, ...(opts.signal === undefined ? {} : { signal: opts.signal }) });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Watches from `resourceVersion`, calling `onEvent` for each event in order. Resolves when the
   * server ends the watch (timeout) or `signal` aborts; rejects with KubeApiError on a broken
   * connection or an ERROR event (410 Gone when the resourceVersion is too old: list again).
   */
  async watch(opts: WatchOptions, onEvent: (e: WatchEvent<T>) => void): Promise<void> {
    const what = `WATCH ${this.path()}`;
    const timeoutSeconds = opts.timeoutSeconds ?? 300;
    const res = await this.rest.stream({
      method: 'GET',
      path: this.path(),
      query: {
        watch: 'true',
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: opts.allowWatchBookmarks ?? true,
        timeoutSeconds,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      },
      timeoutMs: opts.idleTimeoutMs ?? (timeoutSeconds + 30) * 1000,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line !== '') dispatch(what, line, onEvent);
        }
      }
    } catch (err) {
      if (opts.signal?.aborted === true) return;
      throw apiErrorFromNetwork(what, this.rest.server, err);
    } finally {
      res.destroy();
    }
  }
}

function dispatch<T>(what: string, line: string, onEvent: (e: WatchEvent<T>) => void): void {
  let ev: { type?: string; object?: unknown };
  try {
    ev = JSON.parse(line) as { type?: string; object?: unknown };
  } catch (err) {
    throw new KubeApiError('Transient', `${what}: unreadable watch event`, { cause: err });
  }
  if (ev.type === 'ERROR') {
    const st = (ev.object ?? {}) as KubeStatus;
    throw apiErrorFromStatus(what, st.code ?? 500, st);
  }
  if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED' || ev.type === 'BOOKMARK') {
    onEvent({ type: ev.type, object: ev.object as T });
  }
}
