import { type ClockWithTimers, systemClock } from './clock.ts';
import { Informer, type ListWatchSource, errText } from './informer.ts';
import type { ServerMetrics } from './metrics.ts';
import type { KubeObject, Logger, ObjectStore, ReconcileContext, Reconciler, SkiffClient } from './types.ts';
import { WorkQueue } from './work-queue.ts';

export interface ControllerManagerOptions {
  client: SkiffClient;
  /** list+watch of a Skiff plural in the server's namespace (KubeSkiffClient.resource(plural)) */
  sourceFor(plural: string): ListWatchSource<KubeObject>;
  objectStore(bslName: string): Promise<ObjectStore>;
  log: Logger;
  clock?: ClockWithTimers;
  metrics?: ServerMetrics;
  /** work-queue backoff on reconcile errors; default 1 s doubling to 5 min */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** every object is reconciled again this often even without a change; default 5 min, 0 = never */
  resyncMs?: number;
  /** informer options, for tests */
  watchTimeoutSeconds?: number;
}

export interface AddReconcilerOptions {
  /** workers; default the reconciler's `concurrency`, else 1 */
  concurrency?: number;
}

interface Controller {
  reconciler: Reconciler;
  name: string;
  queue: WorkQueue;
  concurrency: number;
}

/**
 * Drives reconcilers: one shared informer per plural feeds each reconciler's work queue with object
 * names; workers take a name, GET the object fresh (so a reconcile never sees a stale cache after its
 * own status write), and call `reconcile`. A missing object is skipped. A thrown error is logged,
 * counted and the key requeued with backoff; `requeueAfterMs` schedules the next visit. Never runs
 * one key of one reconciler twice at once. `start(signal)` runs until the signal aborts; `stopped`
 * resolves when every worker has returned.
 */
export class ControllerManager {
  private readonly opts: ControllerManagerOptions;
  private readonly clock: ClockWithTimers;
  private readonly controllers: Controller[] = [];
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private running: Promise<void> | undefined;
  private ready = false;

  constructor(opts: ControllerManagerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
  }

  addReconciler(reconciler: Reconciler, opts: AddReconcilerOptions = {}): void {
    if (this.running !== undefined) throw new Error('addReconciler after start');
    const name = `${reconciler.plural}#${this.controllers.filter((c) => c.reconciler.plural === reconciler.plural).length}`;
    const queue = new WorkQueue({
      clock: this.clock,
      ...(this.opts.baseDelayMs === undefined ? {} : { baseDelayMs: this.opts.baseDelayMs }),
      ...(this.opts.maxDelayMs === undefined ? {} : { maxDelayMs: this.opts.maxDelayMs }),
    });
    const concurrency = Math.max(1, opts.concurrency ?? reconciler.concurrency ?? 1);
    this.controllers.push({ reconciler, name: name.endsWith('#0') ? reconciler.plural : name, queue, concurrency });
    let informer = this.informers.get(reconciler.plural);
    if (informer === undefined) {
      informer = new Informer(this.opts.sourceFor(reconciler.plural), {
        log: this.opts.log.child({ component: 'informer', resource: reconciler.plural }),
        clock: this.clock,
        ...(this.opts.watchTimeoutSeconds === undefined ? {} : { watchTimeoutSeconds: this.opts.watchTimeoutSeconds }),
      });
      this.informers.set(reconciler.plural, informer);
    }
    const enqueue = (o: KubeObject): void => queue.add(o.metadata.name ?? '');
    informer.on({ add: enqueue, update: (_old, o) => enqueue(o), delete: enqueue });
  }

  /** True once every informer has listed and every reconciler's `start` hook has run. */
  hasSynced(): boolean {
    return this.ready;
  }

  /** Starts informers and workers; the returned promise (also `stopped()`) resolves after `signal` aborts and all work ends. */
  start(signal: AbortSignal): Promise<void> {
    this.running ??= this.run(signal);
    return this.running;
  }

  stopped(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async run(signal: AbortSignal): Promise<void> {
    const log = this.opts.log;
    const informerRuns = [...this.informers.values()].map((i) => i.run(signal));
    await this.waitForSync(signal);
    if (signal.aborted) {
      this.shutDown();
      await Promise.all(informerRuns);
      return;
    }
    for (const c of this.controllers) {
      if (c.reconciler.start === undefined) continue;
      try {
        await c.reconciler.start(this.context(c, signal, log.child({ controller: c.name })));
      } catch (err) {
        log.error({ controller: c.name, err: errText(err) }, 'reconciler start hook failed');
      }
    }
    this.ready = true;
    log.info({ controllers: this.controllers.map((c) => `${c.name}×${c.concurrency}`) }, 'controllers started');
    const stopResync = this.startResync(signal);
    const workers = this.controllers.flatMap((c) => Array.from({ length: c.concurrency }, () => this.worker(c, signal)));
    signal.addEventListener('abort', () => this.shutDown(), { once: true });
    await Promise.all([...workers, ...informerRuns]);
    stopResync();
    this.ready = false;
  }

  private shutDown(): void {
    for (const c of this.controllers) c.queue.shutDown();
  }

  private async waitForSync(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && ![...this.informers.values()].every((i) => i.hasSynced())) {
      await new Promise<void>((r) => setTimeout(r, 20));
    }
  }

  private startResync(signal: AbortSignal): () => void {
    const every = this.opts.resyncMs ?? 5 * 60_000;
    if (every <= 0) return () => {};
    let timer = this.clock.setTimer(tick, every);
    const self = this;
    function tick(): void {
      if (signal.aborted) return;
      for (const c of self.controllers) for (const o of self.informers.get(c.reconciler.plural)?.list() ?? []) c.queue.add(o.metadata.name ?? '');
      timer = self.clock.setTimer(tick, every);
    }
    return () => timer.cancel();
  }

  private context(c: Controller, signal: AbortSignal, log: Logger): ReconcileContext {
    return {
      client: this.opts.client,
      log,
      clock: this.clock,
      objectStore: (name) => this.opts.objectStore(name),
      signal,
      ...(this.opts.metrics === undefined ? {} : { metrics: this.opts.metrics }),
    };
  }

  private async worker(c: Controller, signal: AbortSignal): Promise<void> {
    const plural = c.reconciler.plural;
    for (;;) {
      const key = await c.queue.get();
      if (key === undefined) return;
      const log = this.opts.log.child({ controller: c.name, name: key });
      const t0 = performance.now();
      try {
        const obj = await this.opts.client.get<KubeObject>(plural, key);
        if (obj === undefined) {
          c.queue.forget(key);
          continue;
        }
        const res = await c.reconciler.reconcile(obj, this.context(c, signal, log));
        c.queue.forget(key);
        const after = res?.requeueAfterMs;
        if (after !== undefined && !signal.aborted) c.queue.addAfter(key, after);
        this.opts.metrics?.reconciled(c.name, after === undefined ? 'success' : 'requeue', (performance.now() - t0) / 1000);
      } catch (err) {
        this.opts.metrics?.reconciled(c.name, 'error', (performance.now() - t0) / 1000);
        if (signal.aborted) continue;
        const retries = c.queue.numRequeues(key);
        log.error({ err: errText(err), retryInMs: c.queue.backoffMs(retries) }, 'reconcile failed');
        c.queue.addRateLimited(key);
      } finally {
        c.queue.done(key);
        this.opts.metrics?.setQueueDepth(c.name, c.queue.len());
      }
    }
  }
}
