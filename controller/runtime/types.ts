/**
 * The contracts between `skiff server`'s parts. Reconcilers are written against these
 * interfaces only; `controller/kube/` implements the client, `controller/objectstore/` the
 * object store, `controller/runtime/` the loop that drives reconcilers.
 *
 * Reconciler contract: level-triggered and idempotent. `reconcile` reads the object's current
 * state, takes one step, writes status, and returns. It never throws for expected failures:
 * those go to `status` (phase, message). A thrown error is logged and the key requeued with
 * backoff. The runtime never runs one key twice at once.
 */
import type { Readable } from 'node:stream';

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** Access to Skiff's own custom resources in the server's namespace. */
export interface SkiffClient {
  readonly namespace: string;
  get<T extends KubeObject>(plural: string, name: string): Promise<T | undefined>;
  list<T extends KubeObject>(plural: string, opts?: { labelSelector?: string }): Promise<T[]>;
  create<T extends KubeObject>(plural: string, obj: T): Promise<T>;
  /** JSON merge patch of metadata/spec */
  patch<T extends KubeObject>(plural: string, name: string, patch: object): Promise<T>;
  /** JSON merge patch of the status subresource; retried on conflict */
  patchStatus<T extends KubeObject>(plural: string, name: string, status: object): Promise<T>;
  delete(plural: string, name: string): Promise<void>;
}

/** A backup storage location's bucket/prefix, with Skiff's layout helpers. */
export interface ObjectStore {
  /** e.g. `s3://bucket/prefix`, never credentials */
  readonly location: string;
  put(key: string, body: Buffer | Readable, opts?: { contentType?: string }): Promise<void>;
  get(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** keys under `prefix` (relative to the location's prefix), recursively */
  list(prefix: string): AsyncIterable<{ key: string; size: number }>;
  /** immediate "subdirectories" under prefix, e.g. list backup names under `backups/` */
  listPrefixes(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<number>;
  presignGet(key: string, expiresSeconds: number): Promise<string>;
  /** quick reachability check (bucket exists, credentials work) */
  validate(): Promise<void>;
  close(): Promise<void>;
}

export interface ReconcileResult {
  /** come back after this long even without a change (periodic validation, waiting) */
  readonly requeueAfterMs?: number;
}

export interface ReconcileContext {
  readonly client: SkiffClient;
  readonly log: Logger;
  readonly clock: Clock;
  /** the ObjectStore for a BackupStorageLocation by name (reads the BSL and its credential Secret) */
  objectStore(bslName: string): Promise<ObjectStore>;
  readonly signal: AbortSignal;
  /** Prometheus counters (`skiff server` sets it; absent in unit tests) */
  readonly metrics?: ControllerMetrics;
}

/** What reconcilers report to Prometheus (Velero's metric names with `skiff_`). */
export interface ControllerMetrics {
  backupStarted(schedule?: string): void;
  backupFinished(phase: string, opts?: { schedule?: string; durationSeconds?: number; items?: number }): void;
  restoreStarted(schedule?: string): void;
  restoreFinished(phase: string, opts?: { schedule?: string }): void;
}

export interface Reconciler<T extends KubeObject = KubeObject> {
  readonly plural: string;
  reconcile(obj: T, ctx: ReconcileContext): Promise<ReconcileResult | void>;
  /** workers for this reconciler (different keys in parallel); default 1 */
  readonly concurrency?: number;
  /**
   * Called once each time this replica starts its controllers (after winning the leader lease and
   * the informers' first list, before any reconcile), e.g. to fail work a previous leader left
   * InProgress. A throw is logged; the controllers start anyway.
   */
  start?(ctx: ReconcileContext): Promise<void>;
}
