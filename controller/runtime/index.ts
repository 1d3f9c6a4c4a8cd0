// The runtime of `skiff server`: contracts (types.ts), work queue, supervised informers, the
// controller manager that drives reconcilers, leader election, health/metrics endpoints, logging,
// time (injectable clock and timers, Go durations), and secret redaction. No Kubernetes client here:
// controller/kube implements the sources (ListWatchSource, LeaseStore) this folder consumes.
export type {
  Clock,
  ControllerMetrics,
  KubeObject,
  Logger,
  ObjectMeta,
  ObjectStore,
  ReconcileContext,
  ReconcileResult,
  Reconciler,
  SkiffClient,
} from './types.ts';
export { ManualClock, hasTimers, sleepOn, systemClock } from './clock.ts';
export type { ClockWithTimers, Timer, Timers } from './clock.ts';
export { WorkQueue } from './work-queue.ts';
export type { WorkQueueOptions } from './work-queue.ts';
export { Informer, errText, objectKey } from './informer.ts';
export type { InformerHandlers, InformerOptions, ListWatchSource, SourceEvent, SourcePage } from './informer.ts';
export { ControllerManager } from './controller-manager.ts';
export type { AddReconcilerOptions, ControllerManagerOptions } from './controller-manager.ts';
export { LeaderElector, microTime } from './leader-election.ts';
export { MemSkiffClient, mergePatch } from './mem-skiff-client.ts';
export type { Lease, LeaseStore, LeaderElectorOptions } from './leader-election.ts';
export { healthRoutes, metricsRoutes, parseListenAddress, serveHttp } from './http-endpoints.ts';
export type { Check, HttpEndpoint, RouteAnswer, Routes } from './http-endpoints.ts';
export { ServerMetrics } from './metrics.ts';
export { LOG_LEVELS, makeLogger, memoryLogger, silentLogger, wrapPino } from './logger.ts';
export type { LogEntry, LogLevel, LoggerOptions } from './logger.ts';
export { REDACT_PATHS, Redacted } from './redact.ts';
export { formatGoDuration, formatTime, parseGoDuration } from './time.ts';
