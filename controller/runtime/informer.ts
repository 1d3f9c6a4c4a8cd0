import { type ClockWithTimers, sleepOn, systemClock } from './clock.ts';
import type { KubeObject, Logger } from './types.ts';

/** A page of a list, as `ResourceClient.listPage` returns it. */
export interface SourcePage<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

/** A watch event; BOOKMARK carries only a resourceVersion. */
export interface SourceEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

/**
 * What an informer lists and watches; `ResourceClient` (controller/kube) is one. `watch` resolves
 * when the server ends the watch normally and rejects on errors; an error with `status` 410 means
 * the resourceVersion is too old.
 */
export interface ListWatchSource<T> {
  listPage(opts: { limit?: number; continue?: string }): Promise<SourcePage<T>>;
  watch(opts: { resourceVersion?: string; timeoutSeconds?: number; signal?: AbortSignal }, onEvent: (e: SourceEvent<T>) => void): Promise<void>;
}

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  log: Logger;
  clock?: ClockWithTimers;
  /** server-side watch timeout; a normal end re-watches from the last resourceVersion; default 300 */
  watchTimeoutSeconds?: number;
  /** first and maximum delay before re-listing after an error; default 1 s and 30 s */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** list page size; default 500 */
  pageSize?: number;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace === undefined || namespace === '' ? (name ?? '') : `${namespace}/${name ?? ''}`;
}

/**
 * A supervised list-then-watch cache of one resource. `run(signal)` lists (page by page), emits
 * add/update/delete against its cache, then watches from the list's resourceVersion; a watch that
 * ends normally is restarted from the last seen resourceVersion; any error (410 Gone included)
 * leads to a fresh list after a backoff (none for 410), so no change is ever missed for good.
 * Handlers run synchronously and must not throw (errors are logged). Stops when `signal` aborts.
 */
export class Informer<T extends KubeObject> {
  private readonly source: ListWatchSource<T>;
  private readonly opts: InformerOptions;
  private readonly clock: ClockWithTimers;
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private synced = false;
  private lastRv = '';
  /** how many times a list was done; for tests and metrics */
  lists = 0;

  constructor(source: ListWatchSource<T>, opts: InformerOptions) {
    this.source = source;
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
  }

  on(h: InformerHandlers<T>): void {
    this.handlers.push(h);
  }

  /** True once the first list has been delivered to the handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  /** Runs until `signal` aborts; never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.relist();
        failures = 0;
        let quickEnds = 0;
        for (;;) {
          if (signal.aborted) return;
          const started = performance.now();
          let events = 0;
          await this.source.watch(
            { resourceVersion: this.lastRv, timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300, signal },
            (e) => {
              events++;
              this.apply(e);
            },
          );
          // a server (or proxy) that ends every watch at once must not be hammered
          quickEnds = events === 0 && performance.now() - started < 1000 ? quickEnds + 1 : 0;
          if (quickEnds >= 3) await sleepOn(this.clock, Math.min(30_000, 1000 * quickEnds), signal);
        }
      } catch (err) {
        if (signal.aborted) return;
        const gone = (err as { status?: unknown }).status === 410;
        const delay = gone ? 0 : Math.min(this.opts.maxBackoffMs ?? 30_000, (this.opts.minBackoffMs ?? 1000) * 2 ** Math.min(failures, 20));
        failures++;
        this.opts.log.warn({ err: errText(err), retryInMs: delay }, gone ? 'watch expired (410); listing again' : 'list/watch failed; listing again');
        await sleepOn(this.clock, delay, signal);
      }
    }
  }

  private async relist(): Promise<void> {
    const items: T[] = [];
    let page: SourcePage<T> | undefined;
    do {
      page = await this.source.listPage({ limit: this.opts.pageSize ?? 500, ...(page?.continue === undefined ? {} : { continue: page.continue }) });
      items.push(...page.items);
    } while (page.continue !== undefined);
    this.lists++;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      this.upsert(key, obj);
    }
    for (const [key, old] of [...this.cache]) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit((h) => h.delete?.(old));
      }
    }
    this.lastRv = page.resourceVersion;
    this.synced = true;
  }

  private apply(e: SourceEvent<T>): void {
    const rv = e.object.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '') this.lastRv = rv;
    if (e.type === 'BOOKMARK') return;
    const key = objectKey(e.object);
    if (e.type === 'DELETED') {
      const old = this.cache.get(key);
      this.cache.delete(key);
      this.emit((h) => h.delete?.(old ?? e.object));
      return;
    }
    this.upsert(key, e.object);
  }

  private upsert(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (old === undefined) this.emit((h) => h.add?.(obj));
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit((h) => h.update?.(old, obj));
  }

  private emit(call: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        this.opts.log.error({ err: errText(err) }, 'informer handler threw');
      }
    }
  }
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
