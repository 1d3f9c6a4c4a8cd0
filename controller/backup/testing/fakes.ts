/**
 * Test doubles for the backup's dependencies: an in-memory cluster (discovery + objects), an
 * in-memory object store with injectable failures, and an in-memory SkiffClient with JSON
 * merge-patch semantics. Used by unit tests only.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { SkiffError } from '../../../repository/errors/errors.ts';
import type { KubeObject, ObjectStore, SkiffClient } from '../../runtime/index.ts';
import { type ApiResource, type ClusterReader, type Discovery, type ListOptions, groupResource } from '../cluster-reader.ts';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function res(group: string, version: string, name: string, kind: string, namespaced: boolean, shortNames: string[] = []): ApiResource {
  return { group, version, name, singularName: '', kind, namespaced, shortNames, verbs: ALL_VERBS };
}

/** A small 1.20-like cluster's discovery. */
export const DISCOVERY: ApiResource[] = [
  res('', 'v1', 'pods', 'Pod', true, ['po']),
  res('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']),
  res('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv']),
  res('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  res('', 'v1', 'secrets', 'Secret', true),
  res('', 'v1', 'services', 'Service', true, ['svc']),
  res('', 'v1', 'namespaces', 'Namespace', false, ['ns']),
  res('', 'v1', 'nodes', 'Node', false, ['no']),
  res('', 'v1', 'events', 'Event', true, ['ev']),
  { ...res('', 'v1', 'pods/log', 'Pod', true), verbs: ['get'] },
  { ...res('', 'v1', 'bindings', 'Binding', true), verbs: ['create'] },
  res('apps', 'v1', 'deployments', 'Deployment', true, ['deploy']),
  res('events.k8s.io', 'v1', 'events', 'Event', true, ['ev']),
  res('extensions', 'v1beta1', 'ingresses', 'Ingress', true, ['ing']),
  res('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['ing']),
  res('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  res('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, ['sc']),
  res('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds']),
  res('example.com', 'v1', 'widgets', 'Widget', true, ['wd']),
  res('example.com', 'v1', 'gadgets', 'Gadget', false),
  res('skiff.dev', 'v1', 'backups', 'Backup', true),
  res('skiff.dev', 'v1', 'schedules', 'Schedule', true),
];

export function obj(name: string, opts: { namespace?: string; labels?: Record<string, string>; extra?: Record<string, unknown> } = {}): KubeObject {
  const metadata = { name, uid: `uid-${opts.namespace ?? ''}-${name}`, ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(opts.labels ? { labels: opts.labels } : {}) };
  return { metadata, ...opts.extra };
}

/** Objects keyed by group-resource (`pods`, `deployments.apps`). */
export class FakeCluster implements ClusterReader {
  readonly lists: string[] = [];
  readonly failing = new Set<string>();
  readonly objects: Map<string, KubeObject[]>;
  readonly failures: Discovery['failures'] = [];
  resources: ApiResource[];

  constructor(objects: Record<string, KubeObject[]>, resources: ApiResource[] = DISCOVERY) {
    this.objects = new Map(Object.entries(objects));
    this.resources = resources;
  }

  async discover(): Promise<Discovery> {
    return { resources: this.resources, failures: this.failures };
  }

  async *list(r: ApiResource, opts: ListOptions = {}): AsyncIterable<KubeObject> {
    const gr = groupResource(r);
    this.lists.push(opts.namespace === undefined ? gr : `${gr}@${opts.namespace}`);
    if (this.failing.has(gr)) throw new SkiffError('Auth', `GET ${gr}: forbidden`);
    for (const o of this.objects.get(gr) ?? []) {
      if (opts.namespace === undefined || o.metadata.namespace === opts.namespace) yield structuredClone(o);
    }
  }

  async get(r: ApiResource, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const o = (this.objects.get(groupResource(r)) ?? []).find((x) => x.metadata.name === name && x.metadata.namespace === namespace);
    return o === undefined ? undefined : structuredClone(o);
  }
}

export class MemObjectStore implements ObjectStore {
  readonly location = 's3://mem/prefix';
  readonly objects = new Map<string, Buffer>();
  /** every method throws this (an unreachable endpoint) */
  unreachable: Error | undefined;
  /** `put` of a stream fails after this many bytes */
  failStreamAfter: number | undefined;

  #check(): void {
    if (this.unreachable !== undefined) throw this.unreachable;
  }
  async put(key: string, body: Buffer | Readable, _opts?: { contentType?: string }): Promise<void> {
    this.#check();
    if (Buffer.isBuffer(body)) {
      this.objects.set(key, body);
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of body as AsyncIterable<Buffer>) {
      chunks.push(c);
      n += c.length;
      if (this.failStreamAfter !== undefined && n > this.failStreamAfter) throw new SkiffError('Transient', 'connection reset during upload');
    }
    this.objects.set(key, Buffer.concat(chunks));
  }
  async get(key: string): Promise<Buffer> {
    this.#check();
    const b = this.objects.get(key);
    if (b === undefined) throw new SkiffError('NotFound', `${key} not found`);
    return b;
  }
  async getStream(key: string): Promise<Readable> {
    const { Readable } = await import('node:stream');
    return Readable.from([await this.get(key)]);
  }
  async exists(key: string): Promise<boolean> {
    this.#check();
    return this.objects.has(key);
  }
  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    this.#check();
    for (const [key, b] of this.objects) if (key.startsWith(prefix)) yield { key, size: b.length };
  }
  async listPrefixes(prefix: string): Promise<string[]> {
    this.#check();
    const out = new Set<string>();
    for (const key of this.objects.keys()) if (key.startsWith(prefix)) out.add(key.slice(prefix.length).split('/')[0] ?? '');
    return [...out];
  }
  async delete(key: string): Promise<void> {
    this.#check();
    this.objects.delete(key);
  }
  async deletePrefix(prefix: string): Promise<number> {
    this.#check();
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix));
    for (const k of keys) this.objects.delete(k);
    return keys.length;
  }
  async presignGet(key: string): Promise<string> {
    return `http://mem/${key}`;
  }
  async validate(): Promise<void> {
    this.#check();
  }
  async close(): Promise<void> {}
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class MemSkiffClient implements SkiffClient {
  readonly namespace = 'skiff';
  readonly store = new Map<string, Map<string, KubeObject>>();
  readonly statusPatches: { plural: string; name: string; status: object }[] = [];

  #kind(plural: string): Map<string, KubeObject> {
    let m = this.store.get(plural);
    if (m === undefined) this.store.set(plural, (m = new Map()));
    return m;
  }
  async get<T extends KubeObject>(plural: string, name: string): Promise<T | undefined> {
    const o = this.#kind(plural).get(name);
    return o === undefined ? undefined : (structuredClone(o) as T);
  }
  async list<T extends KubeObject>(plural: string): Promise<T[]> {
    return [...this.#kind(plural).values()].map((o) => structuredClone(o) as T);
  }
  async create<T extends KubeObject>(plural: string, o: T): Promise<T> {
    const name = o.metadata.name ?? '';
    if (this.#kind(plural).has(name)) throw new SkiffError('Conflict', `${plural} ${name} already exists`);
    const stored = { ...structuredClone(o), metadata: { ...o.metadata, namespace: this.namespace, uid: randomUUID() } };
    delete (stored as { status?: unknown }).status;
    this.#kind(plural).set(name, stored);
    return structuredClone(stored);
  }
  async patch<T extends KubeObject>(plural: string, name: string, patch: object): Promise<T> {
    const o = this.#kind(plural).get(name);
    if (o === undefined) throw new SkiffError('NotFound', `${plural} ${name} not found`);
    const { status: _ignored, ...rest } = patch as { status?: unknown };
    const next = mergePatch(o, rest) as KubeObject;
    this.#kind(plural).set(name, next);
    return structuredClone(next) as T;
  }
  async patchStatus<T extends KubeObject>(plural: string, name: string, status: object): Promise<T> {
    const o = this.#kind(plural).get(name);
    if (o === undefined) throw new SkiffError('NotFound', `${plural} ${name} not found`);
    this.statusPatches.push({ plural, name, status: structuredClone(status) });
    const next = mergePatch(o, { status }) as KubeObject;
    this.#kind(plural).set(name, next);
    return structuredClone(next) as T;
  }
  async delete(plural: string, name: string): Promise<void> {
    this.#kind(plural).delete(name);
  }
}
