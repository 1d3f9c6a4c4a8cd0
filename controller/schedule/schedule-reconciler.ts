/**
 * The Schedule reconciler (velero-reference.md §6.7). Each call re-validates `spec.schedule`, then,
 * when the schedule is Enabled and not paused, takes at most one run:
 *
 * - The first run of a schedule that never ran or skipped is due at once, unless `skipImmediately`
 *   (or the server default for an unset flag) asks to skip it: then `status.lastSkipped` = now and
 *   the flag is reset to false, so later runs count from now. Unpausing with the flag set does the same.
 * - Later runs fall on the schedule's times after `max(lastBackup, lastSkipped)`. Missed runs are
 *   not caught up: a due schedule takes only the latest run time not after now.
 * - A run is skipped (`status.lastSkipped` = now) while a backup of this schedule is New or InProgress.
 * - A run creates Backup `<schedule>-<YYYYMMDDhhmmss>` named after the run time (UTC), then sets
 *   `status.lastBackup` to that time. The name depends only on the status and the clock's current run
 *   slot, so a repeated reconcile finds the backup already created and only records it.
 *
 * Returns `requeueAfterMs` until the next run. Paused and invalid schedules are not requeued: a
 * spec change brings them back.
 */
import { type Backup, type BackupPhase, LABELS, PLURALS, type Schedule, type ScheduleStatus } from '../../crds/index.ts';
import { type ReconcileContext, type ReconcileResult, type Reconciler, formatTime } from '../runtime/index.ts';
import { backupFromSchedule } from './backup-from-schedule.ts';
import { createIfAbsent } from './client-helpers.ts';
import { type RunTimes, parseSchedule } from './cron.ts';
import { labelValue, timestampedName } from './names.ts';
import { later, parseTimestamp, wholeSecond } from './time.ts';

export interface ScheduleReconcilerOptions {
  /** the server's `--schedule-skip-immediately`: used when `spec.skipImmediately` is unset; default false */
  readonly skipImmediatelyByDefault?: boolean;
}

/** Phases in which a backup still runs; a run of its schedule waits for it. */
const RUNNING: readonly (BackupPhase | undefined)[] = [undefined, 'New', 'InProgress', 'Finalizing'];

export function createScheduleReconciler(opts: ScheduleReconcilerOptions = {}): Reconciler<Schedule> {
  return {
    plural: PLURALS.Schedule,
    reconcile: (schedule, ctx) => reconcileSchedule(schedule, ctx, opts),
  };
}

async function reconcileSchedule(schedule: Schedule, ctx: ReconcileContext, opts: ScheduleReconcilerOptions): Promise<ReconcileResult> {
  const name = schedule.metadata.name ?? '';
  const log = ctx.log.child({ schedule: name });
  if (schedule.metadata.deletionTimestamp !== undefined) return {};
  const setStatus = async (status: ScheduleStatus): Promise<ScheduleStatus> =>
    (await ctx.client.patchStatus<Schedule>(PLURALS.Schedule, name, status)).status ?? {};

  let status = schedule.status ?? {};
  const parsed = parseSchedule(schedule.spec.schedule ?? '');
  if (!parsed.ok) {
    if (status.phase !== 'FailedValidation' || status.validationErrors?.[0] !== parsed.error) {
      await setStatus({ phase: 'FailedValidation', validationErrors: [parsed.error] });
      log.warn({ error: parsed.error }, 'schedule failed validation');
    }
    return {};
  }
  if (status.phase !== 'Enabled') {
    status = await setStatus({ phase: 'Enabled', validationErrors: null });
    log.info({ schedule: schedule.spec.schedule }, 'schedule enabled');
  }
  if (schedule.spec.paused === true) return {};

  const now = ctx.clock.now();
  if (schedule.spec.skipImmediately ?? opts.skipImmediatelyByDefault ?? false) {
    status = await setStatus({ lastSkipped: formatTime(now) });
    await ctx.client.patch(PLURALS.Schedule, name, { spec: { skipImmediately: false } });
    log.info('skipped the immediate run (skipImmediately)');
  }

  const runs = parsed.runs;
  const base = later(parseTimestamp(status.lastBackup), parseTimestamp(status.lastSkipped));
  const runAt = base === undefined ? wholeSecond(now) : runs.latestDue(base, now);
  if (runAt === undefined) return untilNext(runs, base ?? now, now);

  const backupName = timestampedName(name, runAt);
  const running = (await backupsOf(ctx, name)).filter((b) => RUNNING.includes(b.status?.phase));
  const runningNames = running.map((b) => b.metadata.name ?? '');
  if (running.length > 0 && !runningNames.includes(backupName)) {
    await setStatus({ lastSkipped: formatTime(now) });
    log.info({ running: runningNames }, 'skipped a run: a backup of this schedule is still running');
    return untilNext(runs, now, now);
  }

  const outcome = await createIfAbsent(ctx.client, PLURALS.Backup, backupFromSchedule(schedule, backupName));
  await setStatus({ lastBackup: formatTime(runAt) });
  log.info({ backup: backupName, outcome }, 'schedule ran');
  return untilNext(runs, runAt, now);
}

function backupsOf(ctx: ReconcileContext, schedule: string): Promise<Backup[]> {
  return ctx.client.list<Backup>(PLURALS.Backup, { labelSelector: `${LABELS.scheduleName}=${labelValue(schedule)}` });
}

function untilNext(runs: RunTimes, after: Date, now: Date): ReconcileResult {
  return { requeueAfterMs: Math.max(1, runs.next(after).getTime() - now.getTime()) };
}
