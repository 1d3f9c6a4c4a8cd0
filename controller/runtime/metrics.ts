import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ControllerMetrics } from './types.ts';

/**
 * The server's Prometheus metrics, in a registry of their own (so several servers can live in one
 * test process). Names follow Velero's (`velero_backup_attempt_total` → `skiff_backup_attempt_total`)
 * so dashboards carry over; the `schedule` label is '' for backups not made by a schedule.
 */
export class ServerMetrics implements ControllerMetrics {
  readonly registry: Registry;
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly reconcileDuration: Histogram<'controller'>;
  private readonly queueDepth: Gauge<'controller'>;
  private readonly leader: Gauge;
  private readonly backupAttempt: Counter<'schedule'>;
  private readonly backupResult: Counter<'schedule' | 'phase'>;
  private readonly backupDuration: Histogram<'schedule'>;
  private readonly backupItems: Gauge<'schedule'>;
  private readonly restoreAttempt: Counter<'schedule'>;
  private readonly restoreResult: Counter<'schedule' | 'phase'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [(this.registry = new Registry())];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'skiff_' });
    this.reconcileTotal = new Counter({ name: 'skiff_reconcile_total', help: 'Reconciles by controller and result (success, error, requeue)', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'skiff_reconcile_errors_total', help: 'Reconciles that threw', labelNames: ['controller'], registers });
    this.reconcileDuration = new Histogram({
      name: 'skiff_reconcile_duration_seconds',
      help: 'Time spent in one reconcile',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers,
    });
    this.queueDepth = new Gauge({ name: 'skiff_workqueue_depth', help: 'Keys waiting in a controller work queue', labelNames: ['controller'], registers });
    this.leader = new Gauge({ name: 'skiff_leader', help: '1 while this replica holds the leader lease', registers });
    this.backupAttempt = new Counter({ name: 'skiff_backup_attempt_total', help: 'Backups started', labelNames: ['schedule'], registers });
    this.backupResult = new Counter({ name: 'skiff_backup_total', help: 'Backups finished, by final phase', labelNames: ['schedule', 'phase'], registers });
    this.backupDuration = new Histogram({
      name: 'skiff_backup_duration_seconds',
      help: 'Time a backup took',
      labelNames: ['schedule'],
      buckets: [10, 30, 60, 300, 900, 1800, 3600, 7200, 14400],
      registers,
    });
    this.backupItems = new Gauge({ name: 'skiff_backup_items_total', help: 'Items in the last backup', labelNames: ['schedule'], registers });
    this.restoreAttempt = new Counter({ name: 'skiff_restore_attempt_total', help: 'Restores started', labelNames: ['schedule'], registers });
    this.restoreResult = new Counter({ name: 'skiff_restore_total', help: 'Restores finished, by final phase', labelNames: ['schedule', 'phase'], registers });
  }

  reconciled(controller: string, result: 'success' | 'error' | 'requeue', seconds: number): void {
    this.reconcileTotal.inc({ controller, result });
    if (result === 'error') this.reconcileErrors.inc({ controller });
    this.reconcileDuration.observe({ controller }, seconds);
  }

  setQueueDepth(controller: string, depth: number): void {
    this.queueDepth.set({ controller }, depth);
  }

  setLeader(leading: boolean): void {
    this.leader.set(leading ? 1 : 0);
  }

  backupStarted(schedule = ''): void {
    this.backupAttempt.inc({ schedule });
  }

  backupFinished(phase: string, opts: { schedule?: string; durationSeconds?: number; items?: number } = {}): void {
    const schedule = opts.schedule ?? '';
    this.backupResult.inc({ schedule, phase });
    if (opts.durationSeconds !== undefined) this.backupDuration.observe({ schedule }, opts.durationSeconds);
    if (opts.items !== undefined) this.backupItems.set({ schedule }, opts.items);
  }

  restoreStarted(schedule = ''): void {
    this.restoreAttempt.inc({ schedule });
  }

  restoreFinished(phase: string, opts: { schedule?: string } = {}): void {
    this.restoreResult.inc({ schedule: opts.schedule ?? '', phase });
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
