// An in-memory SkiffClient, and a ReconcileContext over it and object stores (controller/objectstore's
// MemObjectStore), for reconciler unit tests. The client answers `key=value[,key=value]` selectors only.
import { SkiffError } from '../../../repository/index.ts';
import { silentLogger, type KubeObject, type ObjectStore, type ReconcileContext, type SkiffClient } from '../../runtime/index.ts';
import { applyMergePatch } from '../merge-patch.ts';
import type { JsonObject } from '../unstructured.ts';

export class MemSkiffClient implements SkiffClient {
  readonly namespace = 'skiff';
  readonly objects = new Map<string, KubeObject>();
  private uid = 1;

  private key(plural: string, name: string): string {
    return `${plural}/${name}`;
  }

  get<T extends KubeObject>(plural: string, name: string): Promise<T | undefined> {
    const o = this.objects.get(this.key(plural, name));
    return Promise.resolve(o === undefined ? undefined : (structuredClone(o) as T));
  }

  list<T extends KubeObject>(plural: string, opts: { labelSelector?: string } = {}): Promise<T[]> {
    const want = (opts.labelSelector ?? '').split(',').filter((s) => s !== '').map((s) => s.split('='));
    const out = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${plural}/`))
      .map(([, o]) => o)
      .filter((o) => want.every(([k, v]) => o.metadata.labels?.[k ?? ''] === v));
    return Promise.resolve(structuredClone(out) as T[]);
  }

  create<T extends KubeObject>(plural: string, obj: T): Promise<T> {
    const name = obj.metadata.name ?? '';
    if (this.objects.has(this.key(plural, name))) return Promise.reject(new SkiffError('Conflict', `${plural} ${name} already exists`));
    const stored = structuredClone(obj);
    stored.metadata.uid = `uid-${this.uid++}`;
    this.objects.set(this.key(plural, name), stored);
    return Promise.resolve(structuredClone(stored));
  }

  patch<T extends KubeObject>(plural: string, name: string, patch: object): Promise<T> {
    const o = this.objects.get(this.key(plural, name));
    if (o === undefined) return Promise.reject(new SkiffError('NotFound', `${plural} ${name} not found`));
    const next = applyMergePatch(o as unknown as JsonObject, patch as JsonObject) as unknown as KubeObject;
    this.objects.set(this.key(plural, name), next);
    return Promise.resolve(structuredClone(next) as T);
  }

  patchStatus<T extends KubeObject>(plural: string, name: string, status: object): Promise<T> {
    return this.patch<T>(plural, name, { status });
  }

  delete(plural: string, name: string): Promise<void> {
    this.objects.delete(this.key(plural, name));
    return Promise.resolve();
  }
}

export function memContext(client: SkiffClient, stores: Record<string, ObjectStore>, now = new Date('2024-05-01T00:00:00Z')): ReconcileContext {
  return {
    client,
    log: silentLogger(),
    clock: { now: () => now },
    signal: new AbortController().signal,
    objectStore(bsl) {
      const s = stores[bsl];
      return s === undefined ? Promise.reject(new SkiffError('NotFound', `backup storage location ${bsl} not found`)) : Promise.resolve(s);
    },
  };
}
