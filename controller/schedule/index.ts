// Schedules: cron and @every run times, backup names, and the Schedule reconciler. Also the small
// helpers the lifecycle controllers (gc, deletion, sync, download) share: timestamps, label values
// for names, idempotent create/delete.
export { createScheduleReconciler } from './schedule-reconciler.ts';
export type { ScheduleReconcilerOptions } from './schedule-reconciler.ts';
export { parseSchedule } from './cron.ts';
export type { ParsedSchedule, RunTimes } from './cron.ts';
export { backupFromSchedule } from './backup-from-schedule.ts';
export { labelValue, timestampedName } from './names.ts';
export { later, parseTimestamp, wholeSecond } from './time.ts';
export { createIfAbsent, deleteIfPresent } from './client-helpers.ts';
