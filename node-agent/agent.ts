/**
 * The node agent's loop, over injected clients (agent-kube.ts wires the real ones):
 * 1. the liveness Lease, renewed every 10 s from the start, so the controller sees an agent;
 * 2. recovery: this node's work left InProgress by an earlier run is failed with the reason;
 * 3. informers on PodVolumeBackups and PodVolumeRestores selected by `skiff.dev/node=<node>`,
 *    feeding a pool whose slots bound the volumes moved at once (`concurrency`); restores wait for
 *    their pod outside the slots; `spec.cancel` aborts a job, waiting or running;
 *    a periodic sweep of the caches retries work whose start failed (API server hiccups).
 * Recovery strictly precedes the informers, or it could fail work this run just started.
 */
import { LABELS, PLURALS, type PodVolumeBackup, type PodVolumeRestore } from '../crds/index.ts';
import {
  Informer,
  errText,
  sleepOn,
  systemClock,
  type ClockWithTimers,
  type KubeObject,
  type LeaseStore,
  type ListWatchSource,
  type Logger,
  type SkiffClient,
} from '../controller/runtime/index.ts';
import { keepAgentLease, renewAgentLease } from './agent-lease.ts';
import { runBackupJob } from './backup-job.ts';
import { failInterruptedWork } from './recovery.ts';
import type { RepositoryProvider } from './repo-provider.ts';
import { runRestoreJob } from './restore-job.ts';
import type { ClusterReads } from './volume-source.ts';
import { runLifecycle, type LifecycleContext, type WorkPlural } from './work-lifecycle.ts';
import { WorkPool, type JobContext } from './work-pool.ts';

type Work = PodVolumeBackup | PodVolumeRestore;

export interface NodeAgentDeps {
  readonly node: string;
  /** the kubelet's pods directory as mounted in the agent (`/host_pods`) */
  readonly hostPods: string;
  readonly client: SkiffClient;
  /** list+watch of a Skiff plural in the server namespace, restricted by `labelSelector` */
  readonly sourceFor: (plural: WorkPlural, labelSelector: string) => ListWatchSource<KubeObject>;
  readonly reads: ClusterReads;
  readonly repos: Pick<RepositoryProvider, 'withRepository'>;
  /** absent: no liveness Lease (unit tests) */
  readonly leases?: LeaseStore;
  readonly log: Logger;
  readonly clock?: ClockWithTimers;
  /** volumes backed up or restored at once; default 2 */
  readonly concurrency?: number;
  readonly progressIntervalMs?: number;
  readonly restoreWaitTimeoutMs?: number;
  readonly restoreWaitIntervalMs?: number;
  readonly leaseRenewMs?: number;
  /** how often the informer caches are swept for work not started; default 30 s */
  readonly sweepMs?: number;
}

export interface NodeAgentHandle {
  /** true once recovery is done and both informers have listed */
  ready(): boolean;
  /** volumes being moved now, and waiting */
  load(): { running: number; queued: number };
  /** aborts running work (marked Failed: the agent stopped) and waits for it */
  stop(): Promise<void>;
}

export async function startNodeAgent(d: NodeAgentDeps): Promise<NodeAgentHandle> {
  const clock = d.clock ?? systemClock;
  const log = d.log;
  const stopping = new AbortController();
  const signal = stopping.signal;
  const running: Promise<void>[] = [];

  if (d.leases !== undefined) {
    const lease = { leases: d.leases, node: d.node, log, clock, ...(d.leaseRenewMs === undefined ? {} : { intervalMs: d.leaseRenewMs }) };
    const first = await renewAgentLease(lease);
    if (first !== undefined) log.warn({ err: errText(first) }, 'cannot write the node agent lease (the controller will think no agent runs here)');
    running.push(sleepOn(clock, d.leaseRenewMs ?? 10_000, signal).then(() => keepAgentLease(lease, signal)));
  }

  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const { failed } = await failInterruptedWork({ client: d.client, node: d.node, clock, log });
      if (failed.length > 0) log.info({ failed }, 'failed work interrupted by a restart');
      break;
    } catch (err) {
      log.warn({ err: errText(err), attempt }, 'cannot look for interrupted work; retrying');
      await sleepOn(clock, Math.min(30_000, 1000 * 2 ** attempt), signal);
    }
  }

  const pool = new WorkPool({ concurrency: d.concurrency ?? 2, onError: (key, err) => log.error({ key, err: errText(err) }, 'job failed') });
  const life: LifecycleContext = {
    node: d.node,
    client: d.client,
    log,
    clock,
    ...(d.progressIntervalMs === undefined ? {} : { progressIntervalMs: d.progressIntervalMs }),
  };
  const jobCtx = {
    node: d.node,
    hostPods: d.hostPods,
    reads: d.reads,
    repos: d.repos,
    ...(d.restoreWaitTimeoutMs === undefined ? {} : { restoreWaitTimeoutMs: d.restoreWaitTimeoutMs }),
    ...(d.restoreWaitIntervalMs === undefined ? {} : { restoreWaitIntervalMs: d.restoreWaitIntervalMs }),
  };
  const run = (plural: WorkPlural, name: string) => async (job: JobContext): Promise<void> => {
    try {
      if (plural === PLURALS.PodVolumeBackup) await runLifecycle<PodVolumeBackup>(life, plural, name, job, (o, s) => runBackupJob(jobCtx, o, s), { slotFirst: true });
      else await runLifecycle<PodVolumeRestore>(life, plural, name, job, (o, s) => runRestoreJob(jobCtx, o, s), { slotFirst: false });
    } catch (err) {
      log.warn({ [plural]: name, err: errText(err) }, 'cannot start the work; the next sweep retries');
    }
  };
  const consider = (plural: WorkPlural, obj: Work): void => {
    const name = obj.metadata.name ?? '';
    if (name === '' || obj.metadata.labels?.[LABELS.node] !== d.node) return;
    const key = `${plural}/${name}`;
    const phase = obj.status?.phase ?? 'New';
    if (obj.spec.cancel === true && pool.cancel(key)) return;
    if (phase === 'New') pool.submit(key, run(plural, name));
  };

  const selector = `${LABELS.node}=${d.node}`;
  const informers = ([PLURALS.PodVolumeBackup, PLURALS.PodVolumeRestore] as const).map((plural) => {
    const inf = new Informer<Work>(d.sourceFor(plural, selector) as ListWatchSource<Work>, { log: log.child({ informer: plural }), clock });
    inf.on({
      add: (o) => consider(plural, o),
      update: (_old, o) => consider(plural, o),
      delete: (o) => {
        if (pool.cancel(`${plural}/${o.metadata.name ?? ''}`)) log.info({ [plural]: o.metadata.name }, 'work deleted while running; stopped');
      },
    });
    running.push(inf.run(signal));
    return { plural, inf };
  });
  running.push(
    (async () => {
      while (!signal.aborted) {
        await sleepOn(clock, d.sweepMs ?? 30_000, signal);
        for (const { plural, inf } of informers) for (const o of inf.list()) if (!signal.aborted) consider(plural, o);
      }
    })(),
  );
  log.info({ hostPods: d.hostPods, concurrency: d.concurrency ?? 2 }, 'node agent started');

  let stopped: Promise<void> | undefined;
  return {
    ready: () => !signal.aborted && informers.every(({ inf }) => inf.hasSynced()),
    load: () => ({ running: pool.runningCount, queued: pool.queuedCount }),
    stop: () =>
      (stopped ??= (async () => {
        stopping.abort();
        await pool.stop();
        await Promise.all(running);
        log.info('node agent stopped');
      })()),
  };
}
