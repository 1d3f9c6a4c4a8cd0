import type { DynamicClient, KubeConfig, KubeSkiffClient } from './kube/index.ts';
import type { ClockWithTimers } from './runtime/clock.ts';
import type { Clock, KubeObject, Logger, ObjectStore, Reconciler } from './runtime/types.ts';

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
  /** a location's ObjectStore, from the same cache as `ReconcileContext.objectStore` */
  objectStore(bslName: string): Promise<ObjectStore>;
  /** the file-system backup settings of `skiff server` */
  readonly podVolumes: PodVolumeSettings;
}

/** `skiff server` flags for file-system backup (node agent). */
export interface PodVolumeSettings {
  /** `--default-volumes-to-fs-backup`: opt-out mode for backups that do not say */
  readonly defaultVolumesToFsBackup: boolean;
  /** `--fs-backup-timeout` (default 4h): how long a backup or restore waits for its pod volumes */
  readonly fsBackupTimeoutMs: number;
  /** `--restore-pod-schedule-timeout` (default 10m) */
  readonly restorePodScheduleTimeoutMs: number;
  /** `--image` / env SKIFF_IMAGE: the image of `restore-wait` init containers */
  readonly image: string;
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
  /** file-system backup: opt-out mode by default; default false */
  defaultVolumesToFsBackup?: boolean;
  /** default 4 h */
  fsBackupTimeoutMs?: number;
  /** default 10 min */
  restorePodScheduleTimeoutMs?: number;
  /** image of `restore-wait` init containers; default env SKIFF_IMAGE, else `skiff/skiff:<version>` */
  image?: string;
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
