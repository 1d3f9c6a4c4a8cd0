/**
 * An in-memory SkiffClient for unit tests, behaving as the API server does where reconcilers can
 * tell: `create` drops `status` (status subresource) and fails with Conflict for a taken name,
 * `patch` never touches `status`, `patchStatus` only touches `status`, missing objects are NotFound,
 * label selectors `k=v`, `k!=v`, `k` and `!k` joined by commas.
 */
import { randomUUID } from 'node:crypto';
import { SkiffError } from '../../../repository/errors/errors.ts';
import type { Clock, KubeObject, SkiffClient } from '../../runtime/types.ts';
import { mergePatch } from './merge-patch.ts';

type Stored = KubeObject & { status?: unknown; spec?: unknown };

export class MemClient implements SkiffClient {
  readonly namespace: string;
  readonly #objects = new Map<string, Map<string, Stored>>();
  readonly #clock: Clock;
  #version = 0;

  constructor(opts: { namespace?: string; clock: Clock }) {
    this.namespace = opts.namespace ?? 'skiff';
    this.#clock = opts.clock;
  }

  async get<T extends KubeObject>(plural: string, name: string): Promise<T | undefined> {
    const obj = this.#of(plural).get(name);
    return obj === undefined ? undefined : (structuredClone(obj) as unknown as T);
  }

  async list<T extends KubeObject>(plural: string, opts: { labelSelector?: string } = {}): Promise<T[]> {
    const match = selector(opts.labelSelector ?? '');
    return [...this.#of(plural).values()].filter((o) => match(o.metadata.labels ?? {})).map((o) => structuredClone(o) as unknown as T);
  }

  async create<T extends KubeObject>(plural: string, obj: T): Promise<T> {
    const name = obj.metadata.name ?? '';
    if (name === '') throw new SkiffError('Config', `${plural}: name required`);
    if (this.#of(plural).has(name)) throw new SkiffError('Conflict', `${plural} "${name}" already exists`);
    const stored = structuredClone(obj) as unknown as Stored;
    delete stored.status;
    stored.metadata = {
      ...stored.metadata,
      namespace: this.namespace,
      uid: randomUUID(),
      resourceVersion: this.#nextVersion(),
      creationTimestamp: `${this.#clock.now().toISOString().slice(0, 19)}Z`,
    };
    this.#of(plural).set(name, stored);
    return structuredClone(stored) as unknown as T;
  }

  async patch<T extends KubeObject>(plural: string, name: string, patch: object): Promise<T> {
    const cur = this.#must(plural, name);
    const { status: _ignored, ...rest } = patch as { status?: unknown };
    const next = mergePatch(cur, rest) as Stored;
    if (cur.status !== undefined) next.status = cur.status;
    return this.#store(plural, name, next) as unknown as T;
  }

  async patchStatus<T extends KubeObject>(plural: string, name: string, status: object): Promise<T> {
    const cur = this.#must(plural, name);
    const next = { ...cur, status: mergePatch(cur.status ?? {}, status) };
    return this.#store(plural, name, next) as unknown as T;
  }

  async delete(plural: string, name: string): Promise<void> {
    this.#must(plural, name);
    this.#of(plural).delete(name);
  }

  /** names of the objects of a kind, sorted */
  names(plural: string): string[] {
    return [...this.#of(plural).keys()].sort();
  }

  #store(plural: string, name: string, obj: Stored): Stored {
    obj.metadata = { ...obj.metadata, resourceVersion: this.#nextVersion() };
    this.#of(plural).set(name, obj);
    return structuredClone(obj);
  }

  #must(plural: string, name: string): Stored {
    const obj = this.#of(plural).get(name);
    if (obj === undefined) throw new SkiffError('NotFound', `${plural} "${name}" not found`);
    return obj;
  }

  #of(plural: string): Map<string, Stored> {
    let m = this.#objects.get(plural);
    if (m === undefined) this.#objects.set(plural, (m = new Map()));
    return m;
  }

  #nextVersion(): string {
    return String(++this.#version);
  }
}

function selector(expr: string): (labels: Record<string, string>) => boolean {
  const terms = expr
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t): ((l: Record<string, string>) => boolean) => {
      const ne = t.split('!=');
      if (ne.length === 2) return (l) => l[ne[0]!.trim()] !== ne[1]!.trim();
      const eq = t.split('=');
      if (eq.length === 2) return (l) => l[eq[0]!.trim()] === eq[1]!.trim();
      if (t.startsWith('!')) return (l) => !(t.slice(1) in l);
      return (l) => t in l;
    });
  return (labels) => terms.every((f) => f(labels));
}
