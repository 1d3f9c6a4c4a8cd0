import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, GROUP, PLURALS, VERSION } from '../../crds/index.ts';
import type { KubeObject, SkiffClient } from '../runtime/types.ts';
import { isConflict } from './api-error.ts';
import { DynamicClient, makeDynamicClient } from './dynamic-client.ts';
import type { ResourceClient } from './resource-client.ts';

const KIND_BY_PLURAL = new Map<string, string>(Object.entries(PLURALS).map(([kind, plural]) => [plural, kind]));

/** How often patchStatus tries when the API server answers 409 Conflict. */
const STATUS_ATTEMPTS = 5;

/**
 * SkiffClient over the API server: Skiff's custom resources (group skiff.dev, version v1) in one
 * namespace. `create` fills in apiVersion and kind when absent; `delete` is idempotent (a missing
 * object is not an error); `patch` and `patchStatus` are JSON merge patches (a `null` removes a
 * field). A merge patch that carries `metadata.resourceVersion` is an optimistic-concurrency write:
 * it fails with SkiffError Conflict when the object changed since. Errors are KubeApiError.
 */
export class KubeSkiffClient implements SkiffClient {
  readonly namespace: string;
  readonly dynamic: DynamicClient;

  constructor(dynamic: DynamicClient, namespace: string) {
    this.dynamic = dynamic;
    this.namespace = namespace;
  }

  /** The underlying resource client for a Skiff plural, for watches and paginated lists. */
  resource<T extends KubeObject>(plural: string): ResourceClient<T> {
    return this.dynamic.resource<T>({ group: GROUP, version: VERSION, resource: plural }, this.namespace);
  }

  get<T extends KubeObject>(plural: string, name: string): Promise<T | undefined> {
    return this.resource<T>(plural).get(name);
  }

  async list<T extends KubeObject>(plural: string, opts: { labelSelector?: string } = {}): Promise<T[]> {
    return (await this.resource<T>(plural).list(opts)).items;
  }

  create<T extends KubeObject>(plural: string, obj: T): Promise<T> {
    const kind = KIND_BY_PLURAL.get(plural);
    const body = { ...obj, apiVersion: obj.apiVersion ?? API_VERSION, ...(obj.kind === undefined && kind !== undefined ? { kind } : {}) };
    return this.resource<T>(plural).create(body);
  }

  patch<T extends KubeObject>(plural: string, name: string, patch: object): Promise<T> {
    return this.resource<T>(plural).patch(name, patch);
  }

  /**
   * Merge-patches `status` through the status subresource. A merge patch without a
   * resourceVersion rarely conflicts, but the API server may still answer 409 under contention;
   * that is retried (up to 5 attempts) with a short pause.
   */
  async patchStatus<T extends KubeObject>(plural: string, name: string, status: object): Promise<T> {
    const res = this.resource<T>(plural);
    for (let attempt = 1; ; attempt++) {
      try {
        return await res.patch(name, { status }, { subresource: 'status' });
      } catch (err) {
        if (!isConflict(err) || attempt >= STATUS_ATTEMPTS) throw err;
        await sleep(20 * attempt + Math.floor(Math.random() * 20));
      }
    }
  }

  async delete(plural: string, name: string): Promise<void> {
    await this.resource(plural).delete(name, { propagationPolicy: 'Background' });
  }
}

export function makeSkiffClient(kc: KubeConfig | DynamicClient, namespace: string): KubeSkiffClient {
  const dynamic = kc instanceof DynamicClient ? kc : makeDynamicClient(kc);
  return new KubeSkiffClient(dynamic, namespace);
}
