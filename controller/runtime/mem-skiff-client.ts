import { SkiffError } from '../../repository/errors/errors.ts';
import type { ListWatchSource, SourceEvent, SourcePage } from './informer.ts';
import type { KubeObject, SkiffClient } from './types.ts';

type Listener = (e: SourceEvent<KubeObject>) => void;

/**
 * An in-memory SkiffClient for unit tests of reconcilers and of the runtime, with the API server's
 * semantics that matter to them: resourceVersions bump on every write, `generation` bumps on
 * metadata/spec changes but not on status writes, merge patches (null deletes), 409 AlreadyExists,
 * 409 Conflict for a stale `metadata.resourceVersion` in a patch, NotFound on patching a missing
 * object, idempotent delete. `source(plural)` is a ListWatchSource whose watch sees every write.
 */
export class MemSkiffClient implements SkiffClient {
  readonly namespace: string;
  private rv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** every write, in order: `create backups/b1`, `patchStatus backups/b1`, ... */
  readonly writes: string[] = [];

  constructor(namespace = 'skiff') {
    this.namespace = namespace;
  }

  private bucket(plural: string): Map<string, KubeObject> {
    let m = this.objects.get(plural);
    if (m === undefined) this.objects.set(plural, (m = new Map()));
    return m;
  }

  private emit(plural: string, type: SourceEvent<KubeObject>['type'], obj: KubeObject): void {
    for (const l of this.listeners.get(plural) ?? []) l({ type, object: structuredClone(obj) });
  }

  async get<T extends KubeObject>(plural: string, name: string): Promise<T | undefined> {
    const o = this.bucket(plural).get(name);
    return o === undefined ? undefined : (structuredClone(o) as T);
  }

  async list<T extends KubeObject>(plural: string, opts: { labelSelector?: string } = {}): Promise<T[]> {
    const want = (opts.labelSelector ?? '').split(',').filter((s) => s !== '').map((s) => s.split('=') as [string, string]);
    return [...this.bucket(plural).values()]
      .filter((o) => want.every(([k, v]) => o.metadata.labels?.[k] === v))
      .map((o) => structuredClone(o) as T);
  }

  async create<T extends KubeObject>(plural: string, obj: T): Promise<T> {
    const name = obj.metadata.name ?? '';
    if (this.bucket(plural).has(name)) throw Object.assign(new SkiffError('Conflict', `${plural} ${name} already exists`), { status: 409, reason: 'AlreadyExists' });
    const stored = structuredClone(obj) as KubeObject;
    stored.metadata = { ...stored.metadata, namespace: this.namespace, uid: `uid-${name}-${++this.rv}`, resourceVersion: String(this.rv), generation: 1, creationTimestamp: new Date(0).toISOString() };
    this.bucket(plural).set(name, stored);
    this.writes.push(`create ${plural}/${name}`);
    this.emit(plural, 'ADDED', stored);
    return structuredClone(stored) as T;
  }

  async patch<T extends KubeObject>(plural: string, name: string, patch: object): Promise<T> {
    return this.write<T>(plural, name, patch, false);
  }

  async patchStatus<T extends KubeObject>(plural: string, name: string, status: object): Promise<T> {
    return this.write<T>(plural, name, { status }, true);
  }

  private async write<T extends KubeObject>(plural: string, name: string, patch: object, statusOnly: boolean): Promise<T> {
    const cur = this.bucket(plural).get(name);
    if (cur === undefined) throw Object.assign(new SkiffError('NotFound', `${plural} ${name} not found`), { status: 404 });
    const wantRv = (patch as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    if (wantRv !== undefined && wantRv !== cur.metadata.resourceVersion) {
      throw Object.assign(new SkiffError('Conflict', `${plural} ${name} was modified`), { status: 409, reason: 'Conflict' });
    }
    const body = statusOnly ? { status: (patch as { status: unknown }).status } : { ...patch, status: undefined };
    const next = mergePatch(cur, body) as KubeObject;
    next.metadata = { ...next.metadata, resourceVersion: String(++this.rv), name, uid: cur.metadata.uid ?? '' };
    const specChanged = JSON.stringify({ ...cur, status: undefined, metadata: undefined }) !== JSON.stringify({ ...next, status: undefined, metadata: undefined });
    next.metadata.generation = (cur.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    this.bucket(plural).set(name, next);
    this.writes.push(`${statusOnly ? 'patchStatus' : 'patch'} ${plural}/${name}`);
    this.emit(plural, 'MODIFIED', next);
    return structuredClone(next) as T;
  }

  async delete(plural: string, name: string): Promise<void> {
    const cur = this.bucket(plural).get(name);
    if (cur === undefined) return;
    this.bucket(plural).delete(name);
    this.writes.push(`delete ${plural}/${name}`);
    this.emit(plural, 'DELETED', { ...cur, metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } });
  }

  /** A list+watch of `plural` for an Informer or a ControllerManager. */
  source(plural: string): ListWatchSource<KubeObject> {
    return {
      listPage: async (): Promise<SourcePage<KubeObject>> => ({ items: await this.list(plural), resourceVersion: String(this.rv) }),
      watch: (opts, onEvent) =>
        new Promise<void>((resolve) => {
          let set = this.listeners.get(plural);
          if (set === undefined) this.listeners.set(plural, (set = new Set()));
          const listener: Listener = (e) => onEvent(e);
          set.add(listener);
          opts.signal?.addEventListener(
            'abort',
            () => {
              set.delete(listener);
              resolve();
            },
            { once: true },
          );
        }),
    };
  }
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
