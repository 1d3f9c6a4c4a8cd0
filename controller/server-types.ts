import type { DynamicClient, KubeConfig, KubeSkiffClient } from './kube/index.ts';
import type { ClockWithTimers } from './runtime/clock.ts';
import type { Clock, KubeObject, Logger, Reconciler } from './runtime/types.ts';

/** What a reconciler factory gets: everything the server made once at start. */
export interface ServerDeps {
  readonly kc: KubeConfig;
  /** any resource, and discovery (resource backup and restore) */
  readonly dynamic: DynamicClient;
  /** Skiff's custom resources in the server's namespace */
  readonly client: KubeSkiffClient;
  readonly namespace: string;
  readonly log: Logger;
  readonly clock: ClockWithTimers;
}

export type ReconcilerFactory = (deps: ServerDeps) => Reconciler<KubeObject> | readonly Reconciler<KubeObject>[];

export type ReconcilerEntry = Reconciler<KubeObject> | ReconcilerFactory;

export interface ServerOptions {
  /** kubeconfig file; otherwise KUBECONFIG, in-cluster, ~/.kube/config (see loadKubeConfig) */
  kubeconfig?: string;
  context?: string;
  /** an already loaded configuration (tests); wins over `kubeconfig` */
  kubeConfig?: KubeConfig;
  /** where Skiff's resources, the credentials Secrets and the leader Lease live */
  namespace: string;
  /** default `defaultReconcilers` (controller/reconcilers.ts) */
  reconcilers?: readonly ReconcilerEntry[];
  /** a ManualClock drives requeues and backoff too; a bare Clock only reads the time */
  clock?: Clock;
  /** default: pino JSON on stdout at `info` */
  log?: Logger;
  /** Prometheus `/metrics`; undefined: not served; 0: any free port */
  metricsPort?: number;
  /** default 0.0.0.0 */
  metricsHost?: string;
  /** `/healthz` and `/readyz`; undefined: not served; 0: any free port */
  healthPort?: number;
  healthHost?: string;
  /** run controllers only while holding the Lease (two replicas are safe) */
  leaderElect: boolean;
  /** default `skiff-server` */
  leaseName?: string;
  /** default `$POD_NAME` or the hostname, plus a random suffix */
  identity?: string;
  /** leader election timings; defaults 15 s / 10 s / 2 s */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** full re-reconcile period; default 5 min */
  resyncMs?: number;
  /** reconcile error backoff start; default 1 s */
  baseDelayMs?: number;
}

export interface ServerHandle {
  readonly identity: string;
  /** e.g. `http://127.0.0.1:8086` when served */
  readonly healthUrl: string | undefined;
  readonly metricsUrl: string | undefined;
  isLeader(): boolean;
  /** what `/readyz` answers */
  ready(): boolean;
  /** stops controllers (waiting for reconciles in flight), releases the Lease, closes endpoints; idempotent */
  stop(): Promise<void>;
}
