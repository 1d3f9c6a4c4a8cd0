/**
 * `skiff server`: loads the Kubernetes configuration, makes the clients, the object-store cache,
 * metrics and the health endpoints, and runs the reconcilers, under a leader Lease when asked.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { SkiffError } from '../repository/errors/errors.ts';
import { defaultReconcilers } from './reconcilers.ts';
import { leaseStore, loadKubeConfig, makeDynamicClient, makeSkiffClient, readSecret } from './kube/index.ts';
import { ObjectStoreCache } from './objectstore/index.ts';
import {
  ControllerManager,
  type ClockWithTimers,
  type HttpEndpoint,
  LeaderElector,
  type Reconciler,
  ServerMetrics,
  errText,
  hasTimers,
  healthRoutes,
  makeLogger,
  metricsRoutes,
  serveHttp,
  systemClock,
} from './runtime/index.ts';
import type { PodVolumeSettings, ServerDeps, ServerHandle, ServerOptions } from './server-types.ts';
import { DEFAULT_FS_BACKUP_TIMEOUT_MS, DEFAULT_RESTORE_POD_SCHEDULE_TIMEOUT_MS, defaultImage } from './podvolume/index.ts';

export type { PodVolumeSettings, ReconcilerEntry, ReconcilerFactory, ServerDeps, ServerHandle, ServerOptions } from './server-types.ts';

function clockOf(opts: ServerOptions): ClockWithTimers {
  const c = opts.clock;
  if (c === undefined) return systemClock;
  return hasTimers(c) ? c : { now: () => c.now(), setTimer: systemClock.setTimer };
}

/** Starts the server; resolves once endpoints listen and controllers (or the election) run. */
export async function runServer(opts: ServerOptions): Promise<ServerHandle> {
  const log = opts.log ?? makeLogger({ base: { component: 'server' } });
  const clock = clockOf(opts);
  const kc = opts.kubeConfig ?? loadKubeConfig({ ...(opts.kubeconfig === undefined ? {} : { kubeconfig: opts.kubeconfig }), ...(opts.context === undefined ? {} : { context: opts.context }) }).kc;
  const dynamic = makeDynamicClient(kc);
  const client = makeSkiffClient(dynamic, opts.namespace);
  let version: string;
  try {
    version = (await dynamic.serverVersion()).gitVersion;
  } catch (err) {
    throw new SkiffError('Transient', `cannot start: ${errText(err)}`, { cause: err });
  }
  const stores = new ObjectStoreCache({ client, readSecret: (ns, name) => readSecret(dynamic, ns, name) });
  const podVolumes: PodVolumeSettings = {
    defaultVolumesToFsBackup: opts.defaultVolumesToFsBackup ?? false,
    fsBackupTimeoutMs: opts.fsBackupTimeoutMs ?? DEFAULT_FS_BACKUP_TIMEOUT_MS,
    restorePodScheduleTimeoutMs: opts.restorePodScheduleTimeoutMs ?? DEFAULT_RESTORE_POD_SCHEDULE_TIMEOUT_MS,
    image: opts.image ?? defaultImage(),
  };
  const deps: ServerDeps = { kc, dynamic, client, namespace: opts.namespace, log, clock, objectStore: (name) => stores.get(name), podVolumes };
  const reconcilers: Reconciler[] = (opts.reconcilers ?? defaultReconcilers).flatMap((e) => (typeof e === 'function' ? e(deps) : [e]));
  const metrics = new ServerMetrics();
  const identity = opts.identity ?? `${process.env['POD_NAME'] ?? os.hostname()}_${randomBytes(4).toString('hex')}`;
  const stopping = new AbortController();
  let manager: ControllerManager | undefined;

  const startControllers = (signal: AbortSignal): void => {
    const m = new ControllerManager({
      client,
      sourceFor: (plural) => client.resource(plural),
      objectStore: (name) => stores.get(name),
      log,
      clock,
      metrics,
      ...(opts.resyncMs === undefined ? {} : { resyncMs: opts.resyncMs }),
      ...(opts.baseDelayMs === undefined ? {} : { baseDelayMs: opts.baseDelayMs }),
    });
    for (const r of reconcilers) m.addReconciler(r);
    manager = m;
    void m.start(signal);
  };

  let elector: LeaderElector | undefined;
  let running: Promise<void>;
  if (opts.leaderElect) {
    elector = new LeaderElector({
      leases: leaseStore(dynamic, opts.namespace),
      name: opts.leaseName ?? 'skiff-server',
      identity,
      log: log.child({ component: 'leader-election' }),
      clock,
      ...(opts.leaseDurationMs === undefined ? {} : { leaseDurationMs: opts.leaseDurationMs }),
      ...(opts.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: opts.renewDeadlineMs }),
      ...(opts.retryPeriodMs === undefined ? {} : { retryPeriodMs: opts.retryPeriodMs }),
      onStartedLeading: (signal) => {
        metrics.setLeader(true);
        startControllers(signal);
      },
      onStoppedLeading: async () => {
        metrics.setLeader(false);
        await manager?.stopped();
        manager = undefined;
      },
    });
    running = elector.run(stopping.signal);
  } else {
    startControllers(stopping.signal);
    running = Promise.resolve();
  }

  const isLeader = (): boolean => (elector === undefined ? true : elector.isLeader());
  const ready = (): boolean => !stopping.signal.aborted && (isLeader() ? manager?.hasSynced() === true : true);
  const endpoints: HttpEndpoint[] = [];
  let health: HttpEndpoint | undefined;
  let metricsEp: HttpEndpoint | undefined;
  try {
    if (opts.healthPort !== undefined) {
      const routes = healthRoutes({
        live: () => ({ ok: true }),
        ready: () => (ready() ? { ok: true } : { ok: false, reason: stopping.signal.aborted ? 'stopping' : 'informers not synced' }),
      });
      health = await serveHttp({ host: opts.healthHost ?? '0.0.0.0', port: opts.healthPort, routes, log });
      endpoints.push(health);
    }
    if (opts.metricsPort !== undefined) {
      metricsEp = await serveHttp({ host: opts.metricsHost ?? '0.0.0.0', port: opts.metricsPort, routes: metricsRoutes(metrics), log });
      endpoints.push(metricsEp);
    }
  } catch (err) {
    stopping.abort();
    await running;
    await Promise.all(endpoints.map((e) => e.close()));
    throw new SkiffError('Config', `cannot listen: ${errText(err)}`, { cause: err });
  }
  log.info(
    { namespace: opts.namespace, apiServer: kc.getCurrentCluster()?.server, kubernetes: version, identity, leaderElect: opts.leaderElect, reconcilers: reconcilers.map((r) => r.plural), health: health?.url, metrics: metricsEp?.url },
    'skiff server started',
  );

  let stopped: Promise<void> | undefined;
  return {
    identity,
    healthUrl: health?.url,
    metricsUrl: metricsEp?.url,
    isLeader,
    ready,
    stop: () =>
      (stopped ??= (async () => {
        log.info('skiff server stopping');
        stopping.abort();
        await running;
        await manager?.stopped();
        await stores.close();
        await Promise.all(endpoints.map((e) => e.close()));
        log.info('skiff server stopped');
      })()),
  };
}
